"""Fit the genotype-specific MRD model for the report and the patient estimate.

Every string here is for people: MRD in percent, numbers rounded (JSON elsewhere keeps values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mrdguide.domain import Case
from mrdguide.domain.display import format_decimals, format_mrd_threshold
from mrdguide.errors import EstimationError
from mrdguide.reports.cohort import GenotypeMRDView, genotype_name
from mrdguide.reports.patient import RelapseEstimate
from mrdguide.risk import (
    MODEL_TIERS,
    GroupThreshold,
    ModelSpec,
    RelapseModel,
    covariates_from_case,
    fit_relapse_model,
    model_tier,
    mrd_thresholds,
    predict_cif,
    predict_risk,
    risk_curve,
    risk_data_from_cases,
)
from mrdguide.risk.metrics import (
    harrell_c,
    net_reclassification,
    single_threshold_risk,
    time_dependent_auc,
)

__all__ = [
    "REPORT_BAND",
    "SINGLE_THRESHOLD",
    "GenotypeResult",
    "fit_genotype_model",
    "genotype_name",
    "patient_estimate",
    "threshold_statements",
]

#: The risk band whose crossing defines each group's MRD threshold in the report.
REPORT_BAND = 0.10
SINGLE_THRESHOLD = 1e-4


@dataclass(frozen=True, slots=True, kw_only=True)
class GenotypeResult:
    """The fitted model and its report view."""

    model: RelapseModel
    view: GenotypeMRDView
    #: Each tier's threshold at :data:`REPORT_BAND` (its ``statement`` says it in words).
    thresholds: Mapping[str, GroupThreshold] = field(default_factory=dict)


def _discrimination(model: RelapseModel, cases: list[Case]) -> tuple[tuple[str, str], ...]:
    rd = risk_data_from_cases(cases, model.spec, group_of=model_tier)
    h = model.horizon_days
    risk = predict_cif(model, rd.covariates)
    ref = single_threshold_risk(
        rd.time, rd.cause, rd.covariates.mrd, rd.covariates.mrd, h, threshold=SINGLE_THRESHOLD
    )
    nri = net_reclassification(rd.time, rd.cause, risk, ref, h, bands=(0.05, REPORT_BAND))
    single = format_mrd_threshold(SINGLE_THRESHOLD)
    return (
        (
            "Harrell's C, genotype × MRD model (apparent)",
            format_decimals(harrell_c(rd.time, rd.cause, risk), 3),
        ),
        (
            f"Harrell's C, single MRD threshold {single}",
            format_decimals(harrell_c(rd.time, rd.cause, ref), 3),
        ),
        ("5-year AUC, model", format_decimals(time_dependent_auc(rd.time, rd.cause, risk, h), 3)),
        (
            "5-year AUC, single threshold",
            format_decimals(time_dependent_auc(rd.time, rd.cause, ref, h), 3),
        ),
        ("NRI (bands 5%, 10%) vs single threshold", f"{nri.nri:+.3f}"),
    )


def fit_genotype_model(cases: list[Case], *, version: str, fit_date: str) -> GenotypeResult | None:
    """Fine–Gray model of relapse on genetic tier × log10 EOI MRD; ``None`` if not estimable.

    The tiers are the UK cytogenetic tiers for B-ALL plus T-ALL as a tier of its own
    (:func:`mrdguide.risk.model_tier`), so T-ALL patients are modelled rather than left out.
    """
    spec = ModelSpec(group_levels=MODEL_TIERS)
    try:
        model = fit_relapse_model(
            cases, spec, method="fine_gray", mrdguide_version=version, fit_date=fit_date,
            group_of=model_tier,
        )  # fmt: skip
    except EstimationError:
        return None
    grid = np.linspace(-6.0, -1.0, 101)
    curves = {
        g: ((10.0**grid).tolist(), risk_curve(model, g, grid).tolist()) for g in spec.group_levels
    }
    table = mrd_thresholds(model, (REPORT_BAND,))
    found = {g: table.get(g, REPORT_BAND) for g in spec.group_levels}
    # A threshold no routine assay can measure is stated in words, never as a number.
    thresholds = {g: _measurable(t) for g, t in found.items()}
    notes = {g: "" if thresholds[g] is not None else t.statement for g, t in found.items()}
    view = GenotypeMRDView(
        band=REPORT_BAND,
        curves=curves,
        thresholds=thresholds,
        discrimination=_discrimination(model, cases),
        threshold_notes=notes,
        note=(
            f"Fine–Gray model of relapse (death in remission and second malignancy compete) "
            f"with genetic tier (UK cytogenetic tiers for B-ALL; T-ALL as its own tier), log10 "
            f"end-of-induction MRD and their interaction; {model.n} patients, "
            f"{model.n_relapse} relapses. Negatives are placed at half their sensitivity with an "
            "indicator. Discrimination is apparent (training data); use `mrdguide model` "
            "cross-validation for optimism-corrected values."
        ),
    )
    return GenotypeResult(model=model, view=view, thresholds=found)


def _measurable(t: GroupThreshold) -> float | None:
    return t.mrd if t.status == "crossed" and not t.below_detection else None


def threshold_statements(result: GenotypeResult) -> tuple[tuple[str, str], ...]:
    """``(tier, threshold in words)`` per tier, e.g. ``("T-ALL", "MRD ≥ 0.05% (5 × 10⁻⁴)")``.

    Thresholds below every routine assay's sensitivity read as their statement ("risk ≥ 10%
    even when MRD-negative"), never as a number.
    """
    return tuple((genotype_name(g), t.statement) for g, t in result.thresholds.items())


def patient_estimate(result: GenotypeResult, case: Case) -> RelapseEstimate | None:
    """The model's 5-year relapse estimate for one case, or ``None`` if inputs are missing."""
    try:
        cov = covariates_from_case(case, result.model.spec, group_of=model_tier)
    except (ValueError, LookupError):
        return None
    p = predict_risk(result.model, cov)
    return RelapseEstimate(
        value=p.risk,
        ci_lower=p.ci_lower,
        ci_upper=p.ci_upper,
        model="Fine–Gray, genetic tier × log10 end-of-induction MRD",
    )
