"""K-sample (stratified) G-rho log-rank test, matching R ``survival::survdiff``.

Notes
-----
R-compatibility choices (survival 3.5-3):

* Weights are ``S(t-)^rho`` with S the left-continuous Kaplan–Meier estimate of the pooled data
  *within each stratum* (survdiff's C code). ``rho=0`` is the log-rank test and ``rho=1`` R's
  Peto–Peto modification of the Gehan–Wilcoxon test (not lifelines' ``"peto"``).
* ``observed`` and ``expected`` are the weighted sums over strata, as ``survdiff``'s ``obs`` and
  ``exp`` (so they are non-integer for ``rho != 0``).
* A singular variance (for example when every subject at risk fails at the same time) raises
  :class:`~mrdguide.errors.EstimationError`, where R's ``solve`` stops with an error.
* As in R, groups whose expected count is 0 are dropped, the first remaining group is left out
  of the quadratic form, and ``df`` is the number of remaining groups minus one. With fewer than
  two such groups the statistic is 0 on 0 df (p-value 1); R reports the same statistic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import EstimationError, InputError
from mrdguide.survival._dist import chi2_sf
from mrdguide.survival._ties import check_timefix, merge_sorted, timefixed
from mrdguide.survival._types import FloatArray, IntArray, TestResult
from mrdguide.survival._validate import as_events, as_labels, as_times, check_lengths

__all__ = ["logrank_test"]


def _cumcount(x: NDArray[Any]) -> IntArray:
    """Counts of true (or summed) values before each position, length n + 1."""
    out = np.zeros(x.size + 1, dtype=np.int64)
    np.cumsum(x, out=out[1:])
    return out


def _per_time(x: NDArray[Any], bounds: IntArray) -> IntArray:
    """Sum of ``x`` within each block ``bounds[i]:bounds[i + 1]`` (cumulative-count form)."""
    out: IntArray = np.diff(_cumcount(x)[bounds])
    return out


def _stratum(
    t: FloatArray, e: IntArray, g: IntArray, ng: int, rho: float, *, timefix: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted observed, expected (ng,) and covariance (ng, ng) for one stratum.

    One sort; per-group risk sets come from cumulative counts along the sorted order
    (at-risk at a distinct time = subjects at or after its first sorted position), so only
    1-D passes over the data are needed and the tables live on the event times only.
    ``timefix`` merges near-tied times after the sort (unstratified case only: with strata
    the merge is done once on the pooled times, as R).
    """
    n = t.size
    order = np.argsort(t)
    ts = t[order]
    if timefix:
        ts = merge_sorted(ts)
    code = (g * 2 + e)[order]  # one gather for group and event
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    bounds = np.append(np.flatnonzero(new), n)
    dtot_all = _per_time(code & 1, bounds)
    hit = np.flatnonzero(dtot_all)
    first = bounds[hit]
    dtot = dtot_all[hit].astype(np.float64)
    ntot = (n - first).astype(np.float64)
    risk = np.empty((ng, first.size))  # (group, event time): time on the contiguous axis
    deaths = np.empty((ng, first.size))
    for k in range(ng - 1):
        before = _cumcount(code >> 1 == k)
        risk[k] = before[-1] - before[first]
        deaths[k] = _per_time(code == 2 * k + 1, bounds)[hit]
    risk[-1] = ntot - risk[:-1].sum(axis=0)  # last group by difference
    deaths[-1] = dtot - deaths[:-1].sum(axis=0)
    share = dtot / ntot
    with np.errstate(divide="ignore", invalid="ignore"):
        kt = np.where(ntot > 1, share * (ntot - dtot) / (ntot - 1.0), 0.0)
    if rho != 0:
        km = np.cumprod(1.0 - share)
        wt = np.concatenate(([1.0], km))[: ntot.size] ** rho
        obs = (deaths * wt).sum(axis=1)
        share = share * wt
        kt = kt * (wt * wt)
    else:
        obs = deaths.sum(axis=1)
    expct = (risk * share).sum(axis=1)
    scaled = risk * (kt / ntot)
    cov = np.empty((ng, ng))
    for j in range(ng):  # k is small: row sums instead of BLAS calls on tall-thin matrices
        for k in range(j, ng):
            cov[j, k] = cov[k, j] = -np.dot(scaled[j], risk[k])
    cov[np.diag_indices(ng)] += (risk * kt).sum(axis=1)
    return obs, expct, cov


def logrank_test(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    timefix: bool = True,
) -> TestResult:
    """G-rho family test of equal survival across groups, as R ``survdiff``.

    Parameters
    ----------
    time : array-like
        Follow-up times, finite and >= 0.
    event : array-like
        1 = event, 0 = censored.
    group : array-like
        Group labels (two or more distinct values).
    strata : array-like, optional
        Stratum labels; the test sums observed, expected and variance over strata.
    rho : float
        Weight power: 0 log-rank, 1 Peto–Peto.
    timefix : bool
        Merge times that differ only by floating-point rounding first, with R's rule
        (``survdiff(timefix = TRUE)``, R's default); the merge pools all strata.

    Returns
    -------
    TestResult
        ``statistic, df, p_value``; ``observed`` and ``expected`` per group in sorted label order.

    Raises
    ------
    InputError
        For invalid inputs or fewer than two groups.
    """
    t = as_times(time, "time")
    e = as_events(event, "event")
    check_lengths(time=t.size, event=e.size)
    levels, g = as_labels(group, t.size, "group")
    if levels.size < 2:
        raise InputError(
            "logrank_test needs at least two groups", field="group", rule=">= 2 groups"
        )
    ng = levels.size
    fix = check_timefix(timefix)
    obs = np.zeros(ng)
    expct = np.zeros(ng)
    cov = np.zeros((ng, ng))
    if strata is None:
        parts: list[IntArray | slice] = [slice(None)]
    else:
        s_levels, s = as_labels(strata, t.size, "strata")
        parts = [np.flatnonzero(s == k) for k in range(s_levels.size)]
        t, fix = timefixed(t, fix), False
    for part in parts:
        o_k, e_k, v_k = _stratum(t[part], e[part], g[part], ng, float(rho), timefix=fix)
        obs += o_k
        expct += e_k
        cov += v_k
    return _chisq(obs, expct, cov)


def _chisq(obs: FloatArray, expct: FloatArray, cov: FloatArray) -> TestResult:
    keep = np.flatnonzero(expct > 0)
    df = keep.size - 1
    if keep.size < 2:
        return TestResult(statistic=0.0, df=max(df, 0), p_value=1.0, observed=obs, expected=expct)
    diff = (obs - expct)[keep][1:]
    vv = cov[np.ix_(keep, keep)][1:, 1:]
    try:
        stat = float(diff @ np.linalg.solve(vv, diff))
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "log-rank variance is singular (e.g. every subject at risk fails at one time); "
            "R's survdiff fails the same way"
        ) from exc
    return TestResult(
        statistic=stat, df=df, p_value=chi2_sf(float(stat), df), observed=obs, expected=expct
    )
