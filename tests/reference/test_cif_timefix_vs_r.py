"""Near-tied times (timefix) for the CIF and Gray's test against R (mgus2 in years).

References (see r/cif_timefix.R): survival's multi-state survfit (which applies timefix) for the
CIF estimates; cmprsk::cuminc on R's aeqSurv-merged times for the cmprsk variance and Gray's
test with timefix=True; cmprsk::cuminc on the raw times with timefix=False.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import cumulative_incidence, gray_test

from ._rref import as_num, close, load

pytestmark = pytest.mark.reference


def mgus2_years() -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, Any]]:
    """Input (sex read as strings) and R's results."""
    d, ref = load("cif_timefix_mgus2")
    return d, d["sex"], ref


def test_input_really_has_near_ties() -> None:
    """329 distinct floats, 268 after R's merge."""
    d, _, ref = mgus2_years()
    assert np.unique(d["time"]).size == ref["n_distinct_raw"] == 329
    assert ref["n_distinct_merged"] == 268


def test_cif_timefix_matches_multistate_survfit() -> None:
    """timefix=True: both CIFs equal survfit's pstate overall and by sex, at every time."""
    d, sex, ref = mgus2_years()
    overall = cumulative_incidence(d["time"], d["cause"])
    ms = ref["survfit_overall"]
    close(overall.at(as_num(ms["time"]), cause=1), ms["pcm"])
    close(overall.at(as_num(ms["time"]), cause=2), ms["death"])
    by_sex = cumulative_incidence(d["time"], d["cause"], group=sex)
    for label in ("F", "M"):
        r = ref["survfit_by_sex"][label]
        close(by_sex.at(as_num(r["time"]), cause=1, group=label), r["pcm"])
        close(by_sex.at(as_num(r["time"]), cause=2, group=label), r["death"])


@pytest.mark.parametrize(("timefix", "key"), [(True, "merged_by_sex"), (False, "raw_by_sex")])
def test_cif_and_cmprsk_variance(timefix: bool, key: str) -> None:
    """CIF and cmprsk variance at every jump equal cuminc on merged (True) or raw times."""
    d, sex, ref = mgus2_years()
    ci = cumulative_incidence(d["time"], d["cause"], group=sex, timefix=timefix)
    for name, curve in ref[key].items():
        label, cause = name.split(" ")
        times = as_num(curve["time"])
        close(ci.at(times, cause=int(cause), group=label), curve["est"])
        close(ci.variance_at(times, cause=int(cause), group=label), curve["var"])


@pytest.mark.parametrize(
    ("timefix", "key", "strata"),
    [
        (True, "merged_tests", False),
        (True, "merged_tests_strata", True),
        (False, "raw_tests", False),
        (False, "raw_tests_strata", True),
    ],
)
def test_gray_timefix(timefix: bool, key: str, strata: bool) -> None:
    """Gray's statistics equal cuminc's Tests on merged (timefix) or raw times."""
    d, sex, ref = mgus2_years()
    r = ref[key]
    for k, cause in enumerate(r["cause"]):
        res = gray_test(
            d["time"],
            d["cause"],
            sex,
            cause_of_interest=int(cause),
            strata=d["agegrp"] if strata else None,
            timefix=timefix,
        )
        close([res.statistic, res.p_value], [r["stat"][k], r["pv"][k]])
    other = "raw_tests" if timefix else "merged_tests"
    res = gray_test(d["time"], d["cause"], sex, cause_of_interest=2, timefix=timefix)
    assert abs(res.statistic - ref[other]["stat"][1]) > 1e-3  # the two references really differ
