"""CoxResult.predict_survival / predict against R survfit(fit, newdata) and predict.coxph
(r/cox_predict.R, inputs from data/).

Closed-form given the coefficients (same Newton path as R): rtol 1e-8, absolute floor 1e-12.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import CoxResult, cox_ph

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
RTOL, ATOL = 1e-8, 1e-12
LUNG = ["age", "sex", "ph.ecog", "wt.loss"]


def _load(name: str) -> dict[str, np.ndarray]:
    return read_csv(name, "cox_predict", key=f"{name}_sha256")


def _fit(case: str) -> CoxResult:
    if case in ("lung", "lung_robust"):
        d = _load("cox_lung")
        x = np.column_stack([d[c] for c in LUNG])
        if case == "lung":
            return cox_ph(x, d["time"], d["event"])
        return cox_ph(x, d["time"], d["event"], ties="breslow", robust=True)
    if case == "vet":
        d = _load("cox_veteran")
        x = np.column_stack([d[c] for c in ("trt2", "karno", "age")])
        return cox_ph(x, d["time"], d["event"], strata=d["stratum"])
    if case == "heart":
        d = _load("cox_heart")
        x = np.column_stack([d[c] for c in ("age", "year", "surgery", "transplant")])
        return cox_ph(x, d["stop"], d["event"], entry=d["start"])
    d = _load("cox_exact_lung")
    x = np.column_stack([d[c] for c in ("age", "sex", "ph.ecog")])
    return cox_ph(x, d["month"], d["event"], ties="exact")


def _new(r: dict[str, Any], key: str, cols: list[str]) -> np.ndarray:
    return np.column_stack([r[key][c] for c in cols])


def _r_matrix(v: Any, n_times: int, n_new: int) -> np.ndarray:
    a = np.array(v, dtype=float)
    if a.ndim == 2 and a.shape == (n_times, n_new):
        return a
    return a.reshape(n_new, n_times).T  # stratified: one curve after another


CURVES = [
    ("surv_lung", "lung", "new_lung", LUNG, "times_lung", None),
    ("surv_lung_robust", "lung_robust", "new_lung", LUNG, "times_lung", None),
    ("surv_vet", "vet", "new_vet", ["trt2", "karno", "age"], "times_vet", "stratum"),
    ("surv_heart", "heart", "new_heart", ["age", "year", "surgery", "transplant"], "times_heart",
     None),
    ("surv_exact", "exact", "new_lung", ["age", "sex", "ph.ecog"], "times_exact", None),
]  # fmt: skip


@pytest.mark.parametrize("conf", ["log", "loglog", "plain"])
@pytest.mark.parametrize(
    ("label", "case", "new", "cols", "times", "strata"), CURVES, ids=[c[0] for c in CURVES]
)
def test_predicted_survival(
    label: str, case: str, new: str, cols: list[str], times: str, strata: str | None, conf: str
) -> None:
    """S, its SE, CI limits and cumulative hazard equal summary(survfit(fit, newdata))."""
    r = results("cox_predict")
    res = _fit(case)
    x = _new(r, new, cols)
    st = None if strata is None else np.asarray(r[new][strata])
    conf_type = {"log": "log", "loglog": "log-log", "plain": "plain"}[conf]
    got = res.predict_survival(x, r[times], strata=st, conf_type=conf_type, extend=True)
    want = r[label][conf]
    nt, nn = len(r[times]), x.shape[0]
    for mine, theirs in [
        (got.survival, "surv"),
        (got.std_err, "std_err"),
        (got.ci_lower, "lower"),
        (got.ci_upper, "upper"),
        (got.cumhaz, "cumhaz"),
    ]:
        w = _r_matrix(want[theirs], nt, nn)
        np.testing.assert_allclose(mine, w, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=theirs)
    assert got.survival.shape == (nt, nn)


def test_no_values_past_follow_up() -> None:
    """Without extend=True, times after the last follow-up are NaN (R drops them)."""
    r = results("cox_predict")
    res = _fit("lung")
    got = res.predict_survival(_new(r, "new_lung", LUNG), [100.0, 5000.0])
    assert np.all(np.isfinite(got.survival[0])) and np.all(np.isnan(got.survival[1]))


PREDS = [
    ("pred_lung", "lung", None, "strata", None),
    ("pred_lung_new", "lung", "new_lung", "strata", None),
    ("pred_lung_robust", "lung_robust", "new_lung", "strata", None),
    ("pred_vet_strata", "vet", None, "strata", None),
    ("pred_vet_sample", "vet", None, "sample", None),
    ("pred_vet_zero", "vet", None, "zero", None),
    ("pred_vet_new_strata", "vet", "new_vet", "strata", "stratum"),
    ("pred_vet_new_sample", "vet", "new_vet", "sample", None),
]


@pytest.mark.parametrize(
    ("label", "case", "new", "ref", "strata"), PREDS, ids=[p[0] for p in PREDS]
)
def test_lp_and_risk(label: str, case: str, new: str | None, ref: str, strata: str | None) -> None:
    """Centred lp (R's reference rule) and its SE; risk = exp(lp) with the delta-method SE."""
    r = results("cox_predict")
    res = _fit(case)
    cols = LUNG if case.startswith("lung") else ["trt2", "karno", "age"]
    x = None if new is None else _new(r, new, cols)
    st = None if strata is None else np.asarray(r[new][strata])
    lp = res.predict(x, "lp", reference=ref, strata=st)
    np.testing.assert_allclose(lp.value, r[label]["lp"]["fit"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(lp.std_err, r[label]["lp"]["se"], rtol=RTOL, atol=ATOL)
    risk = res.predict(x, "risk", reference=ref, strata=st)
    np.testing.assert_allclose(risk.value, r[label]["risk"]["fit"], rtol=RTOL)
    # R reports se(lp) * sqrt(risk); the delta method gives se(lp) * risk
    r_se = np.asarray(r[label]["risk"]["se"]) / np.sqrt(risk.value) * risk.value
    np.testing.assert_allclose(risk.std_err, r_se, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("label", "case"), [("expected_lung", "lung"), ("expected_heart", "heart"),
                                             ("expected_vet", "vet")])  # fmt: skip
def test_expected_for_fitted_rows(label: str, case: str) -> None:
    """Expected events of the fitted rows = event - martingale residual (R)."""
    r = results("cox_predict")
    np.testing.assert_allclose(_fit(case).predict(kind="expected").value, r[label], rtol=RTOL,
                               atol=ATOL)  # fmt: skip


def test_expected_and_survival_for_new_rows() -> None:
    """Expected events / survival for new rows at given times equal R's; the SE of the
    expected count is the cumulative hazard's SE of survfit (the corrected formula)."""
    r = results("cox_predict")
    lung = _fit("lung")
    x = _new(r, "new_lung", LUNG)
    exp_ = lung.predict(x, "expected", time=[100.0, 300.0, 700.0])
    np.testing.assert_allclose(exp_.value, r["expected_lung_new"], rtol=RTOL)
    curve = lung.predict_survival(x, [100.0, 300.0, 700.0])
    np.testing.assert_allclose(exp_.std_err, np.diag(curve.std_err_cumhaz), rtol=1e-12)
    vet = _fit("vet")
    xv = _new(r, "new_vet", ["trt2", "karno", "age"])
    st = np.asarray(r["new_vet"]["stratum"])
    surv = vet.predict(xv, "survival", time=[30.0, 100.0, 250.0], strata=st)
    np.testing.assert_allclose(surv.value, r["survival_vet_new"], rtol=RTOL)
