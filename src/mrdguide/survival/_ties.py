"""R's ``timefix`` (``aeqSurv``) applied inside the estimators, at the cost of one linear pass.

:func:`mrdguide.survival._timefix.merge_near_ties` is the reference implementation of R's rule
(it sorts the pooled distinct values). The estimators here already sort their times, so
:func:`merge_sorted` applies the same rule to an already sorted vector without another sort,
and :func:`timefixed` is the entry point the public functions call. Both are checked against
``merge_near_ties`` in the unit tests, so the rule has one definition.
"""

from __future__ import annotations

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._timefix import TIMEFIX_TOLERANCE, merge_near_ties
from mrdguide.survival._types import FloatArray

__all__ = ["check_timefix", "merge_sorted", "timefixed", "timefixed_interval"]


def check_timefix(timefix: object) -> bool:
    """Validate the ``timefix`` flag (a plain bool, as R's ``is.logical(timefix)`` check)."""
    if not isinstance(timefix, bool | np.bool_):
        raise InputError(
            "timefix must be True or False", field="timefix", value=timefix, rule="bool"
        )
    return bool(timefix)


def merge_sorted(ts: FloatArray, tolerance: float = TIMEFIX_TOLERANCE) -> FloatArray:
    """R's near-tie merge on an ascending vector of finite times (no extra sort).

    Returns ``ts`` itself when nothing merges (the usual case), else a new ascending vector
    where every time is replaced by the smallest member of its tie group. The result equals
    ``merge_near_ties(ts)[0]``.

    Notes
    -----
    A cheap screen comes first: R's threshold ``tolerance * max(1, mean|y|)`` is at most
    ``tolerance * max(1, max|y|)``, so only gaps below that bound can merge. With continuous
    data at n = 1e6 a few thousand gaps pass the screen; they are resolved on their own
    (O(candidates)), the whole vector is touched only to copy it.
    """
    if tolerance <= 0 or ts.size < 2:
        return ts
    dy = np.diff(ts)
    bound = tolerance * max(1.0, abs(float(ts[0])), abs(float(ts[-1])))
    small = np.flatnonzero(dy <= bound)  # exact ties (gap 0) and candidate near ties
    gaps = dy[small]
    positive = gaps > 0
    cand, gaps = small[positive], gaps[positive]
    if cand.size == 0:
        return ts
    dup = small[~positive]  # ts[i + 1] == ts[i]
    if ts[0] >= 0:  # mean |y| over the distinct values without forming them
        total = float(ts.sum()) - float(ts[dup + 1].sum())
    else:
        total = float(np.abs(ts).sum()) - float(np.abs(ts[dup + 1]).sum())
    scale = total / (ts.size - dup.size)
    tied = gaps <= tolerance
    if scale > 0:
        tied |= gaps / scale <= tolerance
    p = cand[tied]  # ts[p + 1] joins the tie group of ts[p]
    if p.size == 0:
        return ts
    lo = p + 1
    hi = np.searchsorted(ts, ts[lo], side="right")  # the run of values equal to ts[p + 1]
    chained = np.zeros(p.size, dtype=bool)
    chained[1:] = lo[1:] == hi[:-1]  # ts[p] was itself merged into the previous group
    head = np.maximum.accumulate(np.where(chained, 0, np.arange(p.size)))
    value = ts[p[head]]
    length = hi - lo
    out = ts.copy()
    offsets = np.repeat(lo - np.cumsum(length) + length, length) + np.arange(int(length.sum()))
    out[offsets] = np.repeat(value, length)
    return out


def timefixed(t: FloatArray, timefix: bool) -> FloatArray:
    """``t`` with R's near-tie merge applied when ``timefix`` (unsorted input, one sort)."""
    if not timefix:
        return t
    return merge_near_ties(t)[0]


def timefixed_interval(entry: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge near ties of ``(entry, time]`` intervals, entry and exit pooled (R ``aeqSurv``).

    Raises
    ------
    InputError
        When a merge collapses an interval to length 0 (R: "aeqSurv exception, an interval has
        effective length 0").
    """
    en2, t2 = merge_near_ties(entry, t)
    zero = (en2 >= t2) & (entry < t)
    if np.any(zero):
        bad = int(np.flatnonzero(zero)[0])
        raise InputError(
            f"entry and time are near-tied (index {bad}): after merging times that differ only "
            "by rounding (timefix) the interval has length 0; pass timefix=False or fix the data",
            field="entry",
            value=float(entry[bad]),
            rule="entry < time after timefix",
        )
    return en2, t2
