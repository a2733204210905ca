"""Fast risk-set sums for right-censored Cox fits (no entry times), internal.

The rows are sorted by (stratum, time). The risk set of a tie group is then a suffix of its
stratum, so ``S0`` and ``S1`` (sums of ``w exp(eta)`` and ``w exp(eta) x``) are reverse
cumulative sums read at the group's first row: one pass over ``(1 + p) x n`` contiguous
values, with no sorting, segmenting or sparse products. The second-moment sums ``S2`` are never
formed: the information needs only ``sum_g c_g S2_g``, which equals
``X' diag(w exp(eta) C) X`` with ``C_j`` the forward cumulative sum of ``c_g`` over the groups
whose risk set holds row ``j`` (one BLAS product). Efron's tie correction adds terms that only
involve the deaths of each group. Stratified data run the cumulative sums stratum by stratum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mrdguide.survival._cox_core import (
    CoxData,
    CoxEval,
    Prepared,
    RiskSetIndex,
    build_index,
    evaluate,
    linear_predictor,
    prepare,
)
from mrdguide.survival._types import FloatArray, IntArray

__all__ = [
    "FastPrep",
    "Prep",
    "build_index_sorted",
    "evaluate_any",
    "evaluate_fast",
    "prepare_any",
    "prepare_fast",
]


def build_index_sorted(data: CoxData) -> RiskSetIndex:
    """Tie groups of right-censored data already sorted by (stratum, stop): no sorting."""
    n = data.stop.size
    stop, strata = data.stop, data.strata
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(stop[1:], stop[:-1], out=new_run[1:])
    new_run[1:] |= strata[1:] != strata[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n, dtype=np.int64), 0))
    ev_rows = np.flatnonzero(data.event == 1).astype(np.int64)
    ev_run = run_start[ev_rows]
    new = np.r_[True, ev_run[1:] != ev_run[:-1]] if ev_rows.size else np.zeros(0, bool)
    grp_first = np.flatnonzero(new).astype(np.int64)
    grp_size = np.diff(np.r_[grp_first, ev_rows.size]).astype(np.int64)
    first_rows = ev_rows[grp_first]
    grp_stratum = strata[first_rows].astype(np.int64)
    seg_stop = np.searchsorted(strata, np.arange(int(strata.max()) + 2)).astype(np.int64)
    ev_group = np.repeat(np.arange(grp_first.size, dtype=np.int64), grp_size)
    k_frac = (np.arange(ev_rows.size) - grp_first[ev_group]) / grp_size[ev_group]
    return RiskSetIndex(
        ord_stop=np.arange(n, dtype=np.int64),
        seg_stop=seg_stop,
        ord_start=None,
        seg_start=None,
        ev_rows=ev_rows,
        grp_first=grp_first,
        grp_size=grp_size,
        grp_time=stop[first_rows],
        grp_stratum=grp_stratum,
        pos_stop=run_start[first_rows],
        end_stop=seg_stop[grp_stratum + 1],
        pos_start=None,
        end_start=None,
        k_frac=(k_frac if data.efron else np.zeros_like(k_frac)).astype(np.float64),
        ev_group=ev_group,
    )


@dataclass(frozen=True, slots=True)
class FastPrep:
    """Everything an iteration of the fast path needs, precomputed once."""

    data: CoxData
    index: RiskSetIndex
    xt: FloatArray  # (p, n) centred covariates, contiguous
    wxt: FloatArray  # (1 + p, n): [w, w x']
    rows: list[tuple[int, int]]  # row range of every stratum
    groups: list[tuple[int, int]]  # tie-group range of every stratum
    kloc: IntArray  # per row: groups of its stratum whose risk set holds it
    wx: FloatArray  # sum of w x over the deaths
    woff: float  # sum of w * offset over the deaths
    meanwt: FloatArray  # mean death weight per group
    ties: bool  # any tie group with more than one death
    tied: IntArray  # groups with more than one death
    tied_ev: IntArray  # positions (in ev_rows) of their deaths, group by group
    tied_first: IntArray  # first position of each tied group in tied_ev
    first_rows: IntArray  # the first death (row) of every group
    tied_rows: IntArray  # the rows of tied_ev


def prepare_fast(data: CoxData, index: RiskSetIndex) -> FastPrep:
    """Precompute the transposed design and the per-row group counts."""
    n, p = data.x.shape
    xt = np.ascontiguousarray(data.x.T)
    wxt = np.empty((1 + p, n))
    wxt[0] = data.weights
    np.multiply(xt, data.weights, out=wxt[1:])
    seg = index.seg_stop
    gseg = np.searchsorted(index.grp_stratum, np.arange(seg.size))
    # groups of the row's stratum with pos <= row: a running count of group starts
    starts = np.zeros(n, dtype=np.int64)
    starts[index.pos_stop] = 1
    kloc = np.cumsum(starts)
    rows, groups = [], []
    for s in range(seg.size - 1):
        a, b, g0, g1 = int(seg[s]), int(seg[s + 1]), int(gseg[s]), int(gseg[s + 1])
        rows.append((a, b))
        groups.append((g0, g1))
        kloc[a:b] -= g0
    ev = index.ev_rows
    tied = np.flatnonzero(index.grp_size > 1).astype(np.int64)
    tied_ev = np.flatnonzero(index.grp_size[index.ev_group] > 1).astype(np.int64)
    tied_first = np.searchsorted(tied_ev, index.grp_first[tied]).astype(np.int64)
    w_ev = data.weights[ev]
    meanwt = np.add.reduceat(w_ev, index.grp_first) / index.grp_size if ev.size else w_ev
    return FastPrep(
        data=data,
        index=index,
        xt=xt,
        wxt=wxt,
        rows=rows,
        groups=groups,
        kloc=kloc,
        wx=xt[:, ev] @ w_ev,
        woff=0.0 if data.offset is None else float(w_ev @ data.offset[ev]),
        meanwt=meanwt,
        ties=bool(tied.size),
        tied=tied,
        tied_ev=tied_ev,
        tied_first=tied_first,
        first_rows=ev[index.grp_first],
        tied_rows=ev[tied_ev],
    )


def _row_cumulative(fp: FastPrep, gv: FloatArray) -> FloatArray:
    """For every row, the sum of ``gv`` over the groups whose risk set holds the row."""
    out = np.empty(fp.kloc.size)
    for (a, b), (g0, g1) in zip(fp.rows, fp.groups, strict=True):
        cg = np.zeros(g1 - g0 + 1)
        np.cumsum(gv[g0:g1], out=cg[1:])
        out[a:b] = cg[fp.kloc[a:b]]
    return out


def _sums(fp: FastPrep, risk: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(S0, S1) at every group (1 + p, G) and the deaths' own sums (1 + p, G)."""
    a = fp.wxt * risk
    index = fp.index
    # np.take keeps the (1 + p, G) results C-contiguous (fancy indexing does not)
    sd = np.take(a, fp.first_rows, axis=1)  # a group's deaths: its first death ...
    if fp.ties:  # ... plus the others where deaths are tied
        tied = np.take(a, fp.tied_rows, axis=1)
        sd[:, fp.tied] = np.add.reduceat(tied, fp.tied_first, axis=1)
    for r0, r1 in fp.rows:
        seg = a[:, r0:r1]
        np.cumsum(seg[:, ::-1], axis=1, out=seg[:, ::-1])
    return np.take(a, index.pos_stop, axis=1), sd


