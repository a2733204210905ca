"""Genotype-specific MRD thresholds: exact roots, statuses and the direction check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from mrdguide.domain.display import format_mrd
from mrdguide.errors import InputError
from mrdguide.risk import (
    Covariates,
    HazardFit,
    ModelSpec,
    Provenance,
    RelapseModel,
    RiskData,
    design_matrix,
    fit_relapse_model,
    mrd_thresholds,
    risk_curve,
)

from .conftest import TRUE_BETA, YEAR, fg_true_cif


def _fg_model(coef: list[float], lam: float, spec: ModelSpec | None = None) -> RelapseModel:
    """A hand-built Fine–Gray model with baseline Λ₀ = lam at every time >= 1 day."""
    spec = spec or ModelSpec(interaction=False)
    p = len(spec.term_names())
    z = np.zeros(1)
    return RelapseModel(
        spec=spec,
        method="fine_gray",
        horizon_days=5 * YEAR,
        names=spec.term_names(),
        relapse=HazardFit(
            coef=np.array(coef, dtype=float),
            covariance=np.eye(p) * 0.01,
            baseline_time=np.array([1.0]),
            baseline_cumhaz=np.array([lam]),
            var_a=z,
            var_b=np.zeros((1, p)),
        ),
        competing=None,
        n=100,
        n_relapse=10,
        n_competing=1,
        provenance=Provenance(cohort_sha256="0" * 64),
    )


def test_threshold_is_the_exact_root() -> None:
    """With F = 1 - exp(-Λ exp(β_g + β_m (m + 4))) the threshold solves F = band exactly."""
    model = _fg_model([1.0, 2.0, 0.5, 0.0], lam=0.05)
    table = mrd_thresholds(model, (0.20,))
    for g, bg in (("good", 0.0), ("intermediate", 1.0), ("high", 2.0)):
        m = (math.log(-math.log(0.8) / 0.05) - bg) / 0.5 - 4
        t = table.get(g, 0.20)
        assert t.status == "crossed"
        assert t.log10_mrd == pytest.approx(m, abs=1e-8)
    assert table.ordered
    assert table.group_order == ("good", "intermediate", "high")


def test_statuses_outside_the_mrd_range() -> None:
    """Risk above the band at 1e-6 is 'always_above'; below it at MRD 1 is 'never_reached'."""
    model = _fg_model([0.0, 6.0, 0.1, 0.0], lam=0.01)
    table = mrd_thresholds(model, (0.2,))
    assert table.get("high", 0.2).status == "always_above"
    assert table.get("high", 0.2).mrd is None
    assert table.get("good", 0.2).status == "never_reached"
    assert table.get("good", 0.2).mrd is None


def test_direction_violation_is_reported() -> None:
    """If the declared higher-risk group has a higher threshold, a caveat says so."""
    model = _fg_model([1.0, 2.0, 0.5, 0.0], lam=0.05)
    table = mrd_thresholds(model, (0.10,), group_order=("high", "intermediate", "good"))
    assert not table.ordered
    assert len(table.caveats) == 2
    assert "not lower" in table.caveats[0]


@pytest.mark.parametrize("bands", [(), (0.0,), (1.5,)])
def test_invalid_bands_rejected(bands: tuple[float, ...]) -> None:
    """Bands must be risks in (0, 1)."""
    with pytest.raises(InputError):
        mrd_thresholds(_fg_model([0, 0, 0.5, 0], lam=0.05), bands)


def test_group_order_must_be_complete() -> None:
    """A group_order that misses a group is rejected."""
    with pytest.raises(InputError):
        mrd_thresholds(_fg_model([0, 0, 0.5, 0], lam=0.05), group_order=("good", "high"))


@pytest.mark.slow
def test_fitted_thresholds_fall_with_genetic_risk(fg_cohort: RiskData) -> None:
    """On simulated data, the 15% threshold is lower for intermediate and lower still for high."""
    model = fit_relapse_model(fg_cohort, ModelSpec(), method="fine_gray")
    table = mrd_thresholds(model, (0.05, 0.15))
    assert table.group_order == ("good", "intermediate", "high")
    assert table.ordered, table.caveats
    lo = {g: table.get(g, 0.15).log10_mrd for g in ("intermediate", "high")}
    assert lo["intermediate"] is not None
    assert lo["high"] is not None
    assert lo["high"] < lo["intermediate"]


@pytest.mark.slow
def test_fitted_thresholds_near_true_thresholds(fg_cohort: RiskData) -> None:
    """Estimated 15% thresholds lie within 0.6 log10 of those of the generating model."""
    model = fit_relapse_model(fg_cohort, ModelSpec(), method="fine_gray")
    beta = np.array([TRUE_BETA[n] for n in model.names])

    def true_risk(group: str, log10_mrd: float) -> float:
        cov = Covariates(
            group=(group,), mrd=np.array([10**log10_mrd]), sensitivity=np.array([1e-5])
        )
        eta = design_matrix(cov, model.spec).X @ beta
        return float(fg_true_cif(eta, model.horizon_days / YEAR)[0])

    for g in ("intermediate", "high"):
        truth = optimize.brentq(lambda m, g=g: true_risk(g, m) - 0.15, -6, 0)
        est = mrd_thresholds(model, (0.15,)).get(g, 0.15).log10_mrd
        assert est is not None
        assert abs(est - truth) < 0.6, (g, est, truth)


def test_risk_curve_monotone_for_positive_slope() -> None:
    """risk_curve increases with MRD when the MRD coefficient is positive."""
    r = risk_curve(_fg_model([0.0, 0.0, 0.4, 0.0], lam=0.05), "good", np.linspace(-6, 0, 13))
    assert np.all(np.diff(r) > 0)


def test_threshold_below_every_assay_is_stated_in_words() -> None:
    """A threshold below the 1e-5 floor reads 'risk >= 20% even when MRD-negative', not 9.8e-6.

    With F = 1 - exp(-0.05 exp(eta)) the 20% threshold of 'high' (beta 2) is 10**-5.008; an
    MRD-negative patient (negative at 1e-4, coded at 5e-5) has eta = 2 - 0.15 = 1.85 and risk
    1 - exp(-0.05 e^1.85) = 0.27 >= 0.20.
    """
    model = _fg_model([1.0, 2.0, 0.5, 0.0], lam=0.05)
    table = mrd_thresholds(model, (0.20,))
    high = table.get("high", 0.20)
    assert high.mrd is not None and high.mrd < 1e-5
    assert high.below_detection
    assert high.risk_when_negative == pytest.approx(1 - math.exp(-0.05 * math.exp(1.849485)), 1e-6)
    assert high.statement == "risk ≥ 20% even when MRD-negative"
    inter = table.get("intermediate", 0.20)
    assert not inter.below_detection
    assert inter.statement == f"MRD ≥ {format_mrd(inter.mrd)}"
    d = high.to_dict()
    assert d["statement"] == high.statement and d["below_detection"] is True
    ngs = mrd_thresholds(model, (0.20,), detection_floor=1e-6).get("high", 0.20)
    assert not ngs.below_detection and ngs.statement.startswith("MRD ≥ 0.00098% (9.8 × 10⁻⁶)")


def test_below_floor_without_negative_risk_says_any_detectable_mrd() -> None:
    """A strongly protective negative indicator: risk reaches the band only for detected MRD."""
    model = _fg_model([1.0, 2.0, 0.5, -3.0], lam=0.05)
    high = mrd_thresholds(model, (0.20,)).get("high", 0.20)
    assert high.below_detection and high.risk_when_negative is not None
    assert high.risk_when_negative < 0.20
    assert high.statement == "risk ≥ 20% at any detectable MRD"


def test_out_of_range_statements() -> None:
    """'always_above' is below detection; 'never_reached' says so in words."""
    model = _fg_model([0.0, 6.0, 0.1, 0.0], lam=0.01)
    table = mrd_thresholds(model, (0.2,))
    assert table.get("high", 0.2).statement == "risk ≥ 20% even when MRD-negative"
    assert table.get("good", 0.2).statement == "risk < 20% even at MRD 100%"
    with pytest.raises(InputError):
        mrd_thresholds(model, (0.2,), detection_floor=0.0)
