"""cox_ph(ties="exact") against R coxph(ties = "exact") (r/cox_exact.R).

Grouped lung (up to 19 deaths per month), grouped veteran stratified by cell type and heart as
(start, stop] rows grouped into 2-day units (R's agexact; its baseline hazard is not available
in survival 3.5-3). Tolerance 1e-8 as the other Cox tests (same Newton path as R).
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import cox_ph

from ._rref import as_num, read_csv, results
from .cox_reftools import check_cox_summary

pytestmark = pytest.mark.reference
RTOL = 1e-8


def test_lung_exact_and_efron() -> None:
    """Grouped lung: the exact fit and the Efron fit each equal R's."""
    d = read_csv("cox_exact_lung", "cox_exact")
    x = np.column_stack([d["age"], d["sex"], d["ph.ecog"]])
    r = results("cox_exact")
    check_cox_summary(cox_ph(x, d["month"], d["event"], ties="exact"), r["lung"], RTOL)
    check_cox_summary(cox_ph(x, d["month"], d["event"]), r["lung_efron"], RTOL)


def test_veteran_strata_exact() -> None:
    """Stratified exact fit (baseline per stratum with Breslow increments, as R)."""
    d = read_csv("cox_exact_veteran", "cox_exact", key="input2_sha256")
    x = np.column_stack([d["trt2"], d["karno"], d["age"]])
    res = cox_ph(x, d["month"], d["event"], ties="exact", strata=d["stratum"])
    check_cox_summary(res, results("cox_exact")["veteran_strata"], RTOL)


def test_heart_counting_process_exact() -> None:
    """(start, stop] exact fit equals R's agexact (coefficients, variance, tests, C)."""
    d = read_csv("cox_exact_heart", "cox_exact", key="input3_sha256")
    x = np.column_stack([d["age"], d["surgery"], d["transplant"]])
    res = cox_ph(x, d["mstop"], d["event"], entry=d["mstart"], ties="exact")
    r = dict(results("cox_exact")["heart"])
    assert np.isnan(as_num(r["baseline_time"], ndmin=1)).all()
    r["baseline_time"], r["baseline_cumhaz"] = res.baseline_time, res.baseline_cumhaz
    check_cox_summary(res, r, RTOL)
    assert res.ties == "exact"


def test_exact_refuses_weights_and_robust() -> None:
    """As R: the exact method takes neither case weights nor a robust variance."""
    d = read_csv("cox_exact_lung", "cox_exact")
    x = np.column_stack([d["age"], d["sex"]])
    with pytest.raises(InputError, match="exact"):
        cox_ph(x, d["month"], d["event"], ties="exact", weights=np.full(x.shape[0], 2.0))
    with pytest.raises(InputError, match="exact"):
        cox_ph(x, d["month"], d["event"], ties="exact", robust=True)
