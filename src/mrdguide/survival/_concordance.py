"""Harrell's concordance index in O(n log n), equal to R ``survival::concordance``.

The pair counts are two-dimensional dominance counts (later in time *and* lower in score). They are
computed by a bottom-up merge sort written with vectorised ``np.searchsorted`` calls: at each of
the ``log2 n`` levels every element of a right half block learns how much weight of its left half
lies below (and level with) its score, and the two sorted halves are merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_events, as_labels, as_times, check_lengths

__all__ = ["ConcordanceResult", "concordance_counts", "concordance_index"]

T = TypeVar("T", bound=np.generic)
BASE = 16  # block size counted by brute force before the merge levels


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcordanceResult:
    """Harrell's C with the (weighted) pair counts of R's ``concordance()``.

    ``tied_risk``, ``tied_time`` and ``tied_both`` are R's ``tied.x``, ``tied.y`` and ``tied.xy``.
    """

    concordance: float
    concordant: float
    discordant: float
    tied_risk: float
    tied_time: float
    tied_both: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _lower_before(u: IntArray, weight: FloatArray | None) -> FloatArray:
    """For each item of a sequence, the weight of earlier items with a lower key.

    ``u`` must be a permutation of ``0..n-1`` (unique keys); ``weight=None`` means unit weights
    (counts, a faster path). Bottom-up merge sort: at each level
    the right half of every block looks up, with one ``searchsorted``, how much weight of the
    sorted left half lies below each key; the halves are then merged by index scatters.
    """
    n = u.size
    size = 1
    while size < n:
        size *= 2
    half = size // 2
    key = np.arange(size, dtype=np.int64)  # padding keys sort last and carry no weight
    key[:n] = u
    unit = weight is None
    wt = np.zeros(size)
    wt[:n] = 1.0 if weight is None else weight
    item = np.arange(size, dtype=np.int64)
    ar = np.arange(half, dtype=np.int64)
    cw = np.zeros(half + 1)
    width = min(BASE, size)
    key, wt, acc, item = _base_blocks(key, wt, width)
    while width < size:
        nb = size // (2 * width)
        first = (ar // width) * width  # start of each left half, in the left-half array
        blk = first * (size // width)  # block offset, keeps keys of different blocks apart
        lk = key.reshape(nb, 2, width)[:, 0, :].ravel() + blk
        rk = key.reshape(nb, 2, width)[:, 1, :].ravel() + blk
        pos = np.searchsorted(lk, rk)
        if unit:  # padding sorts last, so counts need no weights
            acc.reshape(nb, 2, width)[:, 1, :] += (pos - first).reshape(nb, width)
        else:
            np.cumsum(wt.reshape(nb, 2, width)[:, 0, :].ravel(), out=cw[1:])
            acc.reshape(nb, 2, width)[:, 1, :] += (cw[pos] - cw[first]).reshape(nb, width)
        dest_r = ar + pos  # = 2 * first + (j - first) + (pos - first)
        mask = np.ones(size, dtype=bool)
        mask[dest_r] = False
        dest_l = np.flatnonzero(mask)
        key = _merge(key, nb, width, dest_l, dest_r)
        if not unit:
            wt = _merge(wt, nb, width, dest_l, dest_r)
        acc = _merge(acc, nb, width, dest_l, dest_r)
        item = _merge(item, nb, width, dest_l, dest_r)
        width *= 2
    result = np.empty(size)
    result[item] = acc
    return result[:n]


def _base_blocks(
    key: IntArray, wt: FloatArray, width: int
) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
    """Count within blocks of ``width`` items by brute force, then sort each block by key."""
    nb = key.size // width
    k2, w2 = key.reshape(nb, width), wt.reshape(nb, width)
    earlier = np.tri(width, width, -1, dtype=bool)  # [i, j]: j before i
    acc = np.zeros((nb, width))
    for i in range(1, width):
        lower = (k2[:, :i] < k2[:, i : i + 1]) & earlier[i, :i]
        acc[:, i] = np.sum(np.where(lower, w2[:, :i], 0.0), axis=1)
    order = np.argsort(k2, axis=1, kind="stable")
    rows = np.arange(nb)[:, None]
    item = (rows * width + order).ravel()
    return (
        k2[rows, order].ravel(),
        w2[rows, order].ravel(),
        acc[rows, order].ravel(),
        item.astype(np.int64),
    )


def _merge(v: NDArray[T], nb: int, width: int, dest_l: IntArray, dest_r: IntArray) -> NDArray[T]:
    """Scatter the left and right halves of every block of ``v`` to their merged positions."""
    v3 = v.reshape(nb, 2, width)
    out = np.empty_like(v)
    out[dest_l] = v3[:, 0, :].ravel()
    out[dest_r] = v3[:, 1, :].ravel()
    return out


def _group_before(keys: tuple[IntArray | FloatArray, ...], weight: FloatArray) -> FloatArray:
    """Weight of earlier items (in sequence order) sharing all ``keys``."""
    n = weight.size
    order = np.lexsort((np.arange(n), *keys[::-1]))
    ws = weight[order]
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
    for k in keys:
        ks = k[order]
        new[1:] |= ks[1:] != ks[:-1]
    cum = np.cumsum(ws) - ws
    starts = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    out = np.empty(n)
    out[order] = cum - cum[starts]
    return out


def _dominance(
    key: FloatArray,
    is_query: np.ndarray[Any, np.dtype[np.bool_]],
    order_type: IntArray,
    stratum: IntArray,
    score: FloatArray,
    weight: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weight of points before each item in (stratum desc, key desc, type) order.

    Returns (lower score, equal score, all) per item, restricted to the item's own stratum.
    """
    m = key.size
    seq = np.lexsort((order_type, -key, -stratum))
    pos = np.empty(m, dtype=np.int64)
    pos[seq] = np.arange(m)
    w_pts = np.where(is_query, 0.0, weight)
    # unique keys: stratum-major, then score; at equal score queries first, then later items
    u = np.empty(m, dtype=np.int64)
    u[np.lexsort((-pos, ~is_query, score, stratum))] = np.arange(m)
    less = np.empty(m)
    less[seq] = _lower_before(u[seq], w_pts[seq])
    eq = np.empty(m)
    eq[seq] = _group_before((stratum[seq], score[seq]), w_pts[seq])
    tot = np.empty(m)
    tot[seq] = _group_before((stratum[seq],), w_pts[seq])
    return less, eq, tot


