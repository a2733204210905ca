"""CoxResult.residuals against R residuals.coxph (r/cox_residuals.R, inputs from data/).

Residuals depend on the fitted coefficients (same Newton path as R): rtol 1e-8, with an
absolute floor of 1e-11 for residuals that are zero up to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import CoxResult, cox_ph

from ._rref import as_num, read_csv, results

pytestmark = pytest.mark.reference
RTOL, ATOL = 1e-8, 1e-11
KINDS = ["martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas"]


def _load(name: str) -> dict[str, np.ndarray]:
    return read_csv(name, "cox_residuals", key=f"{name}_sha256")


def _fit(case: str) -> CoxResult:
    if case == "lung":
        d = _load("cox_lung")
        x = np.column_stack([d[c] for c in ("age", "sex", "ph.ecog", "wt.loss")])
        return cox_ph(x, d["time"], d["event"])
    if case == "lung_breslow_weights":
        d = _load("cox_lung")
        x = np.column_stack([d[c] for c in ("age", "sex", "ph.ecog")])
        return cox_ph(x, d["time"], d["event"], weights=d["w"], ties="breslow")
    if case == "veteran_strata":
        d = _load("cox_veteran")
        x = np.column_stack([d[c] for c in ("trt2", "karno", "age")])
        return cox_ph(x, d["time"], d["event"], strata=d["stratum"])
    if case == "heart":
        d = _load("cox_heart")
        x = np.column_stack([d[c] for c in ("age", "year", "surgery", "transplant")])
        return cox_ph(x, d["stop"], d["event"], entry=d["start"])
    if case == "colon_collapsed":
        d = _load("cox_cluster_colon")
        x = np.column_stack([d[c] for c in ("lev", "lev5fu", "extent", "node4")])
        return cox_ph(x, d["time"], d["event"], strata=d["etype"], cluster=d["id"])
    d = _load("cox_exact_lung")
    x = np.column_stack([d[c] for c in ("age", "sex", "ph.ecog")])
    return cox_ph(x, d["month"], d["event"], ties="exact")


def _close(actual: np.ndarray, want: Any) -> None:
    w = (
        as_num(want, ndmin=1)
        if not isinstance(want, list) or not isinstance(want[0], list)
        else np.array(want, dtype=float)
    )
    np.testing.assert_allclose(np.squeeze(actual), np.squeeze(w), rtol=RTOL, atol=ATOL)


CASES = [(c, k) for c in ("lung", "lung_breslow_weights", "veteran_strata", "heart") for k in KINDS]


@pytest.mark.parametrize(("case", "kind"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_residual_kinds(case: str, kind: str) -> None:
    """Every residual type equals R's (Efron, Breslow + weights, strata, (start, stop])."""
    res = _fit(case)
    _close(res.residuals(kind), results("cox_residuals")[case][kind])


def test_schoenfeld_order_is_rs() -> None:
    """Schoenfeld rows follow R's (stratum, time) order; their times are the event times."""
    for case in ("lung", "veteran_strata", "heart"):
        res = _fit(case)
        times = res.design.stop[res.design.event == 1]
        np.testing.assert_array_equal(times, results("cox_residuals")[case]["schoenfeld_time"])


@pytest.mark.parametrize(
    ("label", "kind", "weighted"),
    [
        ("martingale_weighted", "martingale", True),
        ("score_weighted", "score", True),
        ("dfbeta_unweighted", "dfbeta", False),
    ],
)
def test_weighted_switch(label: str, kind: str, weighted: bool) -> None:
    """weighted= overrides R's per-kind default, as residuals(weighted = )."""
    res = _fit("lung_breslow_weights")
    want = results("cox_residuals")["lung_breslow_weights"][label]
    _close(res.residuals(kind, weighted=weighted), want)


def test_weighted_schoenfeld() -> None:
    """Weighted Schoenfeld residuals are R's unweighted ones times the death's weight.

    survival 3.5-3 multiplies by ``weights[deaths]`` with ``deaths`` in sorted order but the
    weights unsorted (``expected[...]["schoenfeld_weighted"]`` keeps that result); later survival
    versions use ``weights[ord][deaths]``, which is what this checks.
    """
    res = _fit("lung_breslow_weights")
    r = results("cox_residuals")["lung_breslow_weights"]
    d = _load("cox_lung")
    by_time = np.argsort(d["time"], kind="stable")  # R's order(time)
    w = d["w"][by_time][d["event"][by_time] == 1]
    _close(res.residuals("schoenfeld", weighted=True), np.array(r["schoenfeld"]) * w[:, None])


@pytest.mark.parametrize("kind", ["martingale", "deviance", "score", "dfbeta", "dfbetas"])
def test_collapse_per_patient(kind: str) -> None:
    """collapse= sums rows per patient (colon, two rows each), deviance after collapsing."""
    res = _fit("colon_collapsed")
    d = _load("cox_cluster_colon")
    got = res.residuals(kind, collapse=d["id"])
    want = np.array(results("cox_residuals")["colon_collapsed"][kind], dtype=object)
    want = np.where(want == None, np.nan, want).astype(float)  # noqa: E711 (R NaN -> null)
    np.testing.assert_allclose(np.squeeze(got), np.squeeze(want), rtol=RTOL, atol=ATOL)


def test_exact_fit_residuals() -> None:
    """Exact fits: martingale and deviance (Breslow increments, as R); score kinds refused."""
    res = _fit("exact")
    r = results("cox_residuals")["exact"]
    _close(res.residuals("martingale"), r["martingale"])
    _close(res.residuals("deviance"), r["deviance"])
    with pytest.raises(InputError, match="exact"):
        res.residuals("score")
