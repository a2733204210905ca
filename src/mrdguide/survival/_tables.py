"""Per-group event tables at the distinct event times, shared by the CIF and Gray's test.

One sort of the times with each row's (group, cause) code packed into the low bits of a 64-bit
key (:func:`sorted_codes`; ``argsort`` plus a gather when the key does not fit), then linear
passes: the event rows and the first row of their block of tied times (tied rows found
sparsely), the number at risk per group from a cumulative count of its rows, and per group its
own event times with the events per cause there (a scatter; the few tied rows are added on
their own). Nothing of size groups x causes x times is formed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mrdguide.survival._ties import merge_sorted
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["EventTable", "event_table", "sorted_codes"]

_U64 = np.uint64


@dataclass(frozen=True, slots=True)
class EventTable:
    """Counts at the distinct event times (any cause, any group).

    ``at_risk[g, j]`` is the number of group-g rows with time >= ``time[j]`` and ``end[g]`` the
    group's largest time. ``own[g]`` holds the indices (into ``time``) of the times where
    group g has events and ``counts[g][k, i]`` the number of its events of cause k + 1 at
    ``time[own[g][i]]``.
    """

    time: FloatArray
    at_risk: FloatArray
    end: FloatArray
    own: tuple[IntArray, ...]
    counts: tuple[FloatArray, ...]

    def events(self, g: int) -> FloatArray:
        """Group g's events per cause on the whole grid, shape (causes, times) (for tests)."""
        out = np.zeros((self.counts[g].shape[0], self.time.size))
        out[:, self.own[g]] = self.counts[g]
        return out


def _bits(x: float) -> int:
    """IEEE-754 bits of a non-negative double as a Python int."""
    return int(np.array(x, dtype=np.float64).view(_U64))


def sorted_codes(time: FloatArray, code: IntArray, nbits: int) -> tuple[FloatArray, IntArray]:
    """``time`` sorted ascending, with ``code`` (``0 <= code < 2**nbits``) carried along.

    The IEEE bits of a non-negative double, read as an unsigned integer, sort like the double.
    Offset by the bits of the smallest positive time, the times of most data sets span far
    fewer than 64 bits, so the code fits in the low bits of one key: one SIMD ``np.sort`` of
    the keys replaces ``np.argsort`` and two gathers (about 3x cheaper at 1e6). Zeros map to
    key 0. When the span is too wide, ``argsort`` is used. Rows with equal times may come out
    in any order (the callers count per distinct time).
    """
    tmin, tmax = float(time.min()), float(time.max())
    pos = tmin if tmin > 0 else float(np.min(time, where=time > 0, initial=np.inf))
    base = _bits(pos) - 1 if np.isfinite(pos) else 0  # positive times map to keys >= 1
    if tmax > 0 and (_bits(tmax) - base) >> (64 - nbits):
        order = np.argsort(time)
        return time[order] + 0.0, code[order]  # + 0.0 turns -0.0 into 0.0
    key = time.view(_U64)
    if tmin == 0:  # -0.0 has the sign bit set; zeros (either sign) become key 0
        key = np.maximum(np.abs(time).view(_U64), _U64(base))
    key = key - _U64(base)
    key <<= _U64(nbits)
    key |= code.astype(_U64)
    key.sort()
    codes: IntArray = (key & _U64((1 << nbits) - 1)).view(np.int64)
    key >>= _U64(nbits)
    key += _U64(base)
    if tmin == 0:
        key[: int(np.searchsorted(key, _U64(base), side="right"))] = 0
    ts: FloatArray = key.view(np.float64)
    return ts, codes


def _event_rows(ts: FloatArray, is_event: NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Event rows and, for each, the first row of its block of tied times."""
    pe = np.flatnonzero(is_event)
    tied = np.flatnonzero(ts[1:] == ts[:-1]) + 1  # rows tied with the one before (few)
    rows = tied[is_event[tied]]
    if rows.size == 0:
        return pe, pe
    start = pe.copy()
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


def _tied_after(pos: IntArray) -> IntArray:
    """Indices i >= 1 with ``pos[i] == pos[i - 1]`` (a non-decreasing vector)."""
    return np.flatnonzero(pos[1:] == pos[:-1]) + 1


def _dedupe(pos: IntArray, same: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct values of non-decreasing ``pos`` and each entry's index among them."""
    if same.size == 0:
        return pos, np.arange(pos.size)
    dropped = np.repeat(np.arange(same.size + 1), np.diff(same, prepend=0, append=pos.size))
    return np.delete(pos, same), np.arange(pos.size) - dropped


def _cells(pos: IntArray, kind: IntArray, nkind: int) -> tuple[IntArray, FloatArray]:
    """Distinct positions of non-decreasing ``pos`` and the count of each kind at each.

    A scatter of ones; the few entries that share their position with another (tied event
    times) are then added with ``np.add.at``.
    """
    same = _tied_after(pos)
    uniq, rank = _dedupe(pos, same)
    counts = np.zeros((nkind, uniq.size))
    flat = counts.reshape(-1)
    idx = kind * uniq.size + rank
    flat[idx] = 1.0
    if same.size:
        shared = idx[np.unique(np.concatenate((same, same - 1)))]
        flat[shared] = 0.0
        np.add.at(flat, shared, 1.0)
    return uniq, counts


def _at_risk(g_sorted: IntArray | None, n: int, blocks: IntArray, ngroup: int) -> FloatArray:
    """Rows of each group at or after each block start, from cumulative counts (sorted rows)."""
    at_risk = np.empty((ngroup, blocks.size))
    at_risk[0] = n - blocks
    if g_sorted is None:
        return at_risk
    before = np.zeros(n + 1, dtype=np.int64)
    for g in range(1, ngroup):  # group 0 by difference
        np.cumsum(g_sorted if ngroup == 2 else g_sorted == g, out=before[1:])  # rows before
        at_risk[g] = before[-1] - np.take(before, blocks)
        at_risk[0] -= at_risk[g]
    return at_risk


def event_table(
    time: FloatArray, cause: IntArray, group: IntArray, ngroup: int, ncause: int, *, timefix: bool
) -> EventTable:
    """Tables of a sample with ``cause`` in 0..ncause (0 = censored), ``group`` in 0..ngroup-1."""
    cbits = max(1, int(ncause).bit_length())
    gbits = int(ngroup - 1).bit_length()
    code = cause if ngroup == 1 else (group << cbits) | cause
    ts, code = sorted_codes(time, code, cbits + gbits)
    if timefix:
        ts = merge_sorted(ts)
    g_sorted = code >> cbits if ngroup > 1 else None
    pe, start = _event_rows(ts, code != (0 if g_sorted is None else g_sorted << cbits))
    blocks, rank = _dedupe(start, _tied_after(start))  # first rows of the distinct times
    ce = np.take(code, pe)
    kind = (ce & ((1 << cbits) - 1)) - 1
    own, counts = [], []
    for g in range(ngroup):
        rows = np.flatnonzero(ce >> cbits == g) if ngroup > 1 else None
        uniq, cnt = _cells(
            rank if rows is None else np.take(rank, rows),
            kind if rows is None else np.take(kind, rows),
            ncause,
        )
        own.append(uniq)
        counts.append(cnt)
    ends = np.array([ts[-1]]) if g_sorted is None else _group_ends(ts, g_sorted, ngroup)
    return EventTable(
        time=ts[blocks],
        at_risk=_at_risk(g_sorted, ts.size, blocks, ngroup),
        end=ends,
        own=tuple(own),
        counts=tuple(counts),
    )
