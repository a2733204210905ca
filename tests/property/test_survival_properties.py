"""Property tests (Hypothesis) for the nonparametric survival estimators."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from mrdguide.errors import EstimationError
from mrdguide.survival import cumulative_incidence, gray_test, kaplan_meier, logrank_test


@st.composite
def cohorts(draw: st.DrawFn, max_cause: int = 1, groups: int = 1) -> dict[str, np.ndarray]:
    """Small cohorts with integer (heavily tied) times, codes 0..max_cause and group labels."""
    n = draw(st.integers(2, 40))
    ints = st.lists(st.integers(0, 12), min_size=n, max_size=n)
    time = np.array(draw(ints), dtype=float)
    code = np.array(draw(st.lists(st.integers(0, max_cause), min_size=n, max_size=n)))
    group = np.array(draw(st.lists(st.integers(0, groups - 1), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**32 - 1))
    return {"time": time, "code": code, "group": group, "seed": np.array(seed)}


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
