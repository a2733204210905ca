"""Fit the genotype-specific MRD model for the report and the patient estimate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mrdguide.domain import Case
from mrdguide.errors import EstimationError
from mrdguide.reports.cohort import GenotypeMRDView
from mrdguide.reports.patient import RelapseEstimate
from mrdguide.risk import (
    ModelSpec,
    RelapseModel,
    covariates_from_case,
    fit_relapse_model,
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

#: The risk band whose crossing defines each group's MRD threshold in the report.
REPORT_BAND = 0.10
SINGLE_THRESHOLD = 1e-4


@dataclass(frozen=True, slots=True, kw_only=True)
class GenotypeResult:
    """The fitted model and its report view."""

    model: RelapseModel
    view: GenotypeMRDView


def _discrimination(model: RelapseModel, cases: list[Case]) -> tuple[tuple[str, str], ...]:
    rd = risk_data_from_cases(cases, model.spec)
    h = model.horizon_days
    risk = predict_cif(model, rd.covariates)
    ref = single_threshold_risk(
        rd.time, rd.cause, rd.covariates.mrd, rd.covariates.mrd, h, threshold=SINGLE_THRESHOLD
    )
    nri = net_reclassification(rd.time, rd.cause, risk, ref, h, bands=(0.05, REPORT_BAND))
    return (
        (
            "Harrell's C, genotype × MRD model (apparent)",
            f"{harrell_c(rd.time, rd.cause, risk):.3f}",
        ),
        (
            f"Harrell's C, single MRD threshold {SINGLE_THRESHOLD:.0e}",
            f"{harrell_c(rd.time, rd.cause, ref):.3f}",
        ),
        ("5-year AUC, model", f"{time_dependent_auc(rd.time, rd.cause, risk, h):.3f}"),
        ("5-year AUC, single threshold", f"{time_dependent_auc(rd.time, rd.cause, ref, h):.3f}"),
        ("NRI (bands 5%, 10%) vs single threshold", f"{nri.nri:+.3f}"),
    )


def fit_genotype_model(cases: list[Case], *, version: str, fit_date: str) -> GenotypeResult | None:
    """Fine–Gray model of relapse on UK genetic tier × log10 EOI MRD; ``None`` if not estimable."""
    spec = ModelSpec()
    try:
        model = fit_relapse_model(
            cases, spec, method="fine_gray", mrdguide_version=version, fit_date=fit_date
        )
    except EstimationError:
        return None
    grid = np.linspace(-6.0, -1.0, 101)
    curves = {
        g: ((10.0**grid).tolist(), risk_curve(model, g, grid).tolist()) for g in spec.group_levels
    }
    table = mrd_thresholds(model, (REPORT_BAND,))
    thresholds = {g: table.get(g, REPORT_BAND).mrd for g in spec.group_levels}
    words = {
        "always_above": "above the band already at MRD 1e-6",
        "never_reached": "below the band even at MRD 1",
        "crossed": "",
    }
    notes = {g: words[table.get(g, REPORT_BAND).status] for g in spec.group_levels}
    view = GenotypeMRDView(
        band=REPORT_BAND,
        curves=curves,
        thresholds=thresholds,
        discrimination=_discrimination(model, cases),
        threshold_notes=notes,
        note=(
            f"Fine–Gray model of relapse (death in remission and second malignancy compete) "
            f"with UK genetic tier, log10 end-of-induction MRD and their interaction; "
            f"{model.n} patients, {model.n_relapse} relapses. Negatives are placed at half "
            "their sensitivity with an indicator. Discrimination is apparent (training data); "
            "use `mrdguide model` cross-validation for optimism-corrected values."
        ),
    )
    return GenotypeResult(model=model, view=view)


def patient_estimate(result: GenotypeResult, case: Case) -> RelapseEstimate | None:
    """The model's 5-year relapse estimate for one case, or ``None`` if inputs are missing."""
    try:
        cov = covariates_from_case(case, result.model.spec)
    except (ValueError, LookupError):
        return None
    p = predict_risk(result.model, cov)
    return RelapseEstimate(
        value=p.risk,
        ci_lower=p.ci_lower,
        ci_upper=p.ci_upper,
        model="Fine–Gray, UK tier × log10 EOI MRD",
    )
