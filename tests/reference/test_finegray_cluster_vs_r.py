"""fine_gray(cluster=, offset=) against R (r/finegray_cluster.R).

Without censoring, Fine–Gray is a Breslow Cox model on finegray() data, so R's
``coxph(..., weights = fgwt, cluster = )`` is an exact reference for the grouped sandwich. crr
(which fine_gray reproduces) stops at its gradient tolerance while coxph converges fully: the
public fits agree to ~1e-6 (coefficients) and ~2e-5 (variances); evaluated at R's coefficients
the cluster variance agrees to ~1e-12.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import fine_gray
from mrdguide.survival._cox_inputs import as_cluster
from mrdguide.survival._cox_variance import collapse_rows
from mrdguide.survival._fg_core import prepare_fg, variance_terms

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
COLS = ["age", "male", "hgb", "creat", "mspike"]
CASES: list[tuple[str, dict[str, str]]] = [
    ("cox_id", {"cluster": "id"}),
    ("cox_center", {"cluster": "center"}),
    ("cox_center_offset", {"cluster": "center", "offset": "off"}),
]


def _data() -> tuple[dict[str, np.ndarray], np.ndarray]:
    d = read_csv("finegray_cluster", "finegray_cluster")
    return d, np.column_stack([d[c] for c in COLS])


def test_singleton_clusters_equal_crr() -> None:
    """Without cluster= the variance is crr's (each subject its own cluster)."""
    d, x = _data()
    r = results("finegray_cluster")["crr"]
    res = fine_gray(x, d["etime"], d["cause"].astype(int))
    np.testing.assert_allclose(res.coef, r["coef"], rtol=1e-10)
    np.testing.assert_allclose(res.covariance, r["covariance"], rtol=1e-9)
    same = fine_gray(x, d["etime"], d["cause"].astype(int), cluster=d["id"])
    np.testing.assert_allclose(same.covariance, res.covariance, rtol=1e-12)
    assert (res.variance, same.variance, same.n_clusters) == ("robust", "cluster", d["id"].size)


@pytest.mark.parametrize(("label", "kw"), CASES, ids=[c[0] for c in CASES])
def test_public_fit_against_coxph(label: str, kw: dict[str, str]) -> None:
    """Coefficients and the grouped sandwich equal coxph(cluster = ) up to crr's tolerance."""
    d, x = _data()
    r = results("finegray_cluster")[label]
    args: dict[str, Any] = {k: d[v] for k, v in kw.items()}
    res = fine_gray(x, d["etime"], d["cause"].astype(int), **args)
    np.testing.assert_allclose(res.coef, r["coef"], rtol=2e-6)
    np.testing.assert_allclose(res.covariance, r["covariance"], rtol=5e-5)
    assert res.variance == "cluster"


@pytest.mark.parametrize(("label", "kw"), CASES, ids=[c[0] for c in CASES])
def test_cluster_sandwich_at_r_coefficients(label: str, kw: dict[str, str]) -> None:
    """At R's (fully converged) coefficients the grouped sandwich equals R's to 1e-10."""
    d, x = _data()
    r = results("finegray_cluster")[label]
    off = d.get(kw.get("offset", ""), None)
    fg = prepare_fg(x, d["etime"], d["cause"].astype(np.int64), 1, off)
    infl, info, _ = variance_terms(fg, np.asarray(r["coef"]))
    cl = as_cluster(d[kw["cluster"]], x.shape[0])
    assert cl is not None
    u = collapse_rows(infl, cl[0][fg.order], cl[1])
    hinv = np.linalg.inv(info)
    np.testing.assert_allclose(hinv @ (u.T @ u) @ hinv, r["covariance"], rtol=1e-10)
