"""Per-row weighted pair counts of the concordance (internal).

For every event row ``i`` (its role as the earlier member of a comparable pair) the weight of
the rows still at risk after it with a lower, equal or any score, and for every row ``j`` (its
role as the later member) the time-weighted weight of the earlier events with a higher, equal
or any score. Both come from one pass of :func:`mrdguide.survival._conc_core.dominance` over
the rows in (stratum desc, time desc, censored first, events by score desc) order; keys are
(stratum, score) with ties broken against the sequence, so that "lower key" means "lower score,
same or another stratum" and strata never mix. Counting-process data subtract, in a second pass
over entry times, the rows not yet at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.survival._conc_core import dominance
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["Pairs", "pair_counts"]

Mask = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True, slots=True)
class Pairs:
    """Per-row sums in the caller's row order (see the module docstring).

    Event role (0 at censored rows): ``lower``, ``equal``, ``total`` (weights ``w_j``).
    Later role: ``e_higher``, ``e_equal``, ``e_total`` (weights ``w_i tw_i`` of events).
    ``tied_time`` and ``tied_both`` are R's ``tied.y`` and ``tied.xy`` (time-weighted).
    """

    lower: FloatArray
    equal: FloatArray
    total: FloatArray
    e_higher: FloatArray
    e_equal: FloatArray
    e_total: FloatArray
    tied_time: float
    tied_both: float


def _starts(new: Mask) -> IntArray:
    idx = np.arange(new.size, dtype=np.int64)
    out: IntArray = np.maximum.accumulate(np.where(new, idx, 0))
    return out


def _ends(new: Mask) -> IntArray:
    """Exclusive end of the run of every position (runs start where ``new``)."""
    first = np.flatnonzero(new)
    ends = np.r_[first[1:], new.size]
    out: IntArray = ends[np.cumsum(new) - 1]
    return out


def _dense_rank(score: FloatArray) -> tuple[IntArray, int]:
    by = np.argsort(score)  # any order within ties: equal scores get one rank
    ss = score[by]
    r = np.empty(score.size, dtype=np.int64)
    r[by] = np.cumsum(np.r_[False, ss[1:] != ss[:-1]])
    return r, int(r.max()) + 1 if score.size else 1


def _keys(st: IntArray, sr: IntArray, nr: int) -> IntArray:
    """Unique keys in (stratum asc, score asc, sequence position desc) order."""
    n = st.size
    idx = np.arange(n, dtype=np.int64)
    if (int(st.max()) + 1) * nr < (2**62) // max(n, 1):
        uord = np.argsort((st * nr + sr) * n + (n - 1 - idx), kind="stable")
    else:  # pragma: no cover - astronomically many strata x scores
        uord = np.lexsort((n - 1 - idx, sr, st))
    u = np.empty(n, dtype=np.int64)
    u[uord] = idx
    return u


def _group_sums(
    st: IntArray, sr: IntArray, u: IntArray, w1: FloatArray, w2: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Weight of items of the same (stratum, score) before (``w1``) / after (``w2``) each item."""
    n = u.size
    uord = np.empty(n, dtype=np.int64)
    uord[u] = np.arange(n)
    key = st[uord] * (int(sr.max()) + 1) + sr[uord]
    new = np.r_[True, key[1:] != key[:-1]]
    s0, e0 = _starts(new), _ends(new)
    # in key order the sequence runs backwards within a group
    c1 = np.r_[0.0, np.cumsum(w1[uord])]
    before = np.empty(n)
    before[uord] = c1[e0] - c1[np.arange(1, n + 1)]
    after = np.zeros(n)
    if w2 is not None:
        c2 = np.r_[0.0, np.cumsum(w2[uord])]
        after[uord] = c2[np.arange(n)] - c2[s0]
    return before, after


