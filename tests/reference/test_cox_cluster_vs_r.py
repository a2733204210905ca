"""cox_ph(cluster=) against R coxph(cluster = id) (r/cox_cluster.R).

pbcseq counting-process rows built with tmerge (several rows per patient) and colon with two
rows per patient (recurrence and death, strata(etype)). Observed agreement ~1e-13; tolerance
1e-8 as the other Cox reference tests (iterative fit, same Newton path as R).
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import cox_ph

from ._rref import read_csv, results
from .cox_reftools import check_cox_summary

pytestmark = pytest.mark.reference
RTOL = 1e-8
PBC = ["log_bili", "log_protime", "albumin", "age"]
COLON = ["lev", "lev5fu", "extent", "node4"]


@pytest.mark.parametrize(
    ("label", "kw"),
    [("cluster", {}), ("cluster_breslow", {"ties": "breslow"}), ("naive", None)],
)
def test_pbcseq_cluster(label: str, kw: dict | None) -> None:
    """Grouped sandwich over patients (several (start, stop] rows each) equals R's."""
    d = read_csv("cox_cluster_pbcseq", "cox_cluster")
    x = np.column_stack([d[c] for c in PBC])
    extra = {} if kw is None else {"cluster": d["id"], **kw}
    res = cox_ph(x, d["stop"], d["event"], entry=d["start"], **extra)
    check_cox_summary(res, results("cox_cluster")["pbcseq"][label], RTOL)
    assert res.variance == ("model" if kw is None else "cluster")
    assert res.n_clusters == (None if kw is None else 312)


@pytest.mark.parametrize(
    ("label", "kw"),
    [
        ("cluster", {"cluster": "id"}),
        ("per_row", {"robust": True}),
        ("cluster_weights", {"cluster": "id", "weights": "w"}),
    ],
)
def test_colon_cluster(label: str, kw: dict) -> None:
    """Two rows per patient: cluster(id) vs each row its own cluster, as R."""
    d = read_csv("cox_cluster_colon", "cox_cluster", key="input2_sha256")
    x = np.column_stack([d[c] for c in COLON])
    extra = {k: (d[v] if isinstance(v, str) else v) for k, v in kw.items()}
    res = cox_ph(x, d["time"], d["event"], strata=d["etype"], **extra)
    check_cox_summary(res, results("cox_cluster")["colon"][label], RTOL)
    assert res.variance == ("robust" if label == "per_row" else "cluster")


def test_cluster_changes_the_standard_errors() -> None:
    """The issue's point: per-row robust SEs are far from the clustered ones on colon."""
    d = read_csv("cox_cluster_colon", "cox_cluster", key="input2_sha256")
    x = np.column_stack([d[c] for c in COLON])
    per_row = cox_ph(x, d["time"], d["event"], strata=d["etype"], robust=True)
    clustered = cox_ph(x, d["time"], d["event"], strata=d["etype"], cluster=d["id"])
    np.testing.assert_allclose(per_row.coef, clustered.coef, rtol=0)
    assert np.all(clustered.std_err / per_row.std_err > 1.2)