def _run_starts(new: np.ndarray[Any, np.dtype[np.bool_]]) -> IntArray:
    idx = np.arange(new.size, dtype=np.int64)
    out: IntArray = np.maximum.accumulate(np.where(new, idx, 0))
    return out


def _tied_pairs(
    new: np.ndarray[Any, np.dtype[np.bool_]], ev: np.ndarray[Any, np.dtype[np.bool_]], w: FloatArray
) -> float:
    """Sum of w_i w_j over pairs of events in the same run (runs start where ``new``)."""
    first = np.flatnonzero(new)
    s1 = np.add.reduceat(w * ev, first)
    s2 = np.add.reduceat(w * w * ev, first)
    return float(np.sum(s1 * s1 - s2) / 2.0)


def _stop_counts(
    stop: FloatArray, event: IntArray, score: FloatArray, strata: IntArray, w: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, float, float]:
    """(lower, equal, all) weight of the subjects at risk after each row's time, per row.

    Rows are put in (stratum desc, time desc, censored first, events by score desc) order, so
    everything before an event's run of tied events is "later" (or censored at its time). Only
    the values at event rows are meaningful. Also returns the tied-time and tied-both pair
    weights (R's ``tied.y + tied.xy`` and ``tied.xy``).
    """
    n = stop.size
    isev = event == 1
    by_score = np.argsort(score, kind="stable")
    ss = score[by_score]
    sr = np.empty(n, dtype=np.int64)
    sr[by_score] = np.cumsum(np.r_[False, ss[1:] != ss[:-1]])  # dense rank of the score
    nr = int(sr.max()) + 1 if n else 1
    # runs of equal (stratum, time) in (stratum desc, time desc) order, then one integer sort
    one_stratum = bool(np.all(strata == strata[0]))
    o1 = np.argsort(-stop, kind="stable") if one_stratum else np.lexsort((-stop, -strata))
    st1, tm1 = strata[o1], stop[o1]
    run = np.cumsum(np.r_[True, (tm1[1:] != tm1[:-1]) | (st1[1:] != st1[:-1])]) - 1
    e1 = isev[o1]
    seq = o1[np.argsort((run * 2 + e1) * nr + np.where(e1, nr - 1 - sr[o1], 0), kind="stable")]
    st, tm, ev, sc, ws = strata[seq], stop[seq], isev[seq], score[seq], w[seq]
    cum = np.r_[0.0, np.cumsum(ws)]
    new_str = np.r_[True, st[1:] != st[:-1]]
    new_run = new_str | np.r_[True, (tm[1:] != tm[:-1]) | (ev[1:] != ev[:-1])]
    run_start = _run_starts(new_run)
    tot = cum[run_start] - cum[_run_starts(new_str)]
    # unique keys: stratum, then score, then later sequence position first
    idx = np.arange(n, dtype=np.int64)
    if one_stratum and nr == n:  # distinct scores: the score order is the key order
        pos = np.empty(n, dtype=np.int64)
        pos[seq] = idx
        uord = pos[by_score]
    else:
        uord = np.argsort((st * nr + sr[seq]) * n + (n - 1 - idx))
    u = np.empty(n, dtype=np.int64)
    u[uord] = idx
    less = _lower_before(u, None if bool(np.all(ws == 1.0)) else ws)
    # equal score: earlier rows come after in u-order within a (stratum, score) group
    stu, scu = st[uord], sc[uord]
    new_g = np.r_[True, (stu[1:] != stu[:-1]) | (scu[1:] != scu[:-1])]
    starts = np.flatnonzero(new_g)
    gend = np.r_[starts[1:], n][np.cumsum(new_g) - 1]
    cu = np.r_[0.0, np.cumsum(ws[uord])]
    eq = np.empty(n)
    eq[uord] = cu[gend] - cu[idx + 1]
    # ... minus tied events earlier in the same run with the same score
    new_sub = new_run | np.r_[True, sc[1:] != sc[:-1]]
    eq -= cum[idx] - cum[_run_starts(new_sub)]
    tied_time = _tied_pairs(new_run, ev, ws)
    tied_both = _tied_pairs(new_sub, ev, ws)
    out = [np.empty(n) for _ in range(3)]
    for o, v in zip(out, (less, eq, tot), strict=True):
        o[seq] = v
    return out[0], out[1], out[2], tied_time - tied_both, tied_both


