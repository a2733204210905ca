"""FineGrayResult.predict against cmprsk::predict.crr and survival's survfit of the
Fine–Gray model fitted as a weighted Cox model (r/finegray_predict.R, r/finegray_cluster.R).

* Point estimates equal predict.crr (closed form given crr's coefficients): rtol 1e-10.
* Without censoring, Fine–Gray is exactly a weighted Breslow Cox model on finegray() data, so
  survfit(coxph(...), newdata) is an exact reference for the CIs; the remaining difference
  comes from crr's gradient stopping rule (coefficients ~1e-6 apart): rtol 5e-5.
* With censoring, finegray()'s censoring weights and coxph's sandwich (no term for the
  estimated censoring distribution) differ slightly from crr's: a documented sanity check at
  3 % (observed up to 2 %).
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import fine_gray

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
COLS = ["age", "male", "hgb", "creat", "mspike"]


def _new(r: dict) -> np.ndarray:
    return np.column_stack([r["newdata"][c] for c in COLS])


@pytest.mark.parametrize("cause", [1, 2])
def test_point_estimates_equal_predict_crr(cause: int) -> None:
    """CIF at crr's failure times for new covariates equals predict.crr."""
    d = read_csv("finegray_mgus2", "finegray_predict")
    r = results("finegray_predict")
    fit = fine_gray(np.column_stack([d[c] for c in COLS]), d["etime"], d["cause"].astype(int),
                    cause_of_interest=cause)  # fmt: skip
    got = fit.predict(_new(r))
    want = np.array(r[f"predict_crr_{cause}"])
    np.testing.assert_array_equal(got.time, want[:, 0])
    np.testing.assert_allclose(got.cif, want[:, 1:], rtol=1e-10)


@pytest.mark.parametrize("conf", ["log", "loglog", "plain"])
def test_intervals_without_censoring_equal_survfit(conf: str) -> None:
    """CIF, SE and limits equal 1 - summary(survfit(coxph on finegray data, newdata))."""
    d = read_csv("finegray_cluster", "finegray_cluster")
    r = results("finegray_cluster")
    fit = fine_gray(np.column_stack([d[c] for c in COLS]), d["etime"], d["cause"].astype(int),
                    cluster=d["id"])  # fmt: skip
    conf_type = {"log": "log", "loglog": "log-log", "plain": "plain"}[conf]
    got = fit.predict(_new(r), r["predict_times"], conf_type=conf_type)
    want = r["curves"][conf]
    for mine, key in [(got.cif, "cif"), (got.std_err, "std_err"), (got.ci_lower, "cif_lower"),
                      (got.ci_upper, "cif_upper")]:  # fmt: skip
        np.testing.assert_allclose(mine, want[key], rtol=5e-5, err_msg=key)


def test_intervals_with_censoring_close_to_survfit() -> None:
    """With censoring the survival-package fit is an approximation of crr's: within 3 %."""
    d = read_csv("finegray_mgus2", "finegray_predict")
    r = results("finegray_predict")
    fit = fine_gray(np.column_stack([d[c] for c in COLS]), d["etime"], d["cause"].astype(int))
    got = fit.predict(_new(r), r["times"])
    want = r["finegray_coxph"]
    for mine, key in [(got.cif, "cif"), (got.std_err, "std_err"), (got.ci_lower, "cif_lower"),
                      (got.ci_upper, "cif_upper")]:  # fmt: skip
        np.testing.assert_allclose(mine, want[key], rtol=3e-2, err_msg=key)


def test_no_values_past_follow_up() -> None:
    """Past the last follow-up time the CIF is NaN unless extend=True."""
    d = read_csv("finegray_mgus2", "finegray_predict")
    fit = fine_gray(np.column_stack([d[c] for c in COLS]), d["etime"], d["cause"].astype(int))
    x = _new(results("finegray_predict"))
    late = fit.max_time + 1.0
    assert np.all(np.isnan(fit.predict(x, [late]).cif))
    np.testing.assert_allclose(
        fit.predict(x, [late], extend=True).cif, fit.predict(x, [fit.max_time]).cif, rtol=0
    )
