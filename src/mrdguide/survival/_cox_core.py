"""Vectorised risk-set sums for the Cox partial likelihood (Efron and Breslow ties).

Internal module. The data are sorted once into a :class:`RiskSetIndex` and the product terms
``Z = w [1, x, x x']`` are built once (:func:`prepare`). Every Newton–Raphson iteration then sums
``exp(eta) Z`` over the segments between successive event times with one sparse (CSR) product,
accumulates the segment sums backwards within each stratum, and reduces the tie groups.
Counting-process data ``(start, stop]`` are handled by subtracting, at each event time ``t``, the
sums over rows with ``start >= t``; strata are kept apart by running every cumulative sum within
its stratum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from mrdguide.survival._types import FloatArray, IntArray

__all__ = [
    "CoxData",
    "CoxEval",
    "PrepLike",
    "Prepared",
    "RiskSetIndex",
    "build_index",
    "efron_sums",
    "evaluate",
    "event_pieces",
    "group_terms",
    "linear_predictor",
    "martingale_residuals",
    "prepare",
    "schoenfeld_residuals",
    "score_residuals",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CoxData:
    """The validated data of one Cox fit, sorted by (stratum, stop) (arrays are read-only).

    ``x`` holds only the estimable columns, centred; ``start`` is ``None`` for right-censored
    data and ``offset`` ``None`` without an offset. ``order`` maps the sorted rows back to the
    caller's: sorted row ``k`` is the caller's row ``order[k]`` (``None``: same order).
    ``cluster`` holds cluster codes 0..G-1 (``None``: no ``cluster=``); ``center`` is what was
    subtracted from each column of ``x`` (``None``: nothing).
    """

    x: FloatArray
    stop: FloatArray
    start: FloatArray | None
    event: IntArray
    weights: FloatArray
    strata: IntArray
    efron: bool
    offset: FloatArray | None = None
    order: IntArray | None = None
    cluster: IntArray | None = None
    center: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class RiskSetIndex:
    """Sort orders and tie-group positions of the distinct event times (per stratum)."""

    ord_stop: IntArray  # rows sorted by (stratum, stop)
    seg_stop: IntArray  # stratum boundaries in ord_stop (len = n_strata + 1)
    ord_start: IntArray | None  # rows sorted by (stratum, start)
    seg_start: IntArray | None
    ev_rows: IntArray  # event rows sorted by (stratum, stop)
    grp_first: IntArray  # first position of each tie group in ev_rows
    grp_size: IntArray  # deaths per tie group (unweighted count)
    grp_time: FloatArray
    grp_stratum: IntArray
    pos_stop: IntArray  # first position in ord_stop with stop >= t (same stratum)
    end_stop: IntArray  # end of the stratum in ord_stop
    pos_start: IntArray | None  # first position in ord_start with start >= t (same stratum)
    end_start: IntArray | None
    k_frac: FloatArray  # Efron fraction k/d for each event (0 for Breslow)
    ev_group: IntArray  # tie group of each event


def _keys(strata: IntArray, times: FloatArray, utimes: FloatArray) -> IntArray:
    rank = np.searchsorted(utimes, times).astype(np.int64)
    return strata * (utimes.size + 1) + rank


def build_index(data: CoxData) -> RiskSetIndex:
    """Sort the data once and locate each tie group's risk set."""
    all_t = data.stop if data.start is None else np.concatenate([data.stop, data.start])
    utimes = np.unique(all_t)
    k_stop = _keys(data.strata, data.stop, utimes)
    ord_stop = np.argsort(k_stop, kind="stable")
    sk_stop = k_stop[ord_stop]
    n_strata = int(data.strata.max()) + 1
    span = utimes.size + 1
    bounds = np.arange(n_strata + 1, dtype=np.int64) * span
    seg_stop = np.searchsorted(sk_stop, bounds)
    ev_rows = ord_stop[data.event[ord_stop] == 1]
    ev_keys = k_stop[ev_rows]
    new = np.r_[True, ev_keys[1:] != ev_keys[:-1]] if ev_rows.size else np.zeros(0, bool)
    grp_first = np.flatnonzero(new)
    grp_size = np.diff(np.r_[grp_first, ev_rows.size])
    gkeys = ev_keys[grp_first]
    grp_stratum = gkeys // span
    pos_stop = np.searchsorted(sk_stop, gkeys, side="left")
    end_stop = seg_stop[grp_stratum + 1]
    ord_start = seg_start = pos_start = end_start = None
    if data.start is not None:
        k_start = _keys(data.strata, data.start, utimes)
        ord_start = np.argsort(k_start, kind="stable")
        sk_start = k_start[ord_start]
        seg_start = np.searchsorted(sk_start, bounds)
        pos_start = np.searchsorted(sk_start, gkeys, side="left")
        end_start = seg_start[grp_stratum + 1]
    ev_group = np.repeat(np.arange(grp_first.size), grp_size)
    k_frac = (np.arange(ev_rows.size) - grp_first[ev_group]) / grp_size[ev_group]
    if not data.efron:
        k_frac = np.zeros_like(k_frac)
    return RiskSetIndex(
        ord_stop=ord_stop,
        seg_stop=seg_stop,
        ord_start=ord_start,
        seg_start=seg_start,
        ev_rows=ev_rows,
        grp_first=grp_first,
        grp_size=grp_size,
        grp_time=data.stop[ev_rows[grp_first]] if grp_first.size else np.zeros(0),
        grp_stratum=grp_stratum,
        pos_stop=pos_stop,
        end_stop=end_stop,
        pos_start=pos_start,
        end_start=end_start,
        k_frac=k_frac.astype(np.float64),
        ev_group=ev_group,
    )