def _efron_tied(fp: FastPrep, s0: FloatArray, s0d: FloatArray) -> tuple[FloatArray, ...]:
    """Efron's sums over k of 1/D, f/D, log D, 1/D^2, f/D^2, f^2/D^2 for the tied groups."""
    index = fp.index
    e = fp.tied_ev
    g = index.ev_group[e]
    f = index.k_frac[e]
    d = s0[g] - f * s0d[g]
    inv = 1.0 / d
    inv2 = inv * inv
    return tuple(
        np.add.reduceat(v, fp.tied_first)
        for v in (inv, f * inv, np.log(d), inv2, f * inv2, f * f * inv2)
    )


def evaluate_fast(fp: FastPrep, beta: FloatArray, *, info: bool = True) -> CoxEval:
    """Log partial likelihood, score and information (Efron or Breslow), right-censored.

    Single-death groups use the Breslow terms (Efron's equal them there); only the groups
    with tied deaths get Efron's corrections.
    """
    data, index = fp.data, fp.index
    p = data.x.shape[1]
    risk = np.exp(linear_predictor(data, beta))
    s, sd = _sums(fp, risk)
    mw = fp.meanwt
    r1 = 1.0 / s[0]
    lg = np.log(s[0])
    r2 = r1 * r1
    t = fp.tied
    rf = rf2 = rff2 = np.zeros(0)
    if t.size:
        e_r1, rf, e_lg, e_r2, rf2, rff2 = _efron_tied(fp, s[0], sd[0])
        r1[t], lg[t], r2[t] = e_r1, e_lg, e_r2
    loglik = float(fp.wx @ beta + fp.woff - mw @ lg)
    s1 = s[1:]
    score = fp.wx - s1 @ (mw * r1)
    s1d = sd[1:, t]
    mt = mw[t]
    if t.size:
        score += s1d @ (mt * rf)
    imat = np.zeros((p, p))
    if info:
        c = _row_cumulative(fp, mw * r1) * risk * data.weights
        imat = (fp.xt * c) @ fp.xt.T - (s1 * (mw * r2)) @ s1.T
        if t.size:
            ev = fp.tied_rows
            ce = (risk * data.weights)[ev] * np.repeat(mt * rf, index.grp_size[t])
            xe = fp.xt[:, ev]
            imat -= (xe * ce) @ xe.T
            cross = (s1[:, t] * (mt * rf2)) @ s1d.T
            imat += cross + cross.T - (s1d * (mt * rff2)) @ s1d.T
    return CoxEval(loglik, score, imat, s.T, sd.T, mw, risk)


Prep = Prepared | FastPrep


def prepare_any(data: CoxData, *, full: bool = False) -> Prep:
    """The fast path for right-censored data, the general (sparse) one otherwise or if
    ``full`` (second-moment sums per group are needed: cox.zph, exact ties)."""
    if data.start is None and not full:
        return prepare_fast(data, build_index_sorted(data))
    return prepare(data, build_index(data))


def evaluate_any(prep: Prep, beta: FloatArray, *, info: bool = True) -> CoxEval:
    """Dispatch to the path ``prep`` was prepared for."""
    if isinstance(prep, FastPrep):
        return evaluate_fast(prep, beta, info=info)
    return evaluate(prep, beta, info=info)
