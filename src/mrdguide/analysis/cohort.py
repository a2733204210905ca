"""The whole cohort analysis behind the cohort report, as one frozen value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from mrdguide.analysis._endpoints import EndpointTable, endpoint_table
from mrdguide.analysis.baseline import BaselineTable, baseline_table
from mrdguide.analysis.landmarks import (
    IntensificationRow,
    LandmarkAnalysis,
    intensification_table,
    landmark_by_mrd,
)
from mrdguide.analysis.outcomes import (
    FollowUp,
    GroupedIncidence,
    GroupedSurvival,
    cif_by_group,
    km_by_group,
    label_counts,
    median_follow_up,
)
from mrdguide.analysis.regression import ModelSummary, fit_models
from mrdguide.domain import DAYS_PER_YEAR, TIMEPOINT_ORDER, Case, Timepoint
from mrdguide.protocols import NOT_ASSIGNABLE


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolInfo:
    """Identity of a rule set and each patient's group under it."""

    protocol: str
    version: str
    sha256: str
    groups: Mapping[str, str]  # patient_id -> risk group (or "not_assignable")


@dataclass(frozen=True, slots=True, kw_only=True)
class CohortFlow:
    """CONSORT-style counts: registered → eligible → MRD-evaluable → assigned per group."""

    registered: int
    eligible: int
    mrd_evaluable: tuple[tuple[str, int], ...]
    assigned: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """The cohort under one protocol: group sizes and EFS by group."""

    protocol: str
    version: str
    efs: GroupedSurvival
    n_not_assignable: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Methods:
    """Method choices recorded in the report's provenance."""

    conf_type: str = "log-log (KM); log(−log) for cumulative incidence"
    ties: str = "Efron"
    horizon_days: float = 5 * DAYS_PER_YEAR
    induction_failure: str = "EFS event at day 0"
    landmark_rule: str = "95th percentile of the time point's sample days"


@dataclass(frozen=True, slots=True, kw_only=True)
class CohortAnalysis:
    """Everything the cohort report shows; computed once, rendered without arithmetic."""

    primary: ProtocolInfo
    flow: CohortFlow
    baseline: BaselineTable
    efs: GroupedSurvival
    os: GroupedSurvival
    follow_up: FollowUp
    cir: GroupedIncidence
    landmarks: tuple[LandmarkAnalysis, ...]
    intensification: tuple[IntensificationRow, ...]
    models: tuple[ModelSummary, ...]
    what_if: tuple[WhatIf, ...]
    table: EndpointTable
    methods: Methods = field(default_factory=Methods)


def cohort_flow(cases: Sequence[Case], table: EndpointTable, primary: ProtocolInfo) -> CohortFlow:
    """Counts for the flow diagram."""
    eligible = set(table.patient_id)
    ev = []
    for tp in TIMEPOINT_ORDER:
        n = sum(
            1
            for c in cases
            if c.patient_id in eligible
            and (m := c.mrd_at(tp)) is not None
            and m.status.value != "not_evaluable"
        )
        if n:
            ev.append((str(tp), n))
    groups = [primary.groups.get(p, NOT_ASSIGNABLE) for p in table.patient_id]
    return CohortFlow(
        registered=len(cases),
        eligible=len(eligible),
        mrd_evaluable=tuple(ev),
        assigned=tuple(label_counts(groups).items()),
    )


def landmark_day_for(cases: Sequence[Case], tp: Timepoint) -> float | None:
    """The 95th percentile of sample days at ``tp`` (None when no sample has a day)."""
    days = [m.sample_day for c in cases if (m := c.mrd_at(tp)) and m.sample_day is not None]
    return float(np.percentile(days, 95)) if days else None


def analyze_cohort(
    cases: Sequence[Case],
    primary: ProtocolInfo,
    others: Sequence[ProtocolInfo] = (),
    *,
    methods: Methods | None = None,
) -> CohortAnalysis:
    """Run every analysis of the cohort report.

    Parameters
    ----------
    cases : sequence of Case
        The registered cohort.
    primary : ProtocolInfo
        The protocol whose risk groups define the main comparisons.
    others : sequence of ProtocolInfo, optional
        Further protocols for the what-if comparison.
    methods : Methods, optional
        Method choices; defaults documented in :class:`Methods`.
    """
    meth = methods or Methods()
    h = meth.horizon_days
    table = endpoint_table(cases)
    grp = np.asarray([primary.groups.get(p, NOT_ASSIGNABLE) for p in table.patient_id])
    aligned = table.cases
    # Patients the protocol could not assign are counted in the flow, not drawn as a group.
    ok = grp != NOT_ASSIGNABLE
    cm = table.cir_evaluable() & ok
    landmarks = []
    for tp in (Timepoint.EOI, Timepoint.EOC):
        day = landmark_day_for(aligned, tp)
        if day is not None:
            landmarks.append(landmark_by_mrd(table, tp, landmark_day=day, horizon_days=h))
    eoi_day = landmark_day_for(aligned, Timepoint.EOI)
    return CohortAnalysis(
        primary=primary,
        flow=cohort_flow(cases, table, primary),
        baseline=baseline_table(aligned, list(grp)),
        efs=km_by_group(
            table.efs_days[ok], table.efs_event[ok], grp[ok], endpoint="EFS", horizon_days=h
        ),
        os=km_by_group(
            table.os_days[ok], table.os_event[ok], grp[ok], endpoint="OS", horizon_days=h
        ),
        follow_up=median_follow_up(table.os_days, table.os_event),
        cir=cif_by_group(table.cir_days[cm], table.cir_cause[cm], grp[cm], horizon_days=h),
        landmarks=tuple(landmarks),
        intensification=intensification_table(table, horizon_days=h),
        models=() if eoi_day is None else fit_models(table, Timepoint.EOI, eoi_day),
        what_if=tuple(_what_if(p, table, h) for p in (primary, *others)),
        table=table,
        methods=meth,
    )


def _what_if(p: ProtocolInfo, table: EndpointTable, horizon: float) -> WhatIf:
    g = np.asarray([p.groups.get(x, NOT_ASSIGNABLE) for x in table.patient_id])
    ok = g != NOT_ASSIGNABLE
    efs = km_by_group(
        table.efs_days[ok], table.efs_event[ok], g[ok], endpoint="EFS", horizon_days=horizon
    )
    return WhatIf(
        protocol=p.protocol, version=p.version, efs=efs, n_not_assignable=int((~ok).sum())
    )