@dataclass(frozen=True, slots=True)
class _Side:
    """Per-row terms in one sort order, reduced to segments between successive risk-set starts."""

    order: IntArray  # rows of the segments, in sort order (CSR column indices)
    bounds: IntArray  # CSR row pointers: segment k is order[bounds[k]:bounds[k + 1]]
    seg_strata: list[tuple[int, int]]  # segment ranges of each stratum
    grp_seg: IntArray  # segment where each group's risk set starts (-1: empty)


@dataclass(frozen=True, slots=True)
class Prepared:
    """Everything an iteration needs, precomputed once: sorted product terms ``Z = [1, x, x x']``.

    Only the upper triangle of ``x x'`` is kept (``tri``).
    """

    data: CoxData
    index: RiskSetIndex
    z: FloatArray  # [1, x, x x' (upper)] * weight, caller's row order
    z_ev: FloatArray
    ev_ptr: IntArray  # CSR row pointers of the tie groups over ev_rows
    stop_side: _Side
    start_side: _Side | None
    tri: tuple[IntArray, IntArray]


class PrepLike(Protocol):
    """What the residual and baseline code needs from a prepared fit (either path)."""

    @property
    def data(self) -> CoxData: ...

    @property
    def index(self) -> RiskSetIndex: ...


def _side(order: IntArray, seg: IntArray, pos: IntArray, end: IntArray) -> _Side:
    starts = seg[:-1][seg[:-1] < seg[1:]]
    valid = pos < end
    bounds = np.unique(np.r_[starts, pos[valid]]).astype(np.int64)
    grp_seg = np.full(pos.size, -1, dtype=np.int64)
    grp_seg[valid] = np.searchsorted(bounds, pos[valid])
    ranges = []
    for a, b in itertools.pairwise(seg):
        if b > a:
            ranges.append((int(np.searchsorted(bounds, a)), int(np.searchsorted(bounds, b))))
    first = int(bounds[0]) if bounds.size else order.size
    indptr = np.r_[bounds, order.size] - first
    return _Side(order=order[first:], bounds=indptr, seg_strata=ranges, grp_seg=grp_seg)


