"""KM quantiles with limits and the curve at chosen times against R (see r/km_quantile.R)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import SurvivalCurve, kaplan_meier

from ._rref import as_num, close, load

pytestmark = pytest.mark.reference


def check_quantile(fit: SurvivalCurve, ref: dict[str, Any]) -> None:
    """quantile(fit, probs): estimate, lower and upper."""
    q = fit.quantile(ref["probs"])
    close(q.probs, ref["probs"])
    close(q.estimate, ref["quantile"])
    close(q.ci_lower, ref["lower"])
    close(q.ci_upper, ref["upper"])


def check_summary(fit: SurvivalCurve, ref: dict[str, Any]) -> None:
    """summary(fit, times): R drops rows past the last time unless extend; we give NaN."""
    for key, extend in (("plain", False), ("extend", True)):
        r = ref[key]
        s = fit.summary(ref["times"], extend=extend)
        close(s.time, ref["times"])
        kept = np.isin(s.time, as_num(r["time"]))
        assert kept.sum() == len(r["time"])
        for ours, theirs in (
            (s.n_at_risk, "n_risk"),
            (s.n_events, "n_event"),
            (s.n_censored, "n_censor"),
            (s.survival, "surv"),
            (s.std_err, "std_err"),
            (s.ci_lower, "lower"),
            (s.ci_upper, "upper"),
        ):
            close(ours[kept], r[theirs])
        dropped = ~kept
        assert np.all(np.isnan(s.survival[dropped])) and np.all(np.isnan(s.ci_lower[dropped]))
        np.testing.assert_array_equal(s.n_at_risk[dropped], 0.0)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_lung(conf_type: str) -> None:
    """lung: quantiles with limits and the curve at chosen times, each transform."""
    d, ref = load("km_quantile_lung")
    fit = kaplan_meier(d["time"], d["status"], conf_type=conf_type)  # type: ignore[arg-type]
    check_quantile(fit, ref[conf_type]["quantile"])
    check_summary(fit, ref[conf_type]["summary"])


def test_lung_robust_and_entry() -> None:
    """Robust limits (fractional weights) and left truncation go through the same rules."""
    d, ref = load("km_quantile_lung")
    fw = kaplan_meier(d["time"], d["status"], weights=d["weight"])
    check_quantile(fw, ref["robust"]["quantile"])
    check_summary(fw, ref["robust"]["summary"])
    fe = kaplan_meier(d["time"], d["status"], entry=d["entry"], conf_type="log")
    check_quantile(fe, ref["entry"]["quantile"])
    check_summary(fe, ref["entry"]["summary"])


@pytest.mark.parametrize("name", ["flat_half", "ends_at_half", "event_at_zero"])
def test_edge_curves(name: str) -> None:
    """Flat at 0.5, ending flat at 0.5 (quantile and print differ) and an event at time 0."""
    _, ref = load("km_quantile_lung")
    r = ref[name]
    fit = kaplan_meier(r["time"], r["status"], conf_type="log")
    check_quantile(fit, r["quantile"])
    check_summary(fit, r["summary"])
    close(fit.median().estimate, r["median"])
