"""Cumulative incidence and Gray's test against R cmprsk::cuminc (committed reference JSON)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import cumulative_incidence, gray_test

from ._rref import RTOL, as_num, close, load

pytestmark = pytest.mark.reference


def check_curves(ci: Any, ref: dict[str, Any], groups: list[str] | None) -> None:
    """Compare CIF and variance at every cuminc jump for each 'group cause' curve."""
    assert ci.estimate.shape[:2] == (1 if groups is None else len(groups), ci.causes.size)
    for name, curve in ref.items():
        label, cause = name.rsplit(" ", 1)
        grp = None if groups is None else label
        close(ci.at(as_num(curve["time"]), cause=int(cause), group=grp), curve["est"])
        close(ci.variance_at(as_num(curve["time"]), cause=int(cause), group=grp), curve["var"])


def check_tests(time: Any, cause: Any, group: Any, ref: dict[str, Any], **kw: Any) -> None:
    """Compare Gray statistics, p-values and df for every cause."""
    for k, c in enumerate(ref["cause"]):
        res = gray_test(time, cause, group, cause_of_interest=int(c), **kw)
        close([res.statistic, res.p_value], [ref["stat"][k], ref["pv"][k]], rtol=RTOL)
        assert res.df == ref["df"][k]


def mgus2() -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, Any]]:
    """mgus2 input with the sex labels read as strings."""
    d, ref = load("cif_mgus2")
    return d, d["sex"], ref


def test_mgus2_overall() -> None:
    """mgus2 without groups: CIF and variance of both causes equal cuminc."""
    d, _, ref = mgus2()
    check_curves(cumulative_incidence(d["time"], d["cause"]), ref["overall"], None)


def test_mgus2_by_sex() -> None:
    """mgus2 by sex: CIF and variance per group and cause equal cuminc."""
    d, sex, ref = mgus2()
    check_curves(cumulative_incidence(d["time"], d["cause"], group=sex), ref["by_sex"], ["F", "M"])


def test_mgus2_timepoints() -> None:
    """mgus2: values at chosen times equal cmprsk::timepoints."""
    d, sex, ref = mgus2()
    ci = cumulative_incidence(d["time"], d["cause"], group=sex)
    tp = ref["timepoints"]
    for k, name in enumerate(tp["names"]):
        label, cause = name.split(" ")
        close(ci.at(tp["times"], cause=int(cause), group=label), tp["est"][k])
        close(ci.variance_at(tp["times"], cause=int(cause), group=label), tp["var"][k])


def test_mgus2_gray() -> None:
    """mgus2: Gray's test by sex for each cause, rho 0 and 1, equals cuminc Tests."""
    d, sex, ref = mgus2()
    check_tests(d["time"], d["cause"], sex, ref["tests"])
    check_tests(d["time"], d["cause"], sex, ref["tests_rho1"], rho=1.0)


def test_mgus2_gray_strata() -> None:
    """mgus2: Gray's test stratified by age group equals cuminc(strata=)."""
    d, sex, ref = mgus2()
    check_tests(d["time"], d["cause"], sex, ref["tests_strata"], strata=d["agegrp"])


def sim() -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, Any]]:
    """Simulated cohort with the group labels read as strings."""
    d, ref = load("cif_sim")
    return d, d["group"], ref


def test_sim_by_group() -> None:
    """Tied simulated cohort, 3 causes x 3 groups: CIF and variance equal cuminc."""
    d, grp, ref = sim()
    ci = cumulative_incidence(d["time"], d["cause"], group=grp)
    check_curves(ci, ref["by_group"], ["a", "b", "c"])


def test_sim_gray() -> None:
    """Tied simulated cohort: 3-group Gray tests, plain, stratified and rho=0.5, equal cuminc."""
    d, grp, ref = sim()
    check_tests(d["time"], d["cause"], grp, ref["tests"])
    check_tests(d["time"], d["cause"], grp, ref["tests_strata"], strata=d["strata"])
    check_tests(d["time"], d["cause"], grp, ref["tests_strata_rho05"], strata=d["strata"], rho=0.5)