def prepare(data: CoxData, index: RiskSetIndex) -> Prepared:
    """Precompute the sorted product terms of the design (once per fit)."""
    x = data.x
    p = x.shape[1]
    iu = np.triu_indices(p)
    tri = (iu[0].astype(np.int64), iu[1].astype(np.int64))
    z = np.empty((x.shape[0], 1 + p + tri[0].size))
    z[:, 0] = 1.0
    z[:, 1 : 1 + p] = x
    np.multiply(x[:, tri[0]], x[:, tri[1]], out=z[:, 1 + p :])
    if not np.all(data.weights == 1.0):
        z *= data.weights[:, None]
    stop_side = _side(index.ord_stop, index.seg_stop, index.pos_stop, index.end_stop)
    start_side = None
    if index.ord_start is not None:
        assert index.seg_start is not None
        assert index.pos_start is not None
        assert index.end_start is not None
        start_side = _side(index.ord_start, index.seg_start, index.pos_start, index.end_start)
    return Prepared(
        data=data,
        index=index,
        z=z,
        z_ev=z[index.ev_rows],
        ev_ptr=np.r_[index.grp_first, index.ev_rows.size].astype(np.int64),
        stop_side=stop_side,
        start_side=start_side,
        tri=tri,
    )


def segment_sums(
    values: FloatArray, indices: IntArray, indptr: IntArray, z: FloatArray
) -> FloatArray:
    """``out[k] = sum(values[j] * z[indices[j]] for j in indptr[k]:indptr[k+1])``.

    A CSR sparse-times-dense product: one pass over the rows of ``z``, no (n, m) temporary.
    """
    nseg = indptr.size - 1
    if nseg <= 0:
        return np.zeros((0, z.shape[1]))
    mat = sparse.csr_array((values, indices, indptr), shape=(nseg, z.shape[0]))
    return np.asarray(mat @ z, dtype=np.float64)


def _side_sums(side: _Side, risk: FloatArray, z: FloatArray) -> FloatArray:
    """Sum the weighted terms over every group's risk set (reverse cumsum within strata)."""
    m = z.shape[1]
    seg = segment_sums(risk[side.order], side.order, side.bounds, z)
    rc = np.zeros((seg.shape[0] + 1, m))
    for a, b in side.seg_strata:
        if b > a:
            rc[a:b] = np.cumsum(seg[a:b][::-1], axis=0)[::-1]
    return rc[side.grp_seg]  # index -1 hits the zero row


@dataclass(frozen=True, slots=True)
class CoxEval:
    """Log partial likelihood, score and information at one ``beta``.

    ``s`` and ``sd`` are the weighted risk-set and death sums ``[S0, S1, S2 (upper)]`` of every
    tie group; ``meanwt`` the mean death weight per group; ``risk`` is exp(eta) per row.
    """

    loglik: float
    score: FloatArray
    info: FloatArray
    s: FloatArray
    sd: FloatArray
    meanwt: FloatArray
    risk: FloatArray


def _reduce_groups(index: RiskSetIndex, v: FloatArray) -> FloatArray:
    if index.grp_first.size == 0:
        return np.zeros((0, *v.shape[1:]))
    return np.add.reduceat(v, index.grp_first, axis=0)


def _unpack(v: FloatArray, tri: tuple[IntArray, IntArray], p: int) -> FloatArray:
    out = np.zeros((p, p))
    out[tri] = v
    out[tri[1], tri[0]] = v
    return out


def efron_sums(index: RiskSetIndex, s0: FloatArray, s0d: FloatArray) -> tuple[FloatArray, ...]:
    """Per-group sums over the Efron steps k of 1/D, f/D, log D, 1/D², f/D², f²/D².

    D_k = S0 - f_k S0d with f_k = k/d (f = 0 for Breslow).
    """
    g, f = index.ev_group, index.k_frac
    d = s0[g] - f * s0d[g]
    inv = 1.0 / d
    inv2 = inv * inv
    return tuple(
        _reduce_groups(index, v) for v in (inv, f * inv, np.log(d), inv2, f * inv2, f * f * inv2)
    )


