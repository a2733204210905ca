"""The trial kernel's fast Cox fit against R coxph(..., ties = "breslow", cluster = id).

Uses the committed pbcseq counting-process reference of r/cox_cluster.R (several (start, stop]
rows per patient, built with tmerge): the same data shape as the trial's time-dependent
analysis, where each eligible patient has an untreated and, once intensified, a treated row.
Observed agreement ~1e-13; tolerance 1e-8 as the other Cox reference tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.simulate._stats import cox_fit

from ._rref import as_num, read_csv, results

pytestmark = pytest.mark.reference
PBC = ["log_bili", "log_protime", "albumin", "age"]


def _fit(cluster: bool):  # type: ignore[no-untyped-def]
    d = read_csv("cox_cluster_pbcseq", "cox_cluster")
    x = np.column_stack([d[c] for c in PBC])
    codes = np.unique(d["id"], return_inverse=True)[1] if cluster else None
    return cox_fit(x, d["stop"], d["event"] > 0, d["start"], codes)


def test_fast_kernel_cluster_se_matches_r() -> None:
    """Coefficients, grouped-sandwich SE and model SE equal R's cluster(id) Breslow fit."""
    r = results("cox_cluster")["pbcseq"]["cluster_breslow"]
    fit = _fit(cluster=True)
    assert fit.converged
    assert fit.variance == "cluster"
    np.testing.assert_allclose(fit.beta, as_num(r["coef"]), rtol=1e-8)
    np.testing.assert_allclose(fit.se, as_num(r["std_err"]), rtol=1e-8)
    np.testing.assert_allclose(fit.naive_se, as_num(r["naive_std_err"]), rtol=1e-8)


def test_fast_kernel_without_cluster_reports_the_model_se() -> None:
    """Without cluster the SE is the inverse information, which differs from R's cluster SE."""
    r = results("cox_cluster")["pbcseq"]["cluster_breslow"]
    fit = _fit(cluster=False)
    assert fit.variance == "model"
    np.testing.assert_allclose(fit.se, as_num(r["naive_std_err"]), rtol=1e-8)
    assert np.max(np.abs(fit.se / as_num(r["std_err"]) - 1)) > 0.05
