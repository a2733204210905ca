"""Kaplan–Meier, median and RMST against R survival::survfit (committed reference JSON)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import kaplan_meier

from ._rref import as_num, close, load

pytestmark = pytest.mark.reference


def check_curve(fit: Any, ref: dict[str, Any], *, std_err: bool = True) -> None:
    """Compare every column of a survfit object with a SurvivalCurve."""
    close(fit.time, ref["time"])
    close(fit.n_at_risk, ref["n_risk"])
    close(fit.n_events, ref["n_event"])
    close(fit.n_censored, ref["n_censor"])
    close(fit.survival, ref["surv"])
    if std_err:
        r_se = as_num(ref["std_err"]) * as_num(ref["surv"])
        r_se[as_num(ref["surv"]) == 0] = np.nan
        close(fit.std_err, r_se)
    close(fit.ci_lower, ref["lower"])
    close(fit.ci_upper, ref["upper"])


def check_median(fit: Any, ref: dict[str, Any]) -> None:
    """Compare median and its limits with print.survfit."""
    med = fit.median()
    close([med.estimate, med.ci_lower, med.ci_upper], [ref["median"], ref["lcl"], ref["ucl"]])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_lung_conf_types(conf_type: str) -> None:
    """lung: every survfit column, median and CI for each transform match R."""
    d, ref = load("km_lung")
    fit = kaplan_meier(d["time"], d["status"], conf_type=conf_type)  # type: ignore[arg-type]
    check_curve(fit, ref[conf_type])
    check_median(fit, ref[conf_type]["median"])


def test_lung_rmst() -> None:
    """lung: RMST and its standard error match summary(fit, rmean=tau) for several tau."""
    d, ref = load("km_lung")
    fit = kaplan_meier(d["time"], d["status"])
    for r in ref["rmst"]:
        res = fit.rmst(r["tau"])
        close([res.estimate, res.std_err], [r["rmean"], r["se"]])


def test_lung_weights() -> None:
    """lung: integer case weights give R's weighted curve, median and RMST."""
    d, ref = load("km_lung")
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"])
    check_curve(fit, ref["weights"])
    check_median(fit, ref["weights"]["median"])
    res = fit.rmst(500)
    close(
        [res.estimate, res.std_err], [ref["weights"]["rmst"]["rmean"], ref["weights"]["rmst"]["se"]]
    )


def test_lung_entry() -> None:
    """lung: left truncation matches survfit(Surv(entry, time, status))."""
    d, ref = load("km_lung")
    fit = kaplan_meier(d["time"], d["status"], entry=d["entry"])
    check_curve(fit, ref["entry"])
    check_median(fit, ref["entry"]["median"])
    fw = kaplan_meier(
        d["time"], d["status"], entry=d["entry"], weights=d["weight"], conf_type="log"
    )
    check_curve(fw, ref["entry_weights"])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_sim_ties(conf_type: str) -> None:
    """Simulated cohort with heavy ties and events at time 0 matches R, median and RMST too."""
    d, ref = load("km_sim")
    fit = kaplan_meier(d["time"], d["status"], conf_type=conf_type)  # type: ignore[arg-type]
    check_curve(fit, ref[conf_type])
    check_median(fit, ref[conf_type]["median"])
    res = fit.rmst(60)
    r = ref[conf_type]["rmst"]
    close([res.estimate, res.std_err], [r["rmean"], r["se"]])


def test_sim_weights_and_entry() -> None:
    """Simulated cohort: weights, and weights with left truncation, match R."""
    d, ref = load("km_sim")
    check_curve(
        kaplan_meier(d["time"], d["status"], weights=d["weight"], conf_type="plain"), ref["weights"]
    )
    keep = d["time"] > 0
    fit = kaplan_meier(
        d["time"][keep], d["status"][keep], entry=d["entry"][keep], weights=d["weight"][keep]
    )
    check_curve(fit, ref["entry_weights"])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_flat_half_median(conf_type: str) -> None:
    """A curve flat at exactly 0.5 gives R's averaged median and limits."""
    _, ref = load("km_sim")
    flat = ref["flat_data"]
    fit = kaplan_meier(flat["time"], flat["status"], conf_type=conf_type)  # type: ignore[arg-type]
    check_curve(fit, ref["flat"][conf_type])
    check_median(fit, ref["flat"][conf_type]["median"])
