"""What a FHIR bundle is built from: plain values gathered by the service from the registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mrdguide.domain import MRDMeasurement, ReviewState, Sex

__all__ = ["BundleInput", "Estimate", "PresentedForm", "ResultRecord", "ReviewStep", "RiskRecord"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewStep:
    """One review event of a version: its creation, a submission, an authorisation or return.

    ``action`` is the registry's word: ``create`` (a draft), ``import_authorised`` (historical
    data), ``submit``, ``authorise`` or ``return``.
    """

    action: str
    state: ReviewState
    actor: str
    at: dt.datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultRecord:
    """One version of one MRD result, with its review history.

    ``amends_authorised`` says that an earlier version of the same result was authorised (so an
    authorised version is an amendment).
    """

    measurement: MRDMeasurement
    version: int
    review_state: ReviewState
    amends_authorised: bool
    actor: str
    recorded_at: dt.datetime
    reason: str | None = None
    events: tuple[ReviewStep, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A model's relapse probability by a horizon, with its 95% confidence interval."""

    value: float
    ci_lower: float
    ci_upper: float
    horizon_years: float
    model: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskRecord:
    """One protocol's risk assignment.

    ``basis`` lists the MRD results (time point, tissue, method) whose facts the deciding rules
    (or, for the default group, every evaluated MRD condition) used.
    """

    protocol: str
    protocol_name: str
    protocol_version: str
    protocol_sha256: str
    group: str
    group_label: str
    basis: tuple[tuple[str, str, str], ...]
    rationale: str | None = None
    notes: tuple[str, ...] = ()
    estimate: Estimate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PresentedForm:
    """The rendered patient report attached to the DiagnosticReport."""

    content_type: str
    data: bytes
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleInput:
    """Everything one patient's bundle holds."""

    patient_id: str
    sex: Sex | None
    diagnosis_date: dt.date | None
    results: tuple[ResultRecord, ...]
    risks: tuple[RiskRecord, ...]
    report: PresentedForm | None
    generated: dt.datetime
    notice: str
