"""Property tests (Hypothesis) for the nonparametric survival estimators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mrdguide.errors import EstimationError, InputError
from mrdguide.survival import (
    aalen_johansen,
    compare_rmst,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank_test,
    survsplit,
)
from mrdguide.survival._ties import merge_sorted
from mrdguide.survival._timefix import merge_near_ties

from ..strategies import cohorts, near_tied_times


def _perm(c: dict[str, np.ndarray]) -> np.ndarray:
    return np.random.default_rng(int(c["seed"])).permutation(c["time"].size)


@given(cohorts())
def test_km_in_unit_interval_and_non_increasing(c: dict[str, np.ndarray]) -> None:
    """S(t) stays in [0, 1] and never rises; at-risk counts never rise."""
    fit = kaplan_meier(c["time"], c["code"])
    assert np.all((fit.survival >= 0) & (fit.survival <= 1))
    assert np.all(np.diff(fit.survival) <= 0)
    assert np.all(np.diff(fit.n_at_risk) <= 0)


@given(cohorts(max_cause=3, groups=2))
def test_cif_sum_plus_km_is_one(c: dict[str, np.ndarray]) -> None:
    """Per group, the CIFs of all causes plus all-cause KM equal one at every event time."""
    ci = cumulative_incidence(c["time"], c["code"], group=c["group"])
    assert ci.groups is not None
    for label in ci.groups:
        sel = c["group"] == label
        grid = ci.time[ci.time <= c["time"][sel].max()]  # within the group's follow-up
        km = kaplan_meier(c["time"][sel], c["code"][sel] > 0).at(grid)
        total = sum(ci.at(grid, cause=int(k), group=label) for k in ci.causes)
        np.testing.assert_allclose(total + km, 1.0, atol=1e-12)


@given(cohorts(max_cause=1))
def test_single_cause_cif_is_one_minus_km(c: dict[str, np.ndarray]) -> None:
    """With one cause, CIF = 1 - KM."""
    assume(np.any(c["code"] == 1))
    ci = cumulative_incidence(c["time"], c["code"])
    km = kaplan_meier(c["time"], c["code"])
    np.testing.assert_allclose(ci.at(ci.time), 1 - km.at(ci.time), atol=1e-12)


def _logrank(time: np.ndarray, c: dict[str, np.ndarray], group: np.ndarray, rho: float) -> float:
    try:
        return logrank_test(time, c["code"], group, rho=rho).statistic
    except EstimationError:
        return float("nan")


@given(cohorts(groups=3), st.sampled_from([0.0, 1.0]))
def test_logrank_invariances(c: dict[str, np.ndarray], rho: float) -> None:
    """Swapping labels and a monotone transform of time leave the statistic unchanged."""
    assume(np.unique(c["group"]).size >= 2)
    base = _logrank(c["time"], c, c["group"], rho)
    assume(np.isfinite(base) and base < 1e6)
    swapped = _logrank(c["time"], c, 2 - c["group"], rho)
    transformed = _logrank(np.exp(c["time"] / 3.0) + c["time"] ** 3, c, c["group"], rho)
    np.testing.assert_allclose([swapped, transformed], base, rtol=1e-8, atol=1e-10)


@given(cohorts(max_cause=2, groups=2))
def test_row_order_invariance(c: dict[str, np.ndarray]) -> None:
    """KM, CIF, log-rank and Gray results do not depend on row order."""
    p = _perm(c)
    t, k, g = c["time"], c["code"], c["group"]
    a, b = kaplan_meier(t, k > 0), kaplan_meier(t[p], k[p] > 0)
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-12)
    ca, cb = cumulative_incidence(t, k, group=g), cumulative_incidence(t[p], k[p], group=g[p])
    np.testing.assert_allclose(ca.variance, cb.variance, rtol=1e-9, atol=1e-15)
    assume(np.unique(g).size == 2)
    la = _logrank(t, {"code": k > 0}, g, 0.0)
    lb = _logrank(t[p], {"code": k[p] > 0}, g[p], 0.0)
    assume(np.isfinite(la))
    np.testing.assert_allclose(lb, la, rtol=1e-9)
    try:
        ga = gray_test(t, k, g).statistic
    except EstimationError:
        return
    np.testing.assert_allclose(gray_test(t[p], k[p], g[p]).statistic, ga, rtol=1e-8, atol=1e-12)


@given(near_tied_times())
def test_sorted_timefix_is_rs_rule(ts: np.ndarray) -> None:
    """The estimators' one-pass merge gives exactly merge_near_ties (R's aeqSurv rule)."""
    np.testing.assert_array_equal(merge_sorted(ts), merge_near_ties(ts)[0])


@given(cohorts(), st.sampled_from([0.5, 3.0, 1000.0]))
def test_km_time_scaling(c: dict[str, np.ndarray], k: float) -> None:
    """Scaling time by k > 0 scales the curve's times and leaves S unchanged; S(0-) = 1."""
    a, b = kaplan_meier(c["time"], c["code"]), kaplan_meier(c["time"] * k, c["code"])
    np.testing.assert_allclose(b.time, a.time * k, rtol=1e-12)
    np.testing.assert_allclose(b.survival, a.survival, rtol=1e-12)
    assert a.at(-1.0) == 1.0


