"""Synthetic bundle inputs covering every status, review state and coded branch (SYN- ids)."""

from __future__ import annotations

import datetime as dt

from mrdguide.domain import (
    MRDLevel,
    MRDMeasurement,
    MRDMethod,
    MRDStatus,
    ReviewState,
    Sex,
    Timepoint,
    Tissue,
)
from mrdguide.io.fhir import (
    BundleInput,
    Estimate,
    PresentedForm,
    ResultRecord,
    ReviewStep,
    RiskRecord,
)

T0 = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
DX = dt.date(2025, 1, 10)


def at(hours: int) -> dt.datetime:
    """``T0`` plus ``hours``."""
    return T0 + dt.timedelta(hours=hours)


def lvl(x: float | None) -> MRDLevel | None:
    """A level or ``None``."""
    return None if x is None else MRDLevel(x)


def measurement(
    tp: Timepoint,
    status: MRDStatus,
    *,
    method: MRDMethod = MRDMethod.FLOW,
    tissue: Tissue = Tissue.BONE_MARROW,
    level: float | None = None,
    sens: float | None = 1e-4,
    qr: float | None = 1e-4,
    day: int | None = None,
    **kw: object,
) -> MRDMeasurement:
    """An MRD measurement with defaults."""
    return MRDMeasurement(
        timepoint=tp,
        method=method,
        status=status,
        tissue=tissue,
        level=lvl(level),
        sensitivity=lvl(sens),
        quantitative_range=lvl(qr),
        sample_day=day,
        **kw,  # type: ignore[arg-type]
    )


def record(
    m: MRDMeasurement,
    state: ReviewState,
    *,
    version: int = 1,
    amends: bool = False,
    reason: str | None = None,
) -> ResultRecord:
    """A result version whose events lead to ``state`` (lab-1 records, rev-2 reviews)."""
    created = "import_authorised" if state is ReviewState.AUTHORISED and version == 1 else "create"
    steps = [
        ReviewStep(
            action=created,
            state=ReviewState.DRAFT if created == "create" else ReviewState.AUTHORISED,
            actor="lab-1",
            at=at(0),
            reason=reason,
        )
    ]
    if created == "create" and state is not ReviewState.DRAFT:
        steps.append(
            ReviewStep(action="submit", state=ReviewState.SUBMITTED, actor="lab-1", at=at(1))
        )
        if state is ReviewState.AUTHORISED:
            steps.append(ReviewStep(action="authorise", state=state, actor="rev-2", at=at(2)))
        if state is ReviewState.RETURNED:
            steps.append(
                ReviewStep(
                    action="return", state=state, actor="rev-2", at=at(2), reason="check the gating"
                )
            )
    return ResultRecord(
        measurement=m,
        version=version,
        review_state=state,
        amends_authorised=amends,
        actor="lab-1",
        recorded_at=at(0),
        reason=reason,
        events=tuple(steps),
    )


def full_input(*, diagnosis: dt.date | None = DX, report: str = "pdf") -> BundleInput:
    """Every MRD status, review state, tissue and method, amended and draft results, two
    protocols (one not assignable, one with an estimate)."""
    pos = MRDStatus.POSITIVE
    results = (
        record(
            measurement(
                Timepoint.DAY8,
                pos,
                tissue=Tissue.PERIPHERAL_BLOOD,
                level=0.012,
                day=8,
                cells_analysed=500_000,
            ),
            ReviewState.AUTHORISED,
        ),
        record(
            measurement(Timepoint.DAY15, MRDStatus.POSITIVE_NQ, level=5e-5, day=15),
            ReviewState.SUBMITTED,
        ),
        record(
            measurement(
                Timepoint.EOI,
                MRDStatus.NEGATIVE,
                method=MRDMethod.PCR,
                sens=1e-5,
                qr=1e-4,
                day=33,
                markers=2,
                dna_ng=500.0,
            ),
            ReviewState.AUTHORISED,
            version=2,
            amends=True,
            reason="second marker added",
        ),
        record(
            measurement(
                Timepoint.EOC,
                MRDStatus.NOT_EVALUABLE,
                method=MRDMethod.NGS,
                sens=None,
                qr=None,
                day=78,
                warnings=("low DNA input",),
            ),
            ReviewState.RETURNED,
        ),
        record(
            measurement(
                Timepoint.POST_IM1, MRDStatus.POSITIVE_NQ, sens=1e-5, qr=1e-4, method=MRDMethod.NGS
            ),
            ReviewState.DRAFT,
        ),
    )
    est = Estimate(value=0.12, ci_lower=0.07, ci_upper=0.2, horizon_years=5.0, model="FG")
    risks = (
        RiskRecord(
            protocol="ukall2003",
            protocol_name="UKALL2003",
            protocol_version="2003.1",
            protocol_sha256="a" * 64,
            group="mrd-high",
            group_label="MRD high risk",
            basis=(("eoi", "bm", "pcr"),),
            rationale="MRD ≥ 1e-4 → high risk",
            notes=("Caveat: synthetic",),
            estimate=est,
        ),
        RiskRecord(
            protocol="aieop-bfm-all-2000",
            protocol_name="AIEOP-BFM ALL 2000",
            protocol_version="1",
            protocol_sha256="b" * 64,
            group="not_assignable",
            group_label="not assignable",
            basis=(),
            notes=("Missing input: EOC MRD",),
        ),
    )
    form = {
        "pdf": PresentedForm(content_type="application/pdf", data=b"%PDF-1.7 x", title="r.pdf"),
        "html": PresentedForm(content_type="text/html", data=b"<html></html>", title="r.html"),
    }.get(report)
    return BundleInput(
        patient_id="SYN-0001",
        sex=Sex.FEMALE,
        diagnosis_date=diagnosis,
        results=results,
        risks=risks,
        report=form,
        generated=at(5),
        notice="Research use only.",
    )
