"""Unit tests for cox_ph's cluster=, robust=None, offset= and timefix= options."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mrdguide.errors import InputError, StatisticalWarning
from mrdguide.survival import cox_ph, fine_gray


def cohort(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded cohort with two covariates and integer (tied) times."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = rng.exponential(1.0 / np.exp(x @ [0.5, -0.4])) * 20
    c = rng.uniform(0, 40, n)
    return x, np.ceil(np.minimum(t, c)), (t <= c).astype(int)


def test_singleton_clusters_equal_per_row_robust() -> None:
    """cluster = row id is the per-row sandwich; labels are arbitrary and order-free."""
    x, t, e = cohort(1)
    per_row = cox_ph(x, t, e, robust=True)
    ids = cox_ph(x, t, e, cluster=np.arange(t.size)[::-1] * 7 + 3)
    np.testing.assert_allclose(ids.covariance, per_row.covariance, rtol=1e-12)
    np.testing.assert_allclose(ids.concordance_std_err, per_row.concordance_std_err, rtol=1e-12)
    assert (per_row.variance, ids.variance) == ("robust", "cluster")


def test_one_cluster_per_duplicate_pair() -> None:
    """Doubling every row and clustering the copies equals the per-row sandwich of weight 2.

    (Breslow: with Efron, duplicated rows and a weight of 2 are different tie patterns.)
    """
    x, t, e = cohort(2)
    idx = np.r_[np.arange(t.size), np.arange(t.size)]
    doubled = cox_ph(x[idx], t[idx], e[idx], cluster=idx, ties="breslow")
    weighted = cox_ph(x, t, e, weights=np.full(t.size, 2.0), robust=True, ties="breslow")
    np.testing.assert_allclose(doubled.coef, weighted.coef, rtol=1e-10)
    np.testing.assert_allclose(doubled.covariance, weighted.covariance, rtol=1e-8)


def test_robust_default_follows_r() -> None:
    """robust=None: model variance for integer weights, robust for fractional ones."""
    x, t, e = cohort(3)
    assert cox_ph(x, t, e, weights=np.full(t.size, 2.0)).variance == "model"
    frac = cox_ph(x, t, e, weights=np.full(t.size, 0.5))
    assert frac.variance == "robust"
    assert frac.robust
    with pytest.raises(InputError, match="robust"):
        cox_ph(x, t, e, cluster=np.arange(t.size), robust=False)
    with pytest.raises(InputError):
        cox_ph(x, t, e, robust="yes")  # type: ignore[arg-type]


def test_offset_fixes_a_coefficient_at_its_estimate() -> None:
    """An offset b1 * x1 with b1 the joint MLE leaves the other coefficient at its MLE."""
    x, t, e = cohort(4)
    full = cox_ph(x, t, e)
    part = cox_ph(x[:, 1], t, e, offset=full.coef[0] * x[:, 0])
    np.testing.assert_allclose(part.coef, full.coef[1:], rtol=1e-7)
    np.testing.assert_allclose(part.loglik, full.loglik, rtol=1e-12)
    np.testing.assert_allclose(part.baseline_cumhaz, full.baseline_cumhaz, rtol=1e-6)
    with pytest.raises(InputError, match="offset"):
        cox_ph(x, t, e, offset=np.full(t.size, np.nan))


def test_timefix_merges_rounding_noise() -> None:
    """Times that differ by one ulp give the same fit as the exact ties with timefix."""
    x, t, e = cohort(5)
    noisy = t * (1 + np.where(np.arange(t.size) % 2 == 0, 0.0, 2e-16))
    a, b = cox_ph(x, t, e), cox_ph(x, noisy, e)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-12)
    c = cox_ph(x, noisy, e, timefix=False)
    assert not np.allclose(c.coef, a.coef, rtol=1e-8)
    with pytest.raises(InputError, match="length 0"):
        cox_ph(x[:2], np.array([1.0, 2.0]), [1, 1], entry=np.array([1.0 - 2e-16, 0.5]))


def test_concordance_can_be_skipped() -> None:
    """concordance=False leaves NaN and changes nothing else."""
    x, t, e = cohort(6)
    a, b = cox_ph(x, t, e), cox_ph(x, t, e, concordance=False)
    assert np.isnan(b.concordance) and np.isnan(b.concordance_std_err)
    np.testing.assert_array_equal(a.coef, b.coef)


def test_fine_gray_aliased_and_separated() -> None:
    """Fine–Gray: an aliased column gets NaN and a warning; separation warns, no crash."""
    rng = np.random.default_rng(7)
    n = 200
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t1 = rng.exponential(30 / np.exp(x @ [0.6, -0.5]))
    t2, c = rng.exponential(40, n), rng.uniform(5, 60, n)
    time = np.ceil(np.minimum.reduce([t1, t2, c]))
    cause = np.where(c < np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    with pytest.warns(StatisticalWarning, match="aliased"):
        res = fine_gray(np.column_stack([x, 2 * x[:, 1]]), time, cause)
    assert np.isnan(res.coef[2]) and np.all(np.isfinite(res.coef[:2]))
    np.testing.assert_allclose(res.coef[:2], fine_gray(x, time, cause).coef, rtol=1e-12)
    with pytest.warns(StatisticalWarning, match="infinite"):
        fine_gray(np.column_stack([x[:, 0], cause == 1]), time, cause)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fine_gray(x, time, cause)
