"""finegray(formula, data) against cmprsk::crr given R's model.matrix (r/formula_crr.R).

R builds the covariate matrix (a 4-level character factor with the first sorted level as
reference, log10()/log() in the formula) and, for na.omit, drops incomplete rows first; crr
fits it. Agreement checks the formula layer end to end: names, coefficients, crr's sandwich
covariance, summary(crr) numbers and its printed form, predict.crr for new rows encoded with
the fit's levels, and the rows dropped. Tolerance 1e-8 (same iteration path as crr, as in
test_finegray_vs_r; observed ~1e-13); crr's 2-significant-digit p-values to 5 %.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mrdguide.analysis import FineGrayModel, finegray

from ._rref import as_num, close, results
from .formula_reftools import check_printed, frame, r_name

pytestmark = pytest.mark.reference
RTOL = 1e-8
TEXT = ("id", "subtype")
MODEL = "Event(time, cause) ~ age + C(subtype) + log10(mrd_eoi)"


def _data() -> tuple[pd.DataFrame, dict[str, Any]]:
    return frame("formula_crr", TEXT), results("formula_crr")


def check_crr(m: FineGrayModel, r: dict[str, Any]) -> None:
    """Names, coefficients, covariance, summary(crr) columns, tests and printed summary."""
    res, s = m.result, m.summary()
    assert [r_name(n) for n in m.names] == r["names"]
    close(res.coef, r["coef"], RTOL)
    close(res.std_err, r["std_err"], RTOL)
    np.testing.assert_allclose(res.covariance, as_num(r["covariance"]), rtol=RTOL, atol=1e-14)
    close([res.loglik, res.loglik_null], [r["loglik"], r["loglik_null"]], RTOL)
    coefs = as_num(r["coefficients"])
    close(np.column_stack([s.coef, s.exp_coef, s.std_err, s.z]), coefs[:, :4], RTOL)
    close(s.p_value, coefs[:, 4], 5e-2)  # summary.crr: signif(p, 2)
    close(np.column_stack([s.exp_coef, 1 / s.exp_coef, s.conf_lower, s.conf_upper]),
          r["conf_int"], RTOL)  # fmt: skip
    lr, wald = s.test("Pseudo likelihood ratio test"), s.test("Wald test")
    assert lr is not None and wald is not None
    close([lr.statistic, wald.statistic], [r["pseudo_lr"], r["wald"]], RTOL)
    assert lr.df == wald.df == r["df"]
    assert (s.n, s.n_events) == (r["n"], r["n_events"])


@pytest.mark.parametrize(("cause", "label"), [(1, "relapse"), (2, "death")])
def test_factor_and_log_terms_as_crr(cause: int, label: str) -> None:
    """Both causes: the factor's treatment contrasts and log10() as model.matrix, crr's fit."""
    d, ref = _data()
    r = ref[label]
    m = finegray(MODEL, d, failcode=cause)
    assert [r_name(n) for n in m.names] == ref["columns"]
    check_crr(m, r)
    check_printed(m.summary(), r, r" +coef exp\(coef\)")
    assert m.competing == (str(3 - cause),)


def test_predict_new_rows_as_predict_crr() -> None:
    """predict(newdata) encodes new rows with the fit's levels: CIF equals predict.crr."""
    d, ref = _data()
    m = finegray(MODEL, d)
    new = pd.DataFrame(ref["newdata"])
    got = m.predict(new)
    want = as_num(ref["predict_relapse"])
    np.testing.assert_array_equal(got.time, want[:, 0])
    close(got.cif, want[:, 1:], 1e-10)


def test_na_omit_as_complete_cases() -> None:
    """na_action='omit' drops the rows R's na.omit drops (1-based in R) and fits the rest."""
    d, ref = _data()
    r = ref["na_omit"]
    m = finegray("Event(time, cause) ~ age + C(subtype) + log(wbc)", d, na_action="omit")
    check_crr(m, r)
    assert m.n_deleted == r["n_deleted"] == 25
    assert [i + 1 for i in m.deleted_rows] == r["deleted_rows"]
    text = str(m.summary())
    assert "Num. cases = 475 (25 cases omitted due to missing values)" in text
