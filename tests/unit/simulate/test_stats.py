"""The replicate kernel's fast estimators agree with the validated public ones."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.simulate._stats import cox_fit, km_at, logrank2
from mrdguide.survival import kaplan_meier, logrank_test


def _data(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.random(n) < 0.5, rng.normal(size=n)]).astype(float)
    t = rng.exponential(1 / np.exp(0.5 * x[:, 0] - 0.3 * x[:, 1]))
    c = rng.exponential(2.0, n)
    return x, np.minimum(t, c), t < c


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_logrank_matches_public_logrank(seed: int) -> None:
    """Two-group log-rank statistic equals mrdguide.survival.logrank_test."""
    x, t, e = _data(seed)
    chi2, p = logrank2(t, e, x[:, 0].astype(bool))
    ref = logrank_test(t, e, x[:, 0])
    assert chi2 == pytest.approx(ref.statistic, rel=1e-9)
    assert p == pytest.approx(ref.p_value, rel=1e-7)


def test_km_at_matches_public_kaplan_meier() -> None:
    """Kaplan-Meier point estimate equals mrdguide.survival.kaplan_meier."""
    _, t, e = _data(4)
    assert km_at(t, e, 1.0) == pytest.approx(kaplan_meier(t, e).at(1.0), rel=1e-12)


def test_cox_matches_public_cox_ph() -> None:
    """Breslow Cox coefficients and SEs equal mrdguide.survival.cox_ph (validated against R)."""
    from mrdguide.survival import cox_ph

    x, t, e = _data(5)
    fit = cox_fit(x, t, e)
    ref = cox_ph(x, t, e, ties="breslow")
    np.testing.assert_allclose(fit.beta, ref.coef, rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.std_err, rtol=1e-6)


def test_cox_with_entry_matches_public_cox_ph() -> None:
    """Breslow fit with delayed entry equals mrdguide.survival.cox_ph(ties="breslow")."""
    from mrdguide.survival import cox_ph

    x, t, e = _data(8, 300)
    start = np.where(np.arange(t.size) % 3 == 0, 0.5 * t, 0.0)
    fit = cox_fit(x, t, e, start)
    ref = cox_ph(x, t, e.astype(int), ties="breslow", entry=start)
    np.testing.assert_allclose(fit.beta, ref.coef, atol=1e-6)
    np.testing.assert_allclose(fit.se, ref.std_err, rtol=1e-5)


def test_cox_without_events_is_not_estimable() -> None:
    """No events gives NaN and converged=False instead of an exception."""
    x, t, _ = _data(7, 50)
    fit = cox_fit(x, t, np.zeros(t.size, dtype=bool))
    assert not fit.converged
    assert np.isnan(fit.beta).all()
