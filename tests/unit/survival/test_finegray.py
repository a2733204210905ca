"""Unit tests for fine_gray: a direct O(n^2) oracle, reductions to Cox, invariances, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mrdguide.errors import EstimationError, InputError
from mrdguide.survival import cox_ph, fine_gray


def cohort(seed: int, n: int = 250) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded competing-risks cohort with integer (tied) times; causes 0, 1, 2."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t1 = rng.exponential(30 / np.exp(x @ [0.6, -0.5]))
    t2 = rng.exponential(40, n)
    c = rng.uniform(5, 60, n)
    time = np.ceil(np.minimum.reduce([t1, t2, c]))
    cause = np.where(c < np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    return x, time, cause


def direct_loglik(x: np.ndarray, t: np.ndarray, cause: np.ndarray, beta: np.ndarray) -> float:
    """Fine–Gray log pseudo-likelihood from its definition (explicit weights, O(n^2))."""

    def g_minus(s: float) -> float:
        surv = 1.0
        for u in np.unique(t[t < s]):
            surv *= 1 - np.sum((t == u) & (cause == 0)) / np.sum(t >= u)
        return surv

    eta = x @ beta
    ll = 0.0
    for i in np.flatnonzero(cause == 1):
        ti = t[i]
        w = np.where(t >= ti, 1.0, 0.0)
        comp = (cause == 2) & (t < ti)
        w[comp] = g_minus(ti) / np.array([g_minus(s) for s in t[comp]])
        ll += eta[i] - np.log(np.sum(w * np.exp(eta)))
    return ll


def test_loglik_matches_direct_definition() -> None:
    """The linear-time pseudo-likelihood equals the explicitly weighted O(n^2) one."""
    x, t, c = cohort(1, n=120)
    res = fine_gray(x, t, c)
    assert res.loglik == pytest.approx(direct_loglik(x, t, c, res.coef), rel=1e-12)
    assert res.loglik_null == pytest.approx(direct_loglik(x, t, c, np.zeros(2)), rel=1e-12)


def test_without_competing_events_equals_breslow_cox() -> None:
    """No competing events: the coefficients and the sandwich variance are Cox (Breslow) ones."""
    x, t, c = cohort(2)
    c = np.where(c == 2, 0, c)
    fg = fine_gray(x, t, c)
    cx = cox_ph(x, t, c, ties="breslow", robust=True)
    np.testing.assert_allclose(fg.coef, cx.coef, rtol=1e-5)
    np.testing.assert_allclose(fg.covariance, cx.covariance, rtol=1e-4)


def test_cause_labels_are_symmetric() -> None:
    """Swapping the codes of causes 1 and 2 and the cause of interest gives the same fit."""
    x, t, c = cohort(3)
    swapped = np.where(c == 0, 0, 3 - c)
    a, b = fine_gray(x, t, c), fine_gray(x, t, swapped, cause_of_interest=2)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.covariance, b.covariance, rtol=1e-10)


def test_row_order_does_not_matter() -> None:
    """Permuting rows leaves estimates, variance and baseline unchanged."""
    x, t, c = cohort(4)
    p = np.random.default_rng(5).permutation(t.size)
    a, b = fine_gray(x, t, c), fine_gray(x[p], t[p], c[p])
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    np.testing.assert_allclose(a.covariance, b.covariance, rtol=1e-9)
    np.testing.assert_allclose(a.baseline_cumhaz, b.baseline_cumhaz, rtol=1e-10)


def test_predicted_cif_is_a_distribution_function() -> None:
    """1 - exp(-H0 exp(x b)) from the baseline is non-decreasing and within [0, 1)."""
    x, t, c = cohort(6)
    res = fine_gray(pd.DataFrame(x, columns=["mrd", "sex"]), t, c)
    assert res.names == ("mrd", "sex")
    cif = 1 - np.exp(-res.baseline_cumhaz * np.exp(np.array([1.0, 0.0]) @ res.coef))
    assert np.all(np.diff(cif) >= 0)
    assert cif[0] >= 0
    assert cif[-1] < 1
    json.dumps(res.to_dict())


def test_errors() -> None:
    """No events of the cause of interest, a bad cause code and NaN covariates are rejected."""
    x, t, c = cohort(7, n=60)
    with pytest.raises(EstimationError):
        fine_gray(x, t, c, cause_of_interest=3)
    with pytest.raises(InputError):
        fine_gray(x, t, c, cause_of_interest=0)
    with pytest.raises(InputError):
        fine_gray(x, t, -c)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError):
        fine_gray(bad, t, c)
