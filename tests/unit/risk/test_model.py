"""Fit and predict: coefficient recovery on simulated cohorts and prediction formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mrdguide.errors import EstimationError, InputError
from mrdguide.risk import (
    Covariates,
    ModelSpec,
    RelapseModel,
    RiskData,
    design_matrix,
    fit_relapse_model,
    predict_cif,
    predict_risk,
)

from .conftest import TRUE_BETA, YEAR, fg_true_cif

PROFILES = [("good", 1e-4), ("intermediate", 1e-3), ("high", 1e-2), ("good", 0.0), ("high", 1e-5)]


def _one(group: str, mrd: float, sens: float = 1e-5) -> Covariates:
    return Covariates(group=(group,), mrd=np.array([mrd]), sensitivity=np.array([sens]))


def _true_eta(cov: Covariates) -> float:
    dm = design_matrix(cov, ModelSpec())
    return float(dm.X[0] @ np.array([TRUE_BETA[n] for n in dm.names]))


@pytest.fixture(scope="module")
def cs_model(cs_cohort: RiskData) -> RelapseModel:
    """Cause-specific model on the 4,000-patient cause-specific cohort."""
    return fit_relapse_model(cs_cohort, ModelSpec(), method="cause_specific")


@pytest.fixture(scope="module")
def fg_model(fg_cohort: RiskData) -> RelapseModel:
    """Fine–Gray model on the 4,000-patient Fine–Gray cohort."""
    return fit_relapse_model(fg_cohort, ModelSpec(), method="fine_gray")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["cs", "fg"])
def test_coefficients_recovered_within_3_se(
    which: str, cs_model: RelapseModel, fg_model: RelapseModel
) -> None:
    """Every genotype, MRD, negative and interaction coefficient is within 3 SE of the truth."""
    model = cs_model if which == "cs" else fg_model
    for name, (coef, se) in model.coef_table().items():
        assert abs(coef - TRUE_BETA[name]) < 3 * se, (name, coef, se)
    assert all(0 < se < 0.3 for _, se in model.coef_table().values())


@pytest.mark.slow
def test_cause_specific_prediction_matches_true_cif(cs_model: RelapseModel) -> None:
    """Aalen–Johansen-type 5-year risk matches the exponential truth and its CI covers it."""
    for group, mrd in PROFILES:
        cov = _one(group, mrd)
        lam1 = 0.012 * math.exp(_true_eta(cov))
        lam2 = 0.004 * math.exp(0.5 * (group == "high"))
        t = cs_model.horizon_days / YEAR
        truth = lam1 / (lam1 + lam2) * (1 - math.exp(-(lam1 + lam2) * t))
        pred = predict_risk(cs_model, cov)
        assert pred.ci_lower < pred.risk < pred.ci_upper
        assert pred.ci_lower - 0.01 < truth < pred.ci_upper + 0.01, (group, mrd, pred, truth)


@pytest.mark.slow
def test_fine_gray_prediction_matches_true_cif(fg_model: RelapseModel) -> None:
    """Fine–Gray 5-year risk matches the generator's true cumulative incidence."""
    for group, mrd in PROFILES:
        cov = _one(group, mrd)
        truth = float(fg_true_cif(np.array([_true_eta(cov)]), fg_model.horizon_days / YEAR)[0])
        pred = predict_risk(fg_model, cov)
        assert pred.ci_lower - 0.01 < truth < pred.ci_upper + 0.01, (group, mrd, pred, truth)


@pytest.mark.slow
def test_fine_gray_formula_and_delta_ci(fg_model: RelapseModel) -> None:
    """F = 1 - exp(-Λ1(t) exp(xβ)); CI is ±z·se on cloglog with the Tsiatis variance."""
    cov = _one("intermediate", 3e-4)
    x = design_matrix(cov, fg_model.spec).X[0]
    lam = float(fg_model.relapse.cumhaz_at(np.array([fg_model.horizon_days]))[0])
    eta = float(x @ fg_model.coef)
    pred = predict_risk(fg_model, cov, conf_level=0.9)
    assert pred.risk == pytest.approx(1 - math.exp(-lam * math.exp(eta)), rel=1e-12)
    fit = fg_model.relapse
    k = int(np.searchsorted(fit.baseline_time, fg_model.horizon_days, side="right")) - 1
    xc = x - fit.var_b[k] / lam
    se = math.sqrt(float(fit.var_a[k] / lam**2 + xc @ fit.covariance @ xc))
    g = math.log(lam) + eta
    assert pred.ci_upper == pytest.approx(1 - math.exp(-math.exp(g + 1.6448536269514722 * se)))
    assert pred.ci_lower == pytest.approx(1 - math.exp(-math.exp(g - 1.6448536269514722 * se)))