@given(cohorts())
def test_km_quantiles_inside_limits_and_summary_equals_at(c: dict[str, np.ndarray]) -> None:
    """Quantile limits bracket the estimate; summary(times) reads the same values as at()."""
    fit = kaplan_meier(c["time"], c["code"], conf_type="log")
    q = fit.quantile([0.25, 0.5, 0.75])
    ok = np.isfinite(q.estimate) & np.isfinite(q.ci_lower) & np.isfinite(q.ci_upper)
    assert np.all(q.ci_lower[ok] <= q.estimate[ok]) and np.all(q.estimate[ok] <= q.ci_upper[ok])
    finite = q.estimate[np.isfinite(q.estimate)]
    assert np.all(np.diff(finite) >= 0)
    grid = np.linspace(0, c["time"].max() + 1, 7)
    np.testing.assert_array_equal(fit.summary(grid).survival, fit.at(grid))


@given(cohorts(max_cause=2, groups=2))
def test_cif_test_equals_gray_test(c: dict[str, np.ndarray]) -> None:
    """cumulative_incidence(test=True) gives gray_test's statistic for every cause."""
    assume(np.unique(c["group"]).size == 2)
    ci = cumulative_incidence(c["time"], c["code"], group=c["group"], test=True)
    assert ci.tests is not None
    for k, res in zip(ci.causes, ci.tests, strict=True):
        try:
            ref = gray_test(c["time"], c["code"], c["group"], cause_of_interest=int(k)).statistic
        except EstimationError:
            assert np.isnan(res.statistic)
            continue
        np.testing.assert_allclose(res.statistic, ref, rtol=1e-9, atol=1e-12)


@given(cohorts(max_cause=2))
def test_multistate_occupancy_is_a_distribution(c: dict[str, np.ndarray]) -> None:
    """pstate rows are probabilities summing to 1; the absorbing states equal the CIFs."""
    assume(np.any(c["code"] > 0))
    occ = aalen_johansen(c["time"], c["code"], states=["(s0)", 1, 2])
    assert np.all((occ.pstate >= -1e-12) & (occ.pstate <= 1 + 1e-12))
    np.testing.assert_allclose(occ.pstate.sum(axis=1), 1.0, rtol=1e-12)
    ci = cumulative_incidence(c["time"], c["code"])
    for k in ci.causes:
        np.testing.assert_allclose(occ.at(occ.time, int(k)), ci.at(occ.time, int(k)), atol=1e-12)


@given(cohorts(), st.lists(st.floats(0.5, 11.5), min_size=1, max_size=4))
def test_split_rows_leave_km_unchanged(c: dict[str, np.ndarray], cuts: list[float]) -> None:
    """KM on survSplit rows (left-truncated at the cuts) equals KM on the original rows."""
    keep = c["time"] > 0
    assume(keep.sum() >= 2)
    t, e = c["time"][keep], c["code"][keep]
    # Cuts a user would give are distinct; cuts within rounding of each other are the
    # near-tie case R's aeqSurv refuses (tested below), not a split.
    cuts = sorted({round(x, 6) for x in cuts})
    sp = survsplit(t, e, cuts)
    a, b = kaplan_meier(t, e), kaplan_meier(sp.stop, sp.event, entry=sp.start)
    np.testing.assert_allclose(b.at(a.time), a.survival, rtol=1e-12)


def test_near_tied_split_cuts_are_refused_under_timefix() -> None:
    """Cuts 11.5 and 11.5 - 2 ulp give a zero-length interval once timefix merges them (aeqSurv)."""
    t, e = np.array([1.0, 12.0]), np.array([0, 0])
    sp = survsplit(t, e, [11.5, 11.499999999999998])
    with pytest.raises(InputError, match="near-tied"):
        kaplan_meier(sp.stop, sp.event, entry=sp.start)
    b = kaplan_meier(sp.stop, sp.event, entry=sp.start, timefix=False)
    np.testing.assert_allclose(b.at(b.time), kaplan_meier(t, e).at(b.time), rtol=1e-12)


@given(cohorts(groups=2))
def test_rmst_difference_is_antisymmetric(c: dict[str, np.ndarray]) -> None:
    """Swapping the reference arm negates the RMST difference, with the same SE."""
    ends = (
        [c["time"][c["group"] == g].max() for g in (0, 1)]
        if np.unique(c["group"]).size == 2
        else [0]
    )
    assume(min(ends) > 0)  # tau defaults to the smaller last time, which must be positive
    a = compare_rmst(c["time"], c["code"], c["group"])
    b = compare_rmst(c["time"], c["code"], c["group"], reference=1)
    np.testing.assert_allclose(b.difference.estimate, -a.difference.estimate, atol=1e-12)
    np.testing.assert_allclose(b.difference.std_err, a.difference.std_err, rtol=1e-12)
