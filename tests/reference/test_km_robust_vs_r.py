"""KM with fractional weights: robust (IJ) variance against R survfit (see r/km_robust.R)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import kaplan_meier

from ._rref import close, load

pytestmark = pytest.mark.reference


def check_robust(fit: Any, ref: dict[str, Any]) -> None:
    """Every column; R's robust std.err is already the SE of S (logse = FALSE)."""
    assert ref["logse"] is False
    assert fit.se_method == "infinitesimal-jackknife"
    close(fit.time, ref["time"])
    close(fit.n_at_risk, ref["n_risk"])
    close(fit.n_events, ref["n_event"])
    close(fit.survival, ref["surv"])
    close(fit.std_err, ref["std_err"])
    close(fit.ci_lower, ref["lower"])
    close(fit.ci_upper, ref["upper"])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_fractional_weights_default_to_robust(conf_type: str) -> None:
    """lung, non-integer weights: robust=None gives R's default IJ SE and limits."""
    d, ref = load("km_robust_lung")
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"], conf_type=conf_type)  # type: ignore[arg-type]
    check_robust(fit, ref[conf_type])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_ties_and_curve_reaching_zero(conf_type: str) -> None:
    """Tied cohort, events at 0, S = 0 at the end: SE 0 and R's NA limits there."""
    d, ref = load("km_robust_sim")
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"], conf_type=conf_type)  # type: ignore[arg-type]
    assert fit.survival[-1] == 0.0
    check_robust(fit, ref[conf_type])


def test_robust_true_forces_ij() -> None:
    """robust=True: IJ variance for integer weights and without weights, as R."""
    d, ref = load("km_robust_lung")
    check_robust(
        kaplan_meier(d["time"], d["status"], weights=d["iweight"], robust=True),
        ref["integer_robust"],
    )
    check_robust(
        kaplan_meier(d["time"], d["status"], robust=True, conf_type="log"),
        ref["unweighted_robust"],
    )


def test_robust_with_left_truncation() -> None:
    """Fractional weights with entry times: R's IJ variance for (entry, time] data."""
    d, ref = load("km_robust_lung")
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"], entry=d["entry"])
    check_robust(fit, ref["entry"])


def test_robust_false_keeps_greenwood() -> None:
    """robust=False gives the Greenwood SE, which differs from R's default here."""
    d, ref = load("km_robust_lung")
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"], robust=False, conf_type="log")
    assert fit.se_method == "greenwood"
    diff = np.nanmax(np.abs(fit.std_err - np.asarray(ref["log"]["std_err"], dtype=float)))
    assert diff > 1e-3
