"""Unit tests for logrank_test: naive oracle, invariances, edge cases and errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from mrdguide.errors import EstimationError, InputError
from mrdguide.survival import logrank_test


def naive_logrank(time: np.ndarray, event: np.ndarray, group: np.ndarray) -> float:
    """Two-group log-rank by the textbook hypergeometric loop."""
    o_e, var = 0.0, 0.0
    for t in np.unique(time[event == 1]):
        at = time >= t
        n, n1 = at.sum(), (at & (group == 1)).sum()
        d = ((time == t) & (event == 1)).sum()
        d1 = ((time == t) & (event == 1) & (group == 1)).sum()
        o_e += d1 - d * n1 / n
        if n > 1:
            var += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return o_e**2 / var


def sample(seed: int, n: int = 150, k: int = 2) -> tuple[np.ndarray, ...]:
    """Tied times, events, k groups and two strata."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 20, n).astype(float),
        rng.integers(0, 2, n),
        rng.integers(0, k, n),
        rng.integers(0, 2, n),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_naive_two_group(seed: int) -> None:
    """Two-group statistic equals the textbook loop; p from chi-square(1)."""
    t, e, g, _ = sample(seed)
    res = logrank_test(t, e, g)
    assert res.statistic == pytest.approx(naive_logrank(t, e, g), rel=1e-10)
    assert res.df == 1
    assert res.p_value == pytest.approx(chi2.sf(res.statistic, 1), rel=1e-12)


def test_observed_sums_to_events() -> None:
    """With rho=0, observed and expected both sum to the number of events."""
    t, e, g, s = sample(4, k=3)
    res = logrank_test(t, e, g, strata=s)
    assert res.observed is not None
    assert res.expected is not None
    assert res.observed.sum() == pytest.approx(e.sum())
    assert res.expected.sum() == pytest.approx(e.sum())


def test_single_stratum_equals_unstratified() -> None:
    """A constant stratum gives the unstratified test."""
    t, e, g, _ = sample(5, k=3)
    a = logrank_test(t, e, g)
    b = logrank_test(t, e, g, strata=np.full(t.size, "s"))
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)


def test_strata_change_result() -> None:
    """Stratifying by a variable related to time changes the statistic."""
    t, e, g, _ = sample(6)
    s = (t > 10).astype(int)
    assert logrank_test(t, e, g, strata=s).statistic != pytest.approx(
        logrank_test(t, e, g).statistic, rel=1e-6
    )


def test_rho_one_weights_down_late_events() -> None:
    """rho=1 weights each event by S(t-) <= 1, so weighted observed counts are smaller."""
    t, e, g, _ = sample(7)
    r0, r1 = logrank_test(t, e, g), logrank_test(t, e, g, rho=1)
    assert r0.observed is not None
    assert r1.observed is not None
    assert np.all(r1.observed < r0.observed)


def test_group_with_single_subject() -> None:
    """A group with one subject gives a finite statistic on k-1 df."""
    t, e, g, _ = sample(8)
    g = g.copy()
    g[0] = 2
    res = logrank_test(t, e, g)
    assert res.df == 2
    assert np.isfinite(res.statistic)


def test_no_events_gives_zero() -> None:
    """All censored: statistic 0 on 0 df, p = 1 (R's result)."""
    res = logrank_test([1.0, 2.0, 3.0], [0, 0, 0], [0, 1, 1])
    assert (res.statistic, res.df, res.p_value) == (0.0, 0, 1.0)


def test_all_events_at_one_time() -> None:
    """All events at one time with later censorings: statistic is defined and finite."""
    res = logrank_test([3.0] * 4 + [5.0] * 4, [1] * 4 + [0] * 4, [0, 0, 0, 1, 1, 1, 1, 0])
    assert res.statistic == pytest.approx(
        logrank_test([3.0] * 4 + [5.0] * 4, [1] * 4 + [0] * 4, [1, 1, 1, 0, 0, 0, 0, 1]).statistic
    )
    assert np.isfinite(res.statistic)


def test_everyone_fails_at_once_raises() -> None:
    """Every subject failing at one time leaves a zero variance: EstimationError, as R fails."""
    with pytest.raises(EstimationError, match="singular"):
        logrank_test([3.0] * 6, [1] * 6, [0, 0, 0, 1, 1, 1])


def test_one_group_raises() -> None:
    """A single group is rejected."""
    with pytest.raises(InputError, match="two groups"):
        logrank_test([1.0, 2.0], [1, 1], [0, 0])


@pytest.mark.parametrize("bad", [[1.0, np.nan, 2.0], [1.0, -1.0, 2.0]])
def test_invalid_times(bad: list[float]) -> None:
    """NaN or negative times raise InputError."""
    with pytest.raises(InputError):
        logrank_test(bad, [1, 0, 1], [0, 1, 1])


def test_nan_group_raises() -> None:
    """A NaN group label raises InputError."""
    with pytest.raises(InputError):
        logrank_test([1.0, 2.0, 3.0], [1, 0, 1], [0.0, np.nan, 1.0])