@pytest.mark.slow
def test_cause_specific_delta_ci_agrees_with_parametric_bootstrap(cs_model: RelapseModel) -> None:
    """The numerical-gradient delta CI matches a seeded parametric bootstrap of (β, log Λ₀)."""
    from mrdguide.risk.predict import _cs_cif, _joint_cov

    assert cs_model.competing is not None
    cov = _one("high", 1e-3)
    x = design_matrix(cov, cs_model.spec).X
    t = cs_model.horizon_days
    rng = np.random.default_rng(2024)
    m1 = np.append(cs_model.relapse.coef, 0.0)
    m2 = np.append(cs_model.competing.coef, 0.0)
    d1 = rng.multivariate_normal(m1, _joint_cov(cs_model.relapse, t), 400)
    d2 = rng.multivariate_normal(m2, _joint_cov(cs_model.competing, t), 400)
    sims = np.array(
        [
            _cs_cif(cs_model, x, t, a[:-1], b[:-1], (a[-1], b[-1]))[0]
            for a, b in zip(d1, d2, strict=True)
        ]
    )
    lo, hi = np.quantile(sims, [0.025, 0.975])
    pred = predict_risk(cs_model, cov)
    assert pred.ci_lower == pytest.approx(lo, rel=0.1)
    assert pred.ci_upper == pytest.approx(hi, rel=0.1)


@pytest.mark.slow
def test_risk_increases_with_mrd_and_genetic_risk(cs_model: RelapseModel) -> None:
    """Predicted risk rises with MRD within each group and with genetic risk at MRD 1e-3."""
    mrd = 10.0 ** np.linspace(-5, -1, 9)
    for g in ("good", "intermediate", "high"):
        cov = Covariates(group=(g,) * 9, mrd=mrd, sensitivity=np.full(9, 1e-5))
        assert np.all(np.diff(predict_cif(cs_model, cov)) > 0)
    cov = Covariates(
        group=("good", "intermediate", "high"), mrd=np.full(3, 1e-3), sensitivity=np.full(3, 1e-5)
    )
    assert np.all(np.diff(predict_cif(cs_model, cov)) > 0)


@pytest.mark.parametrize("method", ["fine_gray", "cause_specific"])
def test_ci_has_width_at_covariates_zero(small_cohort: RiskData, method: str) -> None:
    """Non-regression: at covariates 0 (good risk, MRD 1e-4) the CI is not degenerate."""
    model = fit_relapse_model(small_cohort, ModelSpec(), method=method)  # type: ignore[arg-type]
    pred = predict_risk(model, _one("good", 1e-4))
    assert pred.ci_lower < pred.risk * 0.9
    assert pred.ci_upper > pred.risk * 1.1


def test_predict_risk_scores_one_patient(small_cohort: RiskData) -> None:
    """predict_risk rejects several rows and invalid confidence levels."""
    model = fit_relapse_model(small_cohort, ModelSpec(interaction=False))
    with pytest.raises(InputError):
        predict_risk(model, small_cohort.covariates)
    with pytest.raises(InputError):
        predict_risk(model, _one("good", 1e-3), conf_level=95)


def test_missing_group_level_raises(small_cohort: RiskData) -> None:
    """A spec level without patients raises EstimationError rather than a singular fit."""
    spec = ModelSpec(group_levels=("good", "intermediate", "high", "T-ALL"))
    with pytest.raises(EstimationError, match="T-ALL"):
        fit_relapse_model(small_cohort, spec)


def test_no_relapses_raises(small_cohort: RiskData) -> None:
    """A cohort without relapses raises EstimationError."""
    data = RiskData(
        covariates=small_cohort.covariates,
        time=small_cohort.time,
        cause=np.where(small_cohort.cause == 1, 0, small_cohort.cause),
    )
    with pytest.raises(EstimationError, match="relapses"):
        fit_relapse_model(data, ModelSpec())


def test_invalid_method_rejected(small_cohort: RiskData) -> None:
    """An unknown method raises InputError."""
    with pytest.raises(InputError, match="method"):
        fit_relapse_model(small_cohort, ModelSpec(), method="kaplan")  # type: ignore[arg-type]


def test_provenance_is_passed_in(small_cohort: RiskData) -> None:
    """Version and fit date come from the caller; the cohort hash is filled in."""
    model = fit_relapse_model(
        small_cohort, ModelSpec(), mrdguide_version="9.9", fit_date="2026-01-02"
    )
    assert model.provenance.mrdguide_version == "9.9"
    assert model.provenance.fit_date == "2026-01-02"
    assert len(model.provenance.cohort_sha256) == 64
    assert model.n == len(small_cohort)
    assert model.n_relapse == int(np.sum(small_cohort.cause == 1))


@pytest.mark.slow
@pytest.mark.parametrize("method", ["cause_specific", "fine_gray"])
def test_wald_coverage_over_seeded_replicates(method: str) -> None:
    """Over 40 seeded cohorts of 1,500, each 95% Wald CI covers the truth >= 80% of the time."""
    from .conftest import simulate_cause_specific, simulate_fine_gray

    gen = simulate_cause_specific if method == "cause_specific" else simulate_fine_gray
    z = []
    for seed in range(40):
        model = fit_relapse_model(gen(1500, 1000 + seed), ModelSpec(), method=method)  # type: ignore[arg-type]
        truth = np.array([TRUE_BETA[n] for n in model.names])
        z.append((model.coef - truth) / model.std_err)
    zz = np.array(z)
    coverage = np.mean(np.abs(zz) < 1.96, axis=0)
    assert np.all(coverage >= 0.8), dict(zip(TRUE_BETA, coverage, strict=True))
    assert np.all(np.abs(zz.mean(axis=0)) < 0.5), zz.mean(axis=0)
