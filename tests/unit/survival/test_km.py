"""Unit tests for kaplan_meier: naive oracle, methods, edge cases and input errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import kaplan_meier


def naive_km(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, ...]:
    """Textbook loop: distinct times, at risk, events, S and Greenwood variance of log S."""
    times = np.unique(time)
    surv, cum, out = 1.0, 0.0, []
    for t in times:
        n = np.sum(time >= t)
        d = np.sum((time == t) & (event == 1))
        surv *= (n - d) / n
        cum += (np.inf if n == d else d / (n * (n - d))) if d else 0.0
        out.append((n, d, surv, np.sqrt(cum)))
    arr = np.array(out, dtype=float)
    return times, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


def tied_sample(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Integer times with many ties between events and censorings."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 30, n).astype(float), rng.integers(0, 2, n)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_naive_loop(seed: int) -> None:
    """Curve, risk sets and Greenwood SE equal a textbook loop on tied data."""
    t, e = tied_sample(seed)
    fit = kaplan_meier(t, e)
    times, n, d, s, se_log = naive_km(t, e)
    np.testing.assert_array_equal(fit.time, times)
    np.testing.assert_array_equal(fit.n_at_risk, n)
    np.testing.assert_array_equal(fit.n_events, d)
    np.testing.assert_allclose(fit.survival, s, rtol=1e-12)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(fit.std_err, s * se_log, rtol=1e-12)


def test_censored_at_event_time_stay_at_risk() -> None:
    """Censorings tied with events are in the risk set at that time (R convention)."""
    t, e = tied_sample(4)
    fit = kaplan_meier(t, e)
    for k, tk in enumerate(fit.time):
        assert fit.n_at_risk[k] == np.sum(t >= tk)
        assert fit.n_censored[k] == np.sum((t == tk) & (e == 0))


def test_frequency_weights_equal_replicated_rows() -> None:
    """Integer weights give the same curve as repeating each row weight times."""
    t, e = tied_sample(5, 80)
    w = np.random.default_rng(5).integers(1, 4, t.size)
    fw = kaplan_meier(t, e, weights=w, conf_type="log")
    fr = kaplan_meier(np.repeat(t, w), np.repeat(e, w), conf_type="log")
    for name in ("time", "n_at_risk", "survival", "std_err", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(getattr(fw, name), getattr(fr, name), rtol=1e-12)


def test_entry_zero_equals_no_entry() -> None:
    """Entry at 0 for everyone (time > 0) changes nothing."""
    t, e = tied_sample(6)
    t = t + 1
    a = kaplan_meier(t, e)
    b = kaplan_meier(t, e, entry=np.zeros_like(t))
    np.testing.assert_allclose(a.survival, b.survival, rtol=0)
    np.testing.assert_allclose(a.n_at_risk, b.n_at_risk, rtol=0)


def test_entry_reduces_risk_set() -> None:
    """A late entrant is not at risk before (or at) its entry time."""
    fit = kaplan_meier([2.0, 3.0, 5.0], [1, 1, 1], entry=[0.0, 0.0, 3.0])
    np.testing.assert_array_equal(fit.n_at_risk, [2.0, 1.0, 1.0])


def test_at_is_right_continuous() -> None:
    """at() returns S at jump times, the previous value just before, 1 before the first time."""
    t, e = tied_sample(7)
    fit = kaplan_meier(t + 1, e)
    np.testing.assert_array_equal(fit.at(fit.time), fit.survival)
    np.testing.assert_array_equal(fit.at(fit.time[1:] - 1e-9), fit.survival[:-1])
    assert fit.at(0.5) == 1.0
    assert isinstance(fit.at(3.0), float)
    assert fit.at(fit.time[-1]) == fit.survival[-1]  # the last follow-up time itself


def test_at_past_follow_up_is_nan_unless_extend() -> None:
    """Past the last follow-up time at() is NaN (R summary drops it); extend=True carries on."""
    t, e = tied_sample(7)
    fit = kaplan_meier(t + 1, e)
    assert np.isnan(fit.at(fit.time[-1] + 1e-9))
    assert np.isnan(fit.at(1e9))
    assert fit.at(1e9, extend=True) == fit.survival[-1]
    got = fit.at([0.5, fit.time[-1], fit.time[-1] + 1.0])
    np.testing.assert_array_equal(got, [1.0, fit.survival[-1], np.nan])


def test_all_censored() -> None:
    """All censored: S = 1 everywhere, no median, zero SE (documented result)."""
    fit = kaplan_meier([1.0, 2.0, 3.0], [0, 0, 0], conf_type="log")
    np.testing.assert_array_equal(fit.survival, np.ones(3))
    np.testing.assert_array_equal(fit.std_err, np.zeros(3))
    assert np.isnan(fit.median().estimate)


def test_all_events_at_one_time() -> None:
    """All events at one time: S drops to 0 there, SE and CI are NaN, median is that time."""
    fit = kaplan_meier([4.0] * 5, [1] * 5)
    np.testing.assert_array_equal(fit.survival, [0.0])
    assert np.isnan(fit.std_err[0])
    assert np.isnan(fit.ci_lower[0])
    assert np.isnan(fit.ci_upper[0])
    assert fit.median().estimate == 4.0


def test_event_at_time_zero() -> None:
    """An event at time 0 lowers S(0)."""
    fit = kaplan_meier([0.0, 1.0, 2.0, 3.0], [1, 0, 1, 0])
    assert fit.time[0] == 0.0
    assert fit.at(0.0) == pytest.approx(0.75, rel=1e-15)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_ci_brackets_estimate(conf_type: str) -> None:
    """Where defined, limits bracket S and lie in [0, 1]; higher level gives wider limits."""
    t, e = tied_sample(8)
    narrow = kaplan_meier(t, e, conf_type=conf_type, conf_level=0.8)  # type: ignore[arg-type]
    wide = kaplan_meier(t, e, conf_type=conf_type, conf_level=0.99)  # type: ignore[arg-type]
    ok = ~np.isnan(wide.ci_lower) & (wide.survival > 0) & (wide.survival < 1)
    assert ok.any()
    s = wide.survival[ok]
    assert np.all((wide.ci_lower[ok] <= s) & (s <= wide.ci_upper[ok]))
    assert np.all((wide.ci_lower[ok] >= 0) & (wide.ci_upper[ok] <= 1))
    assert np.all(wide.ci_lower[ok] <= narrow.ci_lower[ok])


def test_rmst_equals_area_under_curve() -> None:
    """RMST equals the area under the step function computed on a fine grid."""
    t, e = tied_sample(9)
    fit = kaplan_meier(t, e)
    tau = 17.5
    grid = np.linspace(0, tau, 350001)
    area = np.sum(fit.at(grid[:-1]) * np.diff(grid))
    assert fit.rmst(tau).estimate == pytest.approx(area, rel=1e-4)
    assert fit.rmst(tau).std_err > 0


def test_rmst_before_first_time() -> None:
    """tau before the first time gives tau and zero SE."""
    fit = kaplan_meier([5.0, 6.0], [1, 1])
    r = fit.rmst(2.0)
    assert (r.estimate, r.std_err) == (2.0, 0.0)


def test_median_crossing_rule() -> None:
    """The median is the first time S drops below 0.5."""
    t, e = tied_sample(10)
    fit = kaplan_meier(t, e)
    med = fit.median().estimate
    first = fit.time[np.flatnonzero(fit.survival < 0.5)[0]]
    assert med == first


def test_to_dict_is_json_and_frozen() -> None:
    """to_dict gives JSON-serialisable plain types and the result is immutable."""
    fit = kaplan_meier([1.0, 2.0, 2.0, 5.0], [1, 0, 1, 1])
    json.dumps(fit.to_dict(), allow_nan=True)
    json.dumps(fit.median().to_dict(), allow_nan=True)
    json.dumps(fit.rmst(3.0).to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.conf_level = 0.9  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"time": [1.0, np.nan], "event": [1, 0]}, "time"),
        ({"time": [1.0, -1.0], "event": [1, 0]}, "time"),
        ({"time": [1.0, np.inf], "event": [1, 0]}, "time"),
        ({"time": [1.0, 2.0], "event": [1, 2]}, "event"),
        ({"time": [1.0, 2.0], "event": [1, 0.5]}, "event"),
        ({"time": [], "event": []}, "time"),
        ({"time": [1.0, 2.0], "event": [1, 0], "conf_type": "logit"}, "conf_type"),
        ({"time": [1.0, 2.0], "event": [1, 0], "conf_level": 1.0}, "conf_level"),
        ({"time": [1.0, 2.0], "event": [1, 0], "weights": [1.0, 0.0]}, "weights"),
        ({"time": [1.0, 2.0], "event": [1, 0], "entry": [1.0, 0.0]}, "entry"),
        ({"time": [[1.0, 2.0], [3.0, 4.0]], "event": [1, 0, 1, 0]}, "time"),
    ],
)
def test_invalid_inputs(kwargs: dict[str, object], field: str) -> None:
    """Invalid inputs raise InputError naming the field."""
    with pytest.raises(InputError) as info:
        kaplan_meier(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_length_mismatch() -> None:
    """Unequal lengths raise InputError."""
    with pytest.raises(InputError, match="differ in length"):
        kaplan_meier([1.0, 2.0], [1])


def test_rmst_invalid_tau() -> None:
    """A non-positive tau is rejected."""
    with pytest.raises(InputError):
        kaplan_meier([1.0], [1]).rmst(0.0)
