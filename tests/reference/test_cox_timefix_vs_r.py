"""timefix (R's aeqSurv) and fractional case weights (robust by default), against R coxph.

r/cox_timefix.R: lung with time in years computed two ways (183 distinct values that are 178
distinct days); coxph merges the near ties by default. Tolerance 1e-8 as the other Cox tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import cox_ph
from mrdguide.survival._timefix import merge_near_ties

from ._rref import read_csv, results
from .cox_reftools import check_cox_summary

pytestmark = pytest.mark.reference
RTOL = 1e-8
COLS = ["age", "sex", "ph.ecog", "wt.loss"]

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("timefix", "years", {}),
    ("no_timefix", "years", {"timefix": False}),
    ("timefix_breslow", "years", {"ties": "breslow"}),
    ("days", "time", {}),
    ("frac_weights", "time", {"weights": "fw"}),
    ("frac_weights_naive", "time", {"weights": "fw", "robust": False}),
]


@pytest.mark.parametrize(("label", "time", "kw"), CASES, ids=[c[0] for c in CASES])
def test_against_r(label: str, time: str, kw: dict[str, Any]) -> None:
    """Every reported number equals coxph's for the same timefix / weights setting."""
    d = read_csv("cox_timefix", "cox_timefix")
    extra = {k: (d[v] if isinstance(v, str) and k == "weights" else v) for k, v in kw.items()}
    res = cox_ph(np.column_stack([d[c] for c in COLS]), d[time], d["event"], **extra)
    check_cox_summary(res, results("cox_timefix")[label], RTOL)


def test_distinct_times_and_variance_labels() -> None:
    """183 raw distinct times merge to R's 178; fractional weights switch to robust."""
    d = read_csv("cox_timefix", "cox_timefix")
    counts = results("cox_timefix")["distinct_times"]
    assert np.unique(d["years"]).size == counts["raw"] == 183
    assert np.unique(merge_near_ties(d["years"])[0]).size == counts["merged"] == 178
    x = np.column_stack([d[c] for c in COLS])
    assert cox_ph(x, d["time"], d["event"], weights=d["fw"]).variance == "robust"
    assert cox_ph(x, d["time"], d["event"], weights=d["fw"], robust=False).variance == "model"
    fixed = cox_ph(x, d["years"], d["event"])
    days = cox_ph(x, d["time"], d["event"])
    np.testing.assert_allclose(fixed.coef, days.coef, rtol=1e-12)
