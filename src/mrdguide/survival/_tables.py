"""Per-group event tables at the distinct event times, shared by the CIF and Gray's test.

One ``argsort`` of the times, one gather of a combined (group, cause) code, then linear passes:
the event rows and the first row of their block of tied times (tied rows found sparsely),
the events per (group, cause) and event time (a scatter when no event times are tied, else
a ``bincount``), and the number at risk per group from a cumulative count of its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mrdguide.survival._ties import merge_sorted
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["EventTable", "event_table"]


@dataclass(frozen=True, slots=True)
class EventTable:
    """Counts at the distinct event times (any cause, any group).

    ``at_risk[g, j]`` is the number of group-g rows with time >= ``time[j]``, ``events[g, k, j]``
    the number with cause k + 1 at ``time[j]``, ``end[g]`` the group's largest time.
    """

    time: FloatArray
    at_risk: FloatArray
    events: FloatArray
    end: FloatArray


def _event_rows(ts: FloatArray, is_event: NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Event rows and, for each, the first row of its block of tied times."""
    pe = np.flatnonzero(is_event)
    start = pe.copy()
    tied = np.flatnonzero(ts[pe[pe > 0]] == ts[pe[pe > 0] - 1])  # rows tied with the one before
    if tied.size:
        rows = pe[pe > 0][tied]
        start[np.searchsorted(pe, rows)] = np.searchsorted(ts, ts[rows], side="left")
    return pe, start


def _group_ends(ts: FloatArray, g_sorted: IntArray, ngroup: int) -> FloatArray:
    """Largest time of each group (scanning back from the end; groups end near it)."""
    ends = np.full(ngroup, np.nan)
    width = 64
    while np.isnan(ends).any():
        tail = g_sorted[-width:]
        for g in np.flatnonzero(np.isnan(ends)):
            hit = np.flatnonzero(tail == g)
            if hit.size:
                ends[g] = ts[ts.size - tail.size + int(hit[-1])]
        if width >= ts.size:
            break
        width *= 8
    return ends


def _packed_sort(time: FloatArray, flag: NDArray[np.bool_]) -> tuple[FloatArray, IntArray]:
    """Times sorted with a 0/1 flag each, by one SIMD sort of 64-bit keys.

    A non-negative double's IEEE bits sort like the double; shifted left by one they leave
    the lowest bit for the flag. Cheaper than ``argsort`` plus gathers by about 3x at 1e6.
    """
    key = np.abs(time).view(np.uint64) << np.uint64(1)  # abs turns -0.0 into 0.0
    key |= flag.astype(np.uint64)
    key.sort()
    ts: FloatArray = (key >> np.uint64(1)).view(np.float64)
    return ts, (key & np.uint64(1)).astype(np.int64)


def _single_group(time: FloatArray, cause: IntArray, ncause: int, timefix: bool) -> EventTable:
    """One group with one or two causes: two packed sorts instead of an argsort.

    All rows are sorted with an event flag, the event rows again with a cause-2 flag; both give
    the sorted event times, so the flags line up block by block (ties may be permuted within
    a block, which does not change the counts per distinct time).
    """
    is_event = cause > 0
    ts, ev = _packed_sort(time, is_event)
    if timefix:
        ts = merge_sorted(ts)
    _, second = _packed_sort(time[is_event], cause[is_event] == 2)
    pe, start_e = _event_rows(ts, ev.astype(bool))
    new_e = np.empty(pe.size, dtype=bool)
    new_e[:1] = True
    np.not_equal(start_e[1:], start_e[:-1], out=new_e[1:])
    blocks = start_e[new_e]
    ne = blocks.size
    if ne == pe.size:
        events = np.ones((ncause, ne))
        if ncause == 2:
            events[1] = second
            events[0] -= second
    else:
        starts = np.flatnonzero(new_e)
        n2 = np.add.reduceat(second, starts).astype(np.float64)
        total = np.diff(starts, append=pe.size).astype(np.float64)
        events = np.stack([total - n2, n2]) if ncause == 2 else total[None, :]
    return EventTable(
        time=ts[blocks],
        at_risk=(ts.size - blocks).astype(np.float64)[None, :],
        events=events.reshape(1, ncause, ne),
        end=np.array([ts[-1]]),
    )


def event_table(
    time: FloatArray, cause: IntArray, group: IntArray, ngroup: int, ncause: int, *, timefix: bool
) -> EventTable:
    """Tables of a sample with ``cause`` in 0..ncause (0 = censored), ``group`` in 0..ngroup-1."""
    if ngroup == 1 and 1 <= ncause <= 2:
        return _single_group(time, cause, ncause, timefix)
    m = ncause + 1
    order = np.argsort(time)
    ts = time[order]
    if timefix:
        ts = merge_sorted(ts)
    code = (group * m + cause)[order] if ngroup > 1 else cause[order]
    classes = np.arange(ngroup * m)
    pe, start_e = _event_rows(ts, (classes % m != 0)[code])
    new_e = np.empty(pe.size, dtype=bool)
    new_e[:1] = True
    np.not_equal(start_e[1:], start_e[:-1], out=new_e[1:])
    blocks = start_e[new_e]  # first row of each distinct event time
    ne, nk = blocks.size, ngroup * ncause
    cls = np.where(classes % m != 0, classes - classes // m - 1, 0)[code[pe]]  # g * K + k - 1
    if ne == pe.size:  # no tied event times: one event per time
        events = np.zeros((nk, ne))
        events[cls, np.arange(ne)] = 1.0
    else:
        rank = np.cumsum(new_e) - 1
        counts = np.bincount(cls * ne + rank, minlength=nk * ne)
        events = counts.reshape(nk, ne).astype(np.float64)
    at_risk = np.empty((ngroup, ne))
    at_risk[-1] = ts.size - blocks
    if ngroup == 1:
        ends = np.array([ts[-1]])
    else:
        g_sorted = (classes // m)[code]
        for g in range(ngroup - 1):  # the last group by difference
            before = np.cumsum(g_sorted == g)
            at_risk[g] = before[-1] - before[blocks] + (g_sorted[blocks] == g)
            at_risk[-1] -= at_risk[g]
        ends = _group_ends(ts, g_sorted, ngroup)
    return EventTable(
        time=ts[blocks], at_risk=at_risk, events=events.reshape(ngroup, ncause, ne), end=ends
    )
