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
    ``tolerance * max(1, max|y|)``, so when no gap between neighbouring distinct values is that
    small nothing can merge and the exact rule is skipped.
    """
    if tolerance <= 0 or ts.size < 2:
        return ts
    dy = np.diff(ts)
    bound = tolerance * max(1.0, abs(float(ts[0])), abs(float(ts[-1])))
    small = dy <= bound
    if np.count_nonzero(small) == np.count_nonzero(dy == 0):
        return ts
    new = dy > 0
    first = np.empty(ts.size, dtype=bool)
    first[0] = True
    first[1:] = new
    y = ts[first]  # the distinct values
    gaps = dy[new]
    scale = float(np.mean(np.abs(y)))
    tied = gaps <= tolerance
    if scale > 0:
        tied |= gaps / scale <= tolerance
    if not np.any(tied):
        return ts
    head = np.empty(y.size, dtype=bool)
    head[0] = True
    head[1:] = ~tied
    start = np.where(head, np.arange(y.size), 0)
    np.maximum.accumulate(start, out=start)  # index of each value's group head
    merged_y = y[start]
    which = np.cumsum(first) - 1  # index of each element's distinct value
    out: FloatArray = merged_y[which]
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