def _seq_order(
    stop: FloatArray, ev: Mask, sr: IntArray, nr: int, strata: IntArray, presorted: bool
) -> IntArray:
    """(stratum desc, time desc, censored first, events by score desc).

    ``presorted``: the rows are already sorted by (stratum, time) ascending.
    """
    n = stop.size
    if presorted:
        o1 = np.arange(n - 1, -1, -1, dtype=np.int64)
    elif bool(np.all(strata == strata[0])):
        o1 = np.argsort(-stop, kind="stable")
    else:
        o1 = np.lexsort((-stop, -strata))
    st1, tm1 = strata[o1], stop[o1]
    same = (tm1[1:] == tm1[:-1]) & (st1[1:] == st1[:-1])
    if not np.any(same):
        return o1
    # reorder only the rows of runs of tied times (runs are contiguous in o1)
    tied = np.zeros(n, dtype=bool)
    tied[1:] = same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    run = np.cumsum(np.r_[True, ~same])[pos]
    rows = o1[pos]
    e1 = ev[rows]
    sub = (run * 2 + e1) * nr + np.where(e1, nr - 1 - sr[rows], 0)
    out: IntArray = o1.copy()
    out[pos] = rows[np.argsort(sub, kind="stable")]
    return out


def _run_pairs(new: Mask, ev: Mask, w: FloatArray, tw: FloatArray) -> float:
    """Sum of w_i w_k tw over pairs of events in the same run (runs start where ``new``)."""
    first = np.flatnonzero(new)
    s1 = np.add.reduceat(w * ev, first)
    s2 = np.add.reduceat(w * w * ev, first)
    return float(np.sum(tw[first] * (s1 * s1 - s2)) / 2.0)


