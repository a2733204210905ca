"""Aliasing checks and the robust (sandwich) variance of a Cox fit, internal.

The robust variance is R's: ``D' D`` with ``D`` the (case-weighted) dfbeta residuals, summed
within each cluster first when there are clusters (R's ``cluster(id)``: the grouped sandwich
of Lin & Wei, *JASA* 1989). Without clusters every row is its own cluster.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mrdguide.survival._cox_core import CoxEval, PrepLike, score_residuals
from mrdguide.survival._dist import chi2_sf
from mrdguide.survival._types import FloatArray, IntArray, TestResult

__all__ = ["TOLER_CHOL", "aliased", "chi2", "collapse_rows", "quad", "robust_variance"]

TOLER_CHOL = float(np.finfo(float).eps) ** 0.75  # R coxph.control(toler.chol)


def aliased(info: FloatArray, scale: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Columns a sequential (unpivoted) Cholesky finds singular, like R's ``cholesky2``.

    ``scale`` is R's covariate scaling (1 / mean absolute deviation), applied to the information.
    """
    m = info * np.outer(scale, scale)
    p = m.shape[0]
    eps = TOLER_CHOL * max(float(np.max(np.diag(m), initial=0.0)), 0.0)
    bad = np.zeros(p, dtype=bool)
    for i in range(p):
        piv = m[i, i]
        if not np.isfinite(piv) or piv < max(eps, 0.0) or piv <= 0:
            bad[i] = True
            m[i, :] = 0.0
            m[:, i] = 0.0
            continue
        col = m[i + 1 :, i] / piv
        m[i + 1 :, i + 1 :] -= np.outer(col, m[i, i + 1 :])
    return bad


def chi2(stat: float, df: int) -> TestResult:
    """A chi-square test result."""
    return TestResult(statistic=float(stat), df=int(df), p_value=chi2_sf(float(stat), df))


def quad(u: FloatArray, m: FloatArray) -> float:
    """``u' m^{-1} u``."""
    return float(u @ np.linalg.solve(m, u))


def collapse_rows(values: FloatArray, codes: IntArray | None, n_groups: int | None) -> FloatArray:
    """Sum the rows of ``values`` (n, p) within groups (R ``rowsum``); ``None``: unchanged."""
    if codes is None or n_groups is None:
        return values
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return out


def robust_variance(
    prep: PrepLike, ev: CoxEval, ev0: CoxEval, naive: FloatArray, n_clusters: int | None
) -> tuple[FloatArray, TestResult]:
    """Sandwich variance (grouped by ``prep.data.cluster``) and R's robust score test.

    The robust score test (R's ``rscore``) uses the weighted score residuals at beta = 0,
    summed within clusters.
    """
    data = prep.data
    w = data.weights[:, None]
    codes = data.cluster
    dfb = collapse_rows(w * (score_residuals(prep, ev) @ naive), codes, n_clusters)
    r0 = collapse_rows(w * score_residuals(prep, ev0), codes, n_clusters)
    u0 = r0.sum(axis=0)
    rvar: FloatArray = dfb.T @ dfb
    return rvar, chi2(quad(u0, r0.T @ r0), naive.shape[0])
