"""Concordance (Harrell's C and its time-weighted variants) with R's standard error.

Equal to R ``survival::concordance`` / ``coxph()$concordance``: the weighted pair counts are
two-dimensional dominance counts computed in O(n log n) (:mod:`._conc_pairs`), and the standard
error is R's infinitesimal-jackknife one, built from each row's share of the concordant,
discordant and tied pairs (summed within clusters when there are clusters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._conc_pairs import Pairs, pair_counts
from mrdguide.survival._conc_timewt import time_weights
from mrdguide.survival._cox_inputs import apply_timefix, as_cluster
from mrdguide.survival._cox_variance import collapse_rows
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_events, as_labels, as_times, as_weights, check_lengths

__all__ = ["ConcordanceResult", "concordance_counts", "concordance_index"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcordanceResult:
    """Concordance with the (weighted, time-weighted) pair counts of R's ``concordance()``.

    ``tied_risk``, ``tied_time`` and ``tied_both`` are R's ``tied.x``, ``tied.y`` and
    ``tied.xy``. ``std_err`` is R's ``sqrt(var)`` (NaN when not computed); ``timewt`` the
    time weighting (``"n"`` = Harrell's C).
    """

    concordance: float
    concordant: float
    discordant: float
    tied_risk: float
    tied_time: float
    tied_both: float
    std_err: float
    timewt: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _std_err(
    pairs: Pairs,
    ev: np.ndarray[Any, np.dtype[np.bool_]],
    w: FloatArray,
    tw: FloatArray,
    counts: tuple[float, float, float],
    cluster: tuple[IntArray, int] | None,
) -> float:
    """R's infinitesimal-jackknife standard error of C (dfbeta of each row, or cluster)."""
    conc, disc, tied = counts
    npair = conc + disc + tied
    if npair <= 0:
        return float("nan")
    somers = (conc - disc) / npair
    tl = np.where(ev, tw, 0.0)
    ic = tl * pairs.lower + pairs.e_higher
    idisc = tl * (pairs.total - pairs.lower - pairs.equal) + (
        pairs.e_total - pairs.e_higher - pairs.e_equal
    )
    it = tl * pairs.equal + pairs.e_equal
    dfb = (w * ((ic - idisc) - (ic + idisc + it) * somers) / (2.0 * npair))[:, None]
    if cluster is not None:
        dfb = collapse_rows(dfb, cluster[0], cluster[1])
    return float(np.sqrt(np.sum(dfb * dfb)))


def concordance_counts(
    stop: FloatArray,
    event: IntArray,
    score: FloatArray,
    strata: IntArray,
    weights: FloatArray,
    start: FloatArray | None = None,
    *,
    timewt: str = "n",
    ymax: float | None = None,
    cluster: IntArray | None = None,
    std_err: bool = False,
    presorted: bool = False,
) -> ConcordanceResult:
    """Weighted pair counts; higher ``score`` means higher risk (R's ``reverse=TRUE``).

    Inputs are validated arrays (``strata`` and ``cluster`` integer codes); ``presorted``:
    rows sorted by (stratum, stop) ascending.
    """
    tw_opt = time_weights(stop, event, strata, weights, start, timewt, ymax)
    tw = np.ones(stop.size) if tw_opt is None else tw_opt
    pairs = pair_counts(
        stop, event, score, strata, weights, tw, start, later=std_err, presorted=presorted
    )
    ev = event == 1
    wt = np.where(ev, weights * tw, 0.0)
    conc = float(wt @ pairs.lower)
    tied_x = float(wt @ pairs.equal)
    disc = float(wt @ (pairs.total - pairs.lower - pairs.equal))
    denom = conc + disc + tied_x
    c = (conc + tied_x / 2.0) / denom if denom > 0 else float("nan")
    se = float("nan")
    if std_err:
        cl = None if cluster is None else (cluster, int(cluster.max()) + 1)
        se = _std_err(pairs, ev, weights, tw, (conc, disc, tied_x), cl)
    return ConcordanceResult(
        concordance=c,
        concordant=conc,
        discordant=disc,
        tied_risk=tied_x,
        tied_time=pairs.tied_time,
        tied_both=pairs.tied_both,
        std_err=se,
        timewt=timewt,
    )


def concordance_index(
    time: Any,
    event: Any,
    risk_score: Any,
    *,
    strata: Any = None,
    entry: Any = None,
    weights: Any = None,
    cluster: Any = None,
    timewt: str = "n",
    ymax: float | None = None,
    timefix: bool = True,
    std_err: bool = True,
) -> ConcordanceResult:
    """Concordance index for right-censored (or counting-process) data, with its SE.

    Parameters
    ----------
    time : array-like of float
        Follow-up times (>= 0); with ``entry`` the end of the interval ``(entry, time]``.
    event : array-like of {0, 1}
        1 = event, 0 = censored.
    risk_score : array-like of float
        Predicted risk: **a higher score means a higher risk, i.e. an earlier event** (a Cox
        linear predictor). For predicted survival times, pass their negation.
    strata : array-like, optional
        Pairs are only compared within a stratum.
    entry : array-like of float, optional
        Start of each row's at-risk interval (counting-process data).
    weights : array-like of float, optional
        Case weights; a pair (i, j) has weight ``w_i w_j``.
    cluster : array-like, optional
        Cluster labels: the standard error sums each cluster's influence first.
    timewt : {"n", "S", "S/G", "n/G2", "I"}
        Time weighting of the pairs (see Notes). ``"n"`` is Harrell's C, ``"n/G2"`` Uno's C.
    ymax : float, optional
        Ignore pairs whose earlier event is after ``ymax`` (R's ``ymax``; Uno's ``tau``).
    timefix : bool
        Merge near-tied times first, as R (``aeqSurv``).
    std_err : bool
        Compute the standard error (a second counting pass).

    Returns
    -------
    ConcordanceResult
        ``concordance`` = (concordant + tied_risk / 2) / (concordant + discordant + tied_risk).

    Notes
    -----
    Equals R ``survival::concordance(Surv(time, event) ~ risk_score + strata(s), weights=,
    cluster=, timewt=, ymax=, reverse = TRUE)``. A pair is comparable when the earlier time is
    an event; an event and a censoring at the same time are comparable (the censored subject is
    taken to outlive the event), two events at the same time are not (``tied_time``). Pairs
    tied in score count 1/2. The time weights (``timewt``) are those of R's
    ``concordancefit``: ``"S"`` = W S(t-)/n(t), ``"S/G"`` = W S(t-)/(G(t-) n(t)), ``"n/G2"`` =
    1/G(t-)^2, ``"I"`` = 1/n(t), with ``W`` the total weight, ``n(t)`` the number at risk and
    ``S``/``G`` the Kaplan–Meier estimates of survival and censoring, per stratum. The standard
    error is R's ``sqrt(var)``: the infinitesimal jackknife over rows (or clusters), treating the
    time weights as fixed. Runs in O(n log n) time.
    """
    t = as_times(time)
    e = as_events(event)
    s = np.asarray(risk_score, dtype=np.float64).reshape(-1)
    check_lengths(time=t.size, event=e.size, risk_score=s.size)
    if not np.all(np.isfinite(s)):
        raise InputError(
            "risk_score holds NaN or infinite values", field="risk_score", rule="finite"
        )
    start = None
    if entry is not None:
        start = as_times(entry, "entry")
        check_lengths(time=t.size, entry=start.size)
        if np.any(start >= t):
            raise InputError("entry must be < time", field="entry", rule="entry < time")
    if timefix:
        t, start = apply_timefix(t, start)
    codes = (
        np.zeros(t.size, dtype=np.int64)
        if strata is None
        else as_labels(strata, t.size, "strata")[1]
    )
    cl = as_cluster(cluster, t.size)
    if ymax is not None and not np.isfinite(float(ymax)):
        raise InputError("ymax must be a finite number", field="ymax", value=ymax, rule="finite")
    return concordance_counts(
        t,
        e,
        s,
        codes,
        as_weights(weights, t.size),
        start,
        timewt=timewt,
        ymax=None if ymax is None else float(ymax),
        cluster=None if cl is None else cl[0],
        std_err=std_err,
    )