def _within_run(new: Mask, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sum of ``v`` over earlier / later items of the same run."""
    c = np.r_[0.0, np.cumsum(v)]
    idx = np.arange(v.size)
    return c[idx] - c[_starts(new)], c[_ends(new)] - c[idx + 1]


def pair_counts(
    stop: FloatArray,
    event: IntArray,
    score: FloatArray,
    strata: IntArray,
    weights: FloatArray,
    tw: FloatArray,
    start: FloatArray | None,
    later: bool,
    presorted: bool = False,
) -> Pairs:
    """Per-row pair sums (the later-role sums only when ``later``).

    ``presorted``: rows sorted by (stratum, time) ascending (saves a sort). Work for tied
    scores and tied event times is skipped when there are none.
    """
    n = stop.size
    isev = event == 1
    sr_all, nr = _dense_rank(score)
    seq = _seq_order(stop, isev, sr_all, nr, strata, presorted)
    rev = presorted and seq[0] == n - 1 and bool(np.all(np.diff(seq) == -1))

    def by_seq(v: NDArray[Any]) -> NDArray[Any]:
        return v[::-1] if rev else v[seq]  # a reversed view when nothing was re-sorted

    st, tm, ev, sr, w = by_seq(strata), by_seq(stop), by_seq(isev), by_seq(sr_all), by_seq(weights)
    ch2 = np.where(ev, w * by_seq(tw), 0.0) if later else None
    one = bool(np.all(st == st[0]))
    distinct = nr == n  # no tied scores anywhere: every (stratum, score) group is one row
    u = sr if one and distinct else _keys(st, sr, nr)
    lo, hi = dominance(u, None if bool(np.all(w == 1.0)) else w, ch2)
    zeros = np.zeros(n)
    eq1, eq2 = (zeros, zeros) if distinct else _group_sums(st, sr, u, w, ch2)
    new_st = np.r_[True, st[1:] != st[:-1]]
    before_st, _ = _within_run(new_st, w)
    new_run = new_st | np.r_[True, (tm[1:] != tm[:-1]) | (ev[1:] != ev[:-1])]
    tied_ev = bool(np.any(~new_run & ev))  # some events share their time
    new_sub = new_run | np.r_[True, sr[1:] != sr[:-1]]
    ev_w = np.where(ev, w, 0.0)
    # events earlier in their run of tied events are not comparable
    run_b = _within_run(new_run, ev_w)[0] if tied_ev else zeros
    sub_b = _within_run(new_sub, ev_w)[0] if tied_ev and not distinct else zeros
    tot1 = np.where(ev, before_st - run_b, 0.0)
    eqa = np.where(ev, eq1 - sub_b, 0.0)
    low = np.where(ev, lo, 0.0)
    e_hi = e_eq = e_tot = zeros
    if ch2 is not None:
        runs = (new_st, new_run, new_sub)
        e_hi, e_eq, e_tot = _later_sums(ch2, ev, hi, eq2, runs, tied_ev, distinct)
    tws = by_seq(tw)
    tied_all = _run_pairs(new_run, ev, w, tws) if tied_ev else 0.0
    tied_xy = _run_pairs(new_sub, ev, w, tws) if tied_ev and not distinct else 0.0
    if start is not None:
        sums = (low, eqa, tot1, e_hi, e_eq, e_tot)
        rows = (seq, start, stop, isev, strata, sr_all, weights, tw)
        low, eqa, tot1, e_hi, e_eq, e_tot = _subtract_entries(sums, rows, nr, later)
    out = [_unsort(v, seq, rev) for v in (low, eqa, tot1, e_hi, e_eq, e_tot)]
    return Pairs(
        lower=out[0],
        equal=out[1],
        total=out[2],
        e_higher=out[3],
        e_equal=out[4],
        e_total=out[5],
        tied_time=tied_all - tied_xy,
        tied_both=tied_xy,
    )


def _later_sums(
    ch2: FloatArray,
    ev: Mask,
    hi: FloatArray,
    eq2: FloatArray,
    runs: tuple[Mask, Mask, Mask],
    tied_ev: bool,
    distinct: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The later-role sums (higher, equal, total), less events tied with the row (sequence order).

    ``runs`` = (new stratum, new tied-time run, new tied time-and-score run) start masks.
    """
    new_st, new_run, new_sub = runs
    zeros = np.zeros(ch2.size)
    _, tot2 = _within_run(new_st, ch2)
    run_a = _within_run(new_run, ch2)[1] if tied_ev else zeros
    sub_a = _within_run(new_sub, ch2)[1] if tied_ev and not distinct else zeros
    return hi, eq2 - np.where(ev, sub_a, 0.0), tot2 - np.where(ev, run_a, 0.0)


def _unsort(v: FloatArray, seq: IntArray, rev: bool) -> FloatArray:
    """Sequence order back to row order (``rev``: the sequence was the reversed rows)."""
    if rev:
        return v[::-1]
    out = np.empty(v.size)
    out[seq] = v
    return out


def _subtract_entries(
    sums: tuple[FloatArray, ...], rows: tuple[Any, ...], nr: int, later: bool
) -> tuple[FloatArray, ...]:
    """Remove rows not yet at risk (entry >= t) from both roles' sums (sequence order).

    ``rows`` = (seq, start, stop, is_event, strata, score_rank, weights, time_weight).
    """
    seq, start, stop, isev, strata, sr, weights, tw = rows
    n = stop.size
    ev_rows = np.flatnonzero(isev)
    m = n + ev_rows.size
    key_t = np.r_[start, stop[ev_rows]]
    typ = np.r_[np.zeros(n, dtype=np.int64), np.ones(ev_rows.size, dtype=np.int64)]
    st = np.r_[strata, strata[ev_rows]]
    s_rank = np.r_[sr, sr[ev_rows]]
    order = np.lexsort((typ, -key_t, -st))  # starts before events at the same time
    st, s_rank, typ = st[order], s_rank[order], typ[order]
    w1 = np.r_[weights, np.zeros(ev_rows.size)][order]
    w2 = np.r_[np.zeros(n), weights[ev_rows] * tw[ev_rows]][order] if later else None
    u = _keys(st, s_rank, nr)
    lo, hi = dominance(u, w1, w2)
    eq1, eq2 = _group_sums(st, s_rank, u, w1, w2)
    new_st = np.r_[True, st[1:] != st[:-1]]
    c1 = np.r_[0.0, np.cumsum(w1)]
    tot1 = c1[np.arange(m)] - c1[_starts(new_st)]
    row = np.r_[np.arange(n), ev_rows][order]  # caller row of each item
    pos = np.empty(n, dtype=np.int64)
    pos[seq] = np.arange(n)  # sequence position of each caller row
    low, eqa, t1, e_hi, e_eq, e_tot = (v.copy() for v in sums)
    evi = typ == 1
    at = pos[row[evi]]
    low[at] -= lo[evi]
    eqa[at] -= eq1[evi]
    t1[at] -= tot1[evi]
    if w2 is not None:
        c2 = np.r_[0.0, np.cumsum(w2)]
        tot2 = c2[_ends(new_st)] - c2[np.arange(1, m + 1)]
        sti = ~evi
        at = pos[row[sti]]
        e_hi[at] -= hi[sti]
        e_eq[at] -= eq2[sti]
        e_tot[at] -= tot2[sti]
    return low, eqa, t1, e_hi, e_eq, e_tot