def concordance_counts(
    stop: FloatArray,
    event: IntArray,
    score: FloatArray,
    strata: IntArray,
    weights: FloatArray,
    start: FloatArray | None = None,
) -> ConcordanceResult:
    """Weighted pair counts; higher ``score`` means higher risk (R's ``reverse=TRUE``)."""
    n = stop.size
    ev = np.flatnonzero(event == 1)
    less, eq, tot, tied_y, tied_xy = _stop_counts(stop, event, score, strata, weights)
    less, eq, tot = less[ev], eq[ev], tot[ev]
    if start is not None:
        # subtract rows not yet at risk: start >= t (points with equal start sort first)
        q = np.r_[np.zeros(n, bool), np.ones(ev.size, bool)]
        st = np.r_[strata, strata[ev]]
        sr = np.r_[score, score[ev]]
        w = np.r_[weights, weights[ev]]
        key = np.r_[start, stop[ev]]
        typ = np.r_[np.zeros(n, dtype=np.int64), np.ones(ev.size, dtype=np.int64)]
        l2, e2, t2 = (v[n:] for v in _dominance(key, q, typ, st, sr, w))
        less, eq, tot = less - l2, eq - e2, tot - t2
    wi = weights[ev]
    conc = float(wi @ less)
    tied_x = float(wi @ eq)
    disc = float(wi @ (tot - less - eq))
    denom = conc + disc + tied_x
    c = (conc + tied_x / 2.0) / denom if denom > 0 else float("nan")
    return ConcordanceResult(
        concordance=c,
        concordant=conc,
        discordant=disc,
        tied_risk=tied_x,
        tied_time=tied_y,
        tied_both=tied_xy,
    )


def concordance_index(
    time: Any,
    event: Any,
    risk_score: Any,
    *,
    strata: Any = None,
) -> ConcordanceResult:
    """Harrell's concordance index for right-censored data.

    Parameters
    ----------
    time : array-like of float
        Follow-up times (>= 0).
    event : array-like of {0, 1}
        1 = event, 0 = censored.
    risk_score : array-like of float
        Predicted risk: **a higher score means a higher risk, i.e. an earlier event** (a Cox
        linear predictor). For predicted survival times, pass their negation.
    strata : array-like, optional
        Pairs are only compared within a stratum.

    Returns
    -------
    ConcordanceResult
        ``concordance`` = (concordant + tied_risk / 2) / (concordant + discordant + tied_risk).

    Notes
    -----
    Equals R ``survival::concordance(Surv(time, event) ~ risk_score + strata(s), reverse =
    TRUE)`` (``timewt = "n"``). A pair is comparable when the earlier time is an event; an event
    and a censoring at the same time are comparable (the censored subject is taken to outlive the
    event), two events at the same time are not (``tied_time``). Pairs tied in score count 1/2.
    Runs in O(n log n) time.
    """
    t = as_times(time)
    e = as_events(event)
    s = np.asarray(risk_score, dtype=np.float64).reshape(-1)
    check_lengths(time=t.size, event=e.size, risk_score=s.size)
    if not np.all(np.isfinite(s)):
        raise InputError(
            "risk_score holds NaN or infinite values", field="risk_score", rule="finite"
        )
    codes = (
        np.zeros(t.size, dtype=np.int64)
        if strata is None
        else as_labels(strata, t.size, "strata")[1]
    )
    return concordance_counts(t, e, s, codes, np.ones(t.size))