def evaluate(prep: Prepared, beta: FloatArray, *, info: bool = True) -> CoxEval:
    """Evaluate the (Efron or Breslow) log partial likelihood, score and information."""
    data, index = prep.data, prep.index
    p = data.x.shape[1]
    risk = np.exp(linear_predictor(data, beta))
    s = _side_sums(prep.stop_side, risk, prep.z)
    if prep.start_side is not None:
        s -= _side_sums(prep.start_side, risk, prep.z)
    ev = index.ev_rows
    sd = segment_sums(risk[ev], ev, prep.ev_ptr, prep.z)
    meanwt = sd_w = _reduce_groups(index, data.weights[ev])
    meanwt = sd_w / index.grp_size
    r1, rf, lg, r2, rf2, rff2 = efron_sums(index, s[:, 0], sd[:, 0])
    s1, s1d = s[:, 1 : 1 + p], sd[:, 1 : 1 + p]
    wx = prep.z_ev[:, 1 : 1 + p].sum(axis=0)  # sum of w x over deaths
    loglik = float(wx @ beta - meanwt @ lg)
    if data.offset is not None:
        loglik += float(data.weights[ev] @ data.offset[ev])
    score = wx - meanwt @ (s1 * r1[:, None] - s1d * rf[:, None])
    imat = np.zeros((p, p))
    if info:
        imat = _unpack((meanwt * r1) @ s[:, 1 + p :] - (meanwt * rf) @ sd[:, 1 + p :], prep.tri, p)
        cross = (s1 * (meanwt * rf2)[:, None]).T @ s1d
        imat -= (s1 * (meanwt * r2)[:, None]).T @ s1 - cross - cross.T
        imat -= (s1d * (meanwt * rff2)[:, None]).T @ s1d
    return CoxEval(loglik, score, imat, s, sd, meanwt, risk)


def linear_predictor(data: CoxData, beta: FloatArray) -> FloatArray:
    """``x @ beta`` plus the offset (sorted rows, centred ``x``)."""
    eta: FloatArray = data.x @ beta
    if data.offset is not None:
        eta = eta + data.offset
    return eta


def group_terms(prep: Prepared, ev: CoxEval) -> tuple[FloatArray, FloatArray]:
    """Score contribution U_g (G, p) and information V_g (G, p, p) of every tie group."""
    index = prep.index
    p = prep.data.x.shape[1]
    r1, rf, _, r2, rf2, rff2 = efron_sums(index, ev.s[:, 0], ev.sd[:, 0])
    s1, s1d = ev.s[:, 1 : 1 + p], ev.sd[:, 1 : 1 + p]
    wx = _reduce_groups(index, prep.z_ev[:, 1 : 1 + p])
    u = wx - ev.meanwt[:, None] * (s1 * r1[:, None] - s1d * rf[:, None])
    ng = r1.size
    s2 = np.zeros((ng, p, p))
    s2d = np.zeros((ng, p, p))
    s2[:, prep.tri[0], prep.tri[1]] = ev.s[:, 1 + p :]
    s2[:, prep.tri[1], prep.tri[0]] = ev.s[:, 1 + p :]
    s2d[:, prep.tri[0], prep.tri[1]] = ev.sd[:, 1 + p :]
    s2d[:, prep.tri[1], prep.tri[0]] = ev.sd[:, 1 + p :]
    mw = ev.meanwt
    v = (mw * r1)[:, None, None] * s2 - (mw * rf)[:, None, None] * s2d
    v -= (mw * r2)[:, None, None] * np.einsum("gi,gj->gij", s1, s1)
    cross = (mw * rf2)[:, None, None] * np.einsum("gi,gj->gij", s1, s1d)
    v += cross + cross.transpose(0, 2, 1)
    v -= (mw * rff2)[:, None, None] * np.einsum("gi,gj->gij", s1d, s1d)
    return u, v


def event_pieces(prep: PrepLike, ev: CoxEval) -> tuple[FloatArray, FloatArray]:
    """Efron denominators D_k and risk-set means a_k for every death (k = its tie position)."""
    p = prep.data.x.shape[1]
    g, f = prep.index.ev_group, prep.index.k_frac
    d = ev.s[g, 0] - f * ev.sd[g, 0]
    a = (ev.s[g, 1 : 1 + p] - f[:, None] * ev.sd[g, 1 : 1 + p]) / d[:, None]
    return d, a


