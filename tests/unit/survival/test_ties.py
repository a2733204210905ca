"""timefix inside the estimators: the sorted fast path equals R's rule (merge_near_ties)."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import cumulative_incidence, gray_test, kaplan_meier, logrank_test
from mrdguide.survival._ties import check_timefix, merge_sorted, timefixed_interval
from mrdguide.survival._timefix import merge_near_ties


def near_tied(seed: int, n: int = 300) -> np.ndarray:
    """Day counts converted to years two ways, so equal days differ in their last bits."""
    rng = np.random.default_rng(seed)
    days = rng.integers(1, 2000, n).astype(float)
    two_way = rng.integers(0, 2, n).astype(bool)
    return np.where(two_way, days / 365.25, (days / (365.25 / 52)) / 52)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_merge_sorted_equals_reference_rule(seed: int) -> None:
    """On sorted input the one-pass merge gives exactly merge_near_ties' result."""
    ts = np.sort(near_tied(seed))
    assert np.unique(ts).size > np.unique(np.round(ts * 365.25)).size  # near ties present
    np.testing.assert_array_equal(merge_sorted(ts), merge_near_ties(ts)[0])


def test_merge_sorted_chains_and_relative_scale() -> None:
    """A chain of tiny steps is one group; large times use the relative tolerance."""
    base = 1e6
    ts = np.array([1.0, 1.0 + 1e-9, 1.0 + 2e-9, 2.0, base, base * (1 + 1e-10), base + 5.0])
    np.testing.assert_array_equal(merge_sorted(ts), merge_near_ties(ts)[0])
    assert merge_sorted(ts)[2] == 1.0
    assert merge_sorted(ts)[5] == base


def test_merge_sorted_returns_input_when_nothing_merges() -> None:
    """Clean data is returned as the same object (no copy)."""
    ts = np.array([0.0, 1.0, 1.0, 2.5, 7.0])
    assert merge_sorted(ts) is ts


def test_estimators_merge_near_ties_by_default() -> None:
    """KM, log-rank, CIF and Gray on near-tied times equal their results on merged times."""
    t = near_tied(5)
    rng = np.random.default_rng(5)
    e = rng.integers(0, 2, t.size)
    c = e * rng.integers(1, 3, t.size)
    g = rng.integers(0, 2, t.size)
    (m,) = merge_near_ties(t)
    a, b = kaplan_meier(t, e), kaplan_meier(m, e, timefix=False)
    np.testing.assert_array_equal(a.time, b.time)
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-14)
    assert kaplan_meier(t, e, timefix=False).time.size > a.time.size
    assert logrank_test(t, e, g).statistic == logrank_test(m, e, g, timefix=False).statistic
    s = rng.integers(0, 2, t.size)
    assert (
        logrank_test(t, e, g, strata=s).statistic
        == logrank_test(m, e, g, strata=s, timefix=False).statistic
    )
    ca, cb = cumulative_incidence(t, c, group=g), cumulative_incidence(m, c, group=g, timefix=False)
    np.testing.assert_array_equal(ca.variance, cb.variance)
    assert gray_test(t, c, g, strata=s).statistic == pytest.approx(
        gray_test(m, c, g, strata=s, timefix=False).statistic, rel=1e-14
    )


def test_entry_time_merged_into_its_exit_is_an_error() -> None:
    """As R's aeqSurv: an interval collapsed to length 0 by the merge is refused."""
    t = np.array([1.0, 2.0, 3.0])
    en = np.array([0.0, 2.0 - 1e-12, 1.0])
    with pytest.raises(InputError, match="near-tied"):
        timefixed_interval(en, t)
    with pytest.raises(InputError, match="near-tied"):
        kaplan_meier(t, [1, 1, 0], entry=en)
    fit = kaplan_meier(t, [1, 1, 0], entry=en, timefix=False)
    assert fit.n_at_risk[1] == 2.0  # (2 - 1e-12, 2] and (1, 3] are at risk at 2


def test_timefix_flag_is_validated() -> None:
    """Only booleans are accepted."""
    assert check_timefix(np.bool_(True)) is True
    with pytest.raises(InputError, match="timefix"):
        check_timefix("yes")
    with pytest.raises(InputError, match="timefix"):
        kaplan_meier([1.0, 2.0], [1, 0], timefix=1)  # type: ignore[arg-type]


def test_merge_sorted_many_merges_with_duplicates() -> None:
    """Half the values nudged by one part in 1e12, with exact duplicates: same as R's rule."""
    rng = np.random.default_rng(8)
    base = np.round(rng.exponential(100.0, 5000) * 4) / 4
    ts = np.sort(base * (1 + rng.integers(0, 2, base.size) * 1e-12))
    merged = merge_sorted(ts)
    np.testing.assert_array_equal(merged, merge_near_ties(ts)[0])
    assert np.unique(merged).size == np.unique(base).size
