"""RMST per arm and two-arm contrasts (survRM2::rmst2 formulas) against R (r/rmst_arms.R)."""

from __future__ import annotations

from typing import Any

import pytest

from mrdguide.survival import RMSTComparison, compare_rmst

from ._rref import close, load

pytestmark = pytest.mark.reference


def check(res: RMSTComparison, ref: dict[str, Any]) -> None:
    """Per-arm RMST, SE and limits; difference, ratio and RMTL ratio with CI and p."""
    close(res.tau, ref["tau"])
    close([r.estimate for r in res.rmst], ref["rmst"])
    close([r.std_err for r in res.rmst], ref["se"])
    close([r.ci_lower for r in res.rmst], ref["lower"])
    close([r.ci_upper for r in res.rmst], ref["upper"])
    close([r.estimate for r in res.rmtl], [ref["tau"] - m for m in ref["rmst"]])
    for name in ("difference", "ratio", "rmtl_ratio"):
        c, r = getattr(res, name), ref[name]
        close(
            [c.estimate, c.std_err, c.ci_lower, c.ci_upper, c.p_value],
            [r["estimate"], r["se"], r["lower"], r["upper"], r["p"]],
        )


def test_lung_by_sex_default_tau() -> None:
    """lung by sex, default tau (smaller of the arms' last times)."""
    d, ref = load("rmst_arms_lung")
    res = compare_rmst(d["time"], d["status"], d["arm"])
    check(res, ref["default"])
    assert list(res.groups) == [1.0, 2.0]


def test_lung_by_sex_tau_365() -> None:
    """lung by sex at tau = 365."""
    d, ref = load("rmst_arms_lung")
    check(compare_rmst(d["time"], d["status"], d["arm"], tau=365), ref["tau365"])


def test_veteran_90_percent() -> None:
    """veteran by treatment, tau = 200, 90 % intervals."""
    d, ref = load("rmst_arms_veteran")
    res = compare_rmst(d["time"], d["status"], d["arm"], tau=200, conf_level=0.90)
    check(res, ref["tau200_90"])