def _interval_groups(prep: PrepLike) -> tuple[IntArray, IntArray]:
    """For every row, the tie groups inside its (start, stop]: positions ``lo`` to ``hi``."""
    data, index = prep.data, prep.index
    gkey_t, gstr = index.grp_time, index.grp_stratum
    hi = _count_groups_le(gstr, gkey_t, data.strata, data.stop)
    low = data.start if data.start is not None else np.full(data.stop.size, -np.inf)
    return _count_groups_le(gstr, gkey_t, data.strata, low), hi


def martingale_residuals(prep: PrepLike, ev: CoxEval) -> FloatArray:
    """Per-row martingale residuals (unweighted), as R's ``fit$residuals``.

    ``event - exp(eta) * (cumulative hazard over the row's interval)``, with Efron's
    down-weighting of a death's own tie group for ``efron`` data.
    """
    index = prep.index
    g = index.ev_group
    denom, _ = event_pieces(prep, ev)
    c = ev.meanwt[g] / denom
    ch = np.r_[0.0, np.cumsum(_reduce_groups(index, c))]
    lo, hi = _interval_groups(prep)
    haz = ch[hi] - ch[lo]
    rows = index.ev_rows
    haz[rows] -= _reduce_groups(index, c * index.k_frac)[g]
    out: FloatArray = -ev.risk * haz
    out[rows] += 1.0
    return out


def score_residuals(prep: PrepLike, ev: CoxEval) -> FloatArray:
    """Per-row score residuals (unweighted), as R's ``residuals(fit, type="score")``."""
    data, index = prep.data, prep.index
    x = data.x
    p = x.shape[1]
    g = index.ev_group
    denom, a = event_pieces(prep, ev)
    c = ev.meanwt[g] / denom
    h = _reduce_groups(index, c)
    b = _reduce_groups(index, c[:, None] * a)
    # cumulative hazard-type sums over tie groups, in (stratum, time) order
    ch = np.r_[0.0, np.cumsum(h)]
    cb = np.vstack([np.zeros((1, p)), np.cumsum(b, axis=0)])
    lo, hi = _interval_groups(prep)
    hsum = ch[hi] - ch[lo]
    bsum = cb[hi] - cb[lo]
    resid = -ev.risk[:, None] * (x * hsum[:, None] - bsum)
    rows = index.ev_rows
    # deaths: + (x - mean of the Efron means) and the Efron down-weighting (k/d) of their risk
    abar = _reduce_groups(index, a) / index.grp_size[:, None]
    frac = index.k_frac
    e1 = _reduce_groups(index, c * frac)
    e2 = _reduce_groups(index, (c * frac)[:, None] * a)
    xr = x[rows]
    rr = ev.risk[rows][:, None]
    resid[rows] += xr - abar[g] + rr * (xr * e1[g][:, None] - e2[g])
    out: FloatArray = resid
    return out


def schoenfeld_residuals(prep: PrepLike, ev: CoxEval) -> FloatArray:
    """Schoenfeld residuals of the event rows in (stratum, time) order (unweighted).

    ``x_i`` minus the mean of the (Efron) risk-set means of its tie group, as R's ``coxscho``.
    """
    index = prep.index
    _, a = event_pieces(prep, ev)
    abar = _reduce_groups(index, a) / index.grp_size[:, None]
    out: FloatArray = prep.data.x[index.ev_rows] - abar[index.ev_group]
    return out


def _count_groups_le(
    gstr: IntArray, gtime: FloatArray, strata: IntArray, t: FloatArray
) -> IntArray:
    """Number of tie groups ordered before-or-at ``(stratum, t)`` in (stratum, time) order."""
    ng = gstr.size
    if ng == 0:
        return np.zeros(t.size, dtype=np.int64)
    # groups are sorted by (stratum, time); search within each row's stratum
    first = np.searchsorted(gstr, strata, side="left")
    last = np.searchsorted(gstr, strata, side="right")
    out = first.copy()
    for s in np.unique(strata):
        m = strata == s
        a, b = int(first[m][0]), int(last[m][0])
        out[m] = a + np.searchsorted(gtime[a:b], t[m], side="right")
    return out.astype(np.int64)
