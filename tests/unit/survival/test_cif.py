"""Unit tests for cumulative_incidence: identities with KM, determinism, lookups and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import cumulative_incidence, gray_test, kaplan_meier


def cohort(seed: int, n: int = 300, k: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tied integer times, causes 0..k and three groups."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 25, n).astype(float),
        rng.integers(0, k + 1, n),
        rng.choice(np.array(["x", "y", "z"]), n),
    )


def naive_aj(time: np.ndarray, cause: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Aalen–Johansen by an explicit loop over distinct times."""
    times = np.unique(time[cause > 0])
    surv, cif, out = 1.0, 0.0, []
    for t in np.unique(time):
        n = np.sum(time >= t)
        d_all = np.sum((time == t) & (cause > 0))
        cif += surv * np.sum((time == t) & (cause == k)) / n
        surv *= (n - d_all) / n
        if t in times:
            out.append(cif)
    return times, np.array(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_matches_naive_loop(seed: int) -> None:
    """The CIF of each cause equals an explicit Aalen–Johansen loop."""
    t, c, _ = cohort(seed)
    ci = cumulative_incidence(t, c)
    for k in (1, 2):
        times, ref = naive_aj(t, c, k)
        np.testing.assert_array_equal(ci.time, times)
        np.testing.assert_allclose(ci.at(times, cause=k), ref, rtol=1e-12)


def test_sum_with_km_is_one() -> None:
    """Per group, the CIFs of all causes plus all-cause KM sum to one."""
    t, c, g = cohort(3, k=3)
    ci = cumulative_incidence(t, c, group=g)
    for label in ("x", "y", "z"):
        sel = g == label
        km = kaplan_meier(t[sel], c[sel] > 0).at(ci.time)
        total = sum(ci.at(ci.time, cause=k, group=label) for k in (1, 2, 3))
        np.testing.assert_allclose(total + km, 1.0, rtol=0, atol=1e-12)


def test_single_cause_is_one_minus_km() -> None:
    """With one cause the CIF equals 1 - KM."""
    t, c, _ = cohort(4, k=1)
    ci = cumulative_incidence(t, c)
    np.testing.assert_allclose(ci.at(ci.time), 1 - kaplan_meier(t, c).at(ci.time), atol=1e-12)


def test_deterministic_and_order_free() -> None:
    """No jitter: repeated calls and permuted rows give identical results."""
    t, c, g = cohort(5)
    a = cumulative_incidence(t, c, group=g)
    perm = np.random.default_rng(5).permutation(t.size)
    b = cumulative_incidence(t[perm], c[perm], group=g[perm])
    np.testing.assert_array_equal(a.estimate, cumulative_incidence(t, c, group=g).estimate)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
    np.testing.assert_allclose(a.variance, b.variance, rtol=1e-10)


def test_shapes_limits_and_variance() -> None:
    """Arrays are (groups, causes, times); limits bracket the CIF; variance is non-negative."""
    t, c, g = cohort(6)
    ci = cumulative_incidence(t, c, group=g, conf_level=0.9)
    assert ci.estimate.shape == (3, 2, ci.time.size)
    assert ci.groups is not None
    assert list(ci.groups) == ["x", "y", "z"]
    ok = (ci.estimate > 0) & (ci.estimate < 1) & (ci.variance > 0)
    assert np.all(ci.ci_lower[ok] <= ci.estimate[ok])
    assert np.all(ci.estimate[ok] <= ci.ci_upper[ok])
    assert np.all(ci.variance >= 0)
    assert np.all(np.diff(ci.estimate, axis=2) >= 0)


def test_before_first_event_is_zero() -> None:
    """The CIF and its variance are 0 before the first event."""
    ci = cumulative_incidence([2.0, 3.0, 4.0], [1, 2, 0])
    assert ci.at(1.0) == 0.0
    assert ci.variance_at(1.0) == 0.0
    assert ci.at(2.0) == pytest.approx(1 / 3, rel=1e-15)


def test_all_censored() -> None:
    """All censored: no causes, empty grid (documented result); asking for a cause errors."""
    ci = cumulative_incidence([1.0, 2.0], [0, 0])
    assert ci.causes.size == 0
    assert ci.time.size == 0
    with pytest.raises(InputError):
        ci.at(1.0, cause=1)


def test_group_lookup_errors() -> None:
    """With several groups, group must be given and must exist; unknown causes error."""
    t, c, g = cohort(7)
    ci = cumulative_incidence(t, c, group=g)
    with pytest.raises(InputError):
        ci.at(3.0)
    with pytest.raises(InputError):
        ci.at(3.0, group="nope")
    with pytest.raises(InputError):
        ci.at(3.0, cause=9, group="x")


def test_to_dict_json() -> None:
    """to_dict output is JSON-serialisable."""
    t, c, g = cohort(8, n=40)
    json.dumps(cumulative_incidence(t, c, group=g).to_dict(), allow_nan=True)


@pytest.mark.parametrize(
    ("time", "cause"),
    [([1.0, np.nan], [1, 0]), ([1.0, -2.0], [1, 0]), ([1.0, 2.0], [1, -1]), ([1.0], [1, 0])],
)
def test_invalid_inputs(time: list[float], cause: list[int]) -> None:
    """NaN or negative times, negative causes and length mismatch raise InputError."""
    with pytest.raises(InputError):
        cumulative_incidence(time, cause)


def test_group_with_single_subject() -> None:
    """A group of one subject gets a valid step CIF (0 then 1 at its event)."""
    t, c, g = cohort(9)
    g = g.copy()
    g[0], c[0], t[0] = "w", 1, 5.0
    ci = cumulative_incidence(t, c, group=g)
    assert ci.at(4.0, cause=1, group="w") == 0.0
    assert ci.at(5.0, cause=1, group="w") == 1.0


def test_nan_after_the_group_follow_up_unless_extend() -> None:
    """Past a group's last time (here a censoring) the CIF, variance and limits are NaN."""
    ci = cumulative_incidence(
        [1.0, 2.0, 3.0, 1.5, 8.0, 9.0], [1, 2, 0, 1, 1, 0], group=["a", "a", "a", "b", "b", "b"]
    )
    np.testing.assert_array_equal(ci.end_time, [3.0, 9.0])
    assert ci.at(3.0, group="a") == pytest.approx(1 / 3, rel=1e-15)  # at the last time itself
    assert np.isnan(ci.at(3.5, group="a"))
    assert np.isnan(ci.variance_at(3.5, group="a"))
    assert all(np.isnan(ci.ci_at(3.5, group="a")))
    assert ci.at(3.5, group="a", extend=True) == ci.at(3.0, group="a")
    assert ci.variance_at(9.5, group="a", extend=True) == ci.variance_at(3.0, group="a")
    got = ci.at([0.5, 3.0, 8.5, 9.0, 10.0], group="b")
    np.testing.assert_array_equal(np.isnan(got), [False, False, False, False, True])
    with pytest.raises(InputError, match="NaN"):
        ci.at(np.nan, group="b")


def test_gray_tests_inside_cumulative_incidence() -> None:
    """test=True: one TestResult per cause equal to gray_test; one group is refused."""
    t, c, g = cohort(11)
    ci = cumulative_incidence(t, c, group=g, test=True)
    assert ci.tests is not None and len(ci.tests) == ci.causes.size
    for k, res in zip(ci.causes, ci.tests, strict=True):
        ref = gray_test(t, c, g, cause_of_interest=int(k))
        assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
        assert res.df == ref.df
    assert cumulative_incidence(t, c, group=g).tests is None
    with pytest.raises(InputError, match="two groups"):
        cumulative_incidence(t, c, test=True)
    d = cumulative_incidence(t, c, group=g).to_dict()
    assert len(d["ci_lower"]) == len(d["estimate"])
