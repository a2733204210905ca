"""Unit tests for gray_test: invariances, strata, degenerate input and errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from mrdguide.errors import EstimationError, InputError
from mrdguide.survival import gray_test


def sample(seed: int, n: int = 200, k: int = 2) -> tuple[np.ndarray, ...]:
    """Tied times, causes 0..2, k groups, two strata."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 20, n).astype(float),
        rng.integers(0, 3, n),
        rng.integers(0, k, n),
        rng.integers(0, 2, n),
    )


def test_relabelling_groups_keeps_statistic() -> None:
    """Reordering group labels (which group is dropped from the scores) keeps the statistic."""
    t, c, g, _ = sample(1, k=3)
    a = gray_test(t, c, g)
    b = gray_test(t, c, 2 - g)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9)
    assert a.df == 2
    assert a.p_value == pytest.approx(chi2.sf(a.statistic, 2), rel=1e-12)


def test_row_order_free() -> None:
    """Permuting rows leaves the statistic unchanged."""
    t, c, g, s = sample(2)
    perm = np.random.default_rng(2).permutation(t.size)
    a = gray_test(t, c, g, strata=s)
    b = gray_test(t[perm], c[perm], g[perm], strata=s[perm])
    assert a.statistic == pytest.approx(b.statistic, rel=1e-10)


def test_single_stratum_equals_unstratified() -> None:
    """A constant stratum gives the unstratified test."""
    t, c, g, _ = sample(3)
    assert gray_test(t, c, g, strata=np.zeros(t.size)).statistic == pytest.approx(
        gray_test(t, c, g).statistic, rel=1e-12
    )


def test_cause_of_interest_changes_statistic() -> None:
    """Testing cause 2 differs from testing cause 1."""
    t, c, g, _ = sample(4)
    assert gray_test(t, c, g, cause_of_interest=2).statistic != pytest.approx(
        gray_test(t, c, g).statistic, rel=1e-6
    )


def test_separated_groups_give_large_statistic() -> None:
    """Groups with very different incidence give a small p-value."""
    rng = np.random.default_rng(5)
    g = np.repeat([0, 1], 150)
    c = np.where(
        g == 0, rng.choice([1, 2], 300, p=[0.9, 0.1]), rng.choice([1, 2], 300, p=[0.1, 0.9])
    )
    res = gray_test(rng.integers(1, 30, 300).astype(float), c, g)
    assert res.p_value < 1e-6


def test_no_events_of_cause_raises() -> None:
    """No events of the cause of interest gives a singular covariance: EstimationError."""
    with pytest.raises(EstimationError):
        gray_test([1.0, 2.0, 3.0, 4.0], [2, 2, 0, 2], [0, 1, 0, 1])


def test_one_group_raises() -> None:
    """A single group is rejected."""
    with pytest.raises(InputError, match="two groups"):
        gray_test([1.0, 2.0], [1, 2], [0, 0])


def test_invalid_times() -> None:
    """NaN times raise InputError."""
    with pytest.raises(InputError):
        gray_test([1.0, np.nan], [1, 2], [0, 1])


def test_group_with_single_subject() -> None:
    """A group with one subject still gives a finite statistic on k - 1 df."""
    t, c, g, _ = sample(6)
    g = g.copy()
    g[0] = 2
    res = gray_test(t, c, g)
    assert res.df == 2
    assert np.isfinite(res.statistic)
