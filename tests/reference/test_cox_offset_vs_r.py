"""cox_ph(offset=) against R coxph(... + offset()) (r/cox_offset.R, inputs from data/).

R's basehaz(centered = FALSE) is the hazard at the mean offset; mrdguide's baseline is at
offset 0, so R's is multiplied by exp(-mean offset) here. Tolerance 1e-8 (iterative fit).
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import cox_ph

from ._rref import read_csv, results
from .cox_reftools import check_cox_summary

pytestmark = pytest.mark.reference
RTOL = 1e-8


@pytest.mark.parametrize("case", ["lung", "heart"])
def test_offset(case: str) -> None:
    """Coefficients, variance, tests, concordance, baseline and lp equal R's."""
    r = dict(results("cox_offset")[case])
    if case == "lung":
        d = read_csv("cox_lung", "cox_offset", key="cox_lung_sha256")
        x = np.column_stack([d[c] for c in ("sex", "ph.ecog", "wt.loss")])
        res = cox_ph(x, d["time"], d["event"], offset=0.0134 * d["age"])
    else:
        d = read_csv("cox_heart", "cox_offset", key="cox_heart_sha256")
        x = np.column_stack([d[c] for c in ("year", "surgery", "transplant")])
        res = cox_ph(x, d["stop"], d["event"], entry=d["start"], offset=0.03 * d["age"],
                     ties="breslow")  # fmt: skip
    r["baseline_cumhaz"] = np.asarray(r["baseline_cumhaz"]) * np.exp(-r["offset_mean"])
    check_cox_summary(res, r, RTOL)
    np.testing.assert_allclose(res.predict(kind="lp").value, r["lp"], rtol=RTOL, atol=1e-12)
