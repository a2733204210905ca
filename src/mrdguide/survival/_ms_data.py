"""Input checking for multi-state data: rows ``(start, stop]`` per subject with states.

Reproduces the checks R's ``survfit`` requires of multi-state data (``survcheck``: no overlap,
no gap, no state "teleport") and survfitCI's merge of censored interior rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import InputError
from mrdguide.survival._ties import check_timefix, timefixed, timefixed_interval
from mrdguide.survival._types import FloatArray, IntArray
from mrdguide.survival._validate import as_labels, as_times, as_weights, check_lengths

__all__ = ["INITIAL_STATE", "StateRows", "state_rows"]

#: R's label for the initial state when ``istate`` is not given.
INITIAL_STATE = "(s0)"


@dataclass(frozen=True, slots=True, kw_only=True)
class StateRows:
    """Validated rows sorted by subject and time; states as codes 0..S-1, -1 = censored."""

    entry: FloatArray
    stop: FloatArray
    to: IntArray
    cur: IntArray
    subject: IntArray
    weight: FloatArray
    subject_weight: FloatArray
    n_subjects: int


def _labels(values: ArrayLike | None, n: int, name: str, default: Any) -> NDArray[Any]:
    if values is None:
        return np.full(n, default, dtype=object)
    arr = np.asarray(values, dtype=object).ravel()
    check_lengths(stop=n, **{name: arr.size})
    return arr


def _state_order(
    to_lab: NDArray[Any], from_lab: NDArray[Any], states: ArrayLike | None
) -> NDArray[Any]:
    """R's state order: initial-only states then entered states (each sorted), or ``states``."""
    seen = set(to_lab.tolist()) | set(from_lab.tolist())
    if states is not None:
        order = np.asarray(states, dtype=object).ravel()
        missing = seen - set(order.tolist())
        if missing:
            raise InputError(
                f"states does not list {sorted(map(str, missing))}", field="states", rule="all"
            )
        return order
    entered = set(to_lab.tolist())
    try:
        first = sorted(set(from_lab.tolist()) - entered)
        return np.asarray(first + sorted(entered), dtype=object)
    except TypeError as exc:
        raise InputError(
            "state labels of mixed types cannot be ordered; pass states=",
            field="states",
            rule="sortable labels",
        ) from exc


def _codes(lab: NDArray[Any], order: NDArray[Any]) -> IntArray:
    lookup = {v: i for i, v in enumerate(order.tolist())}
    return np.array([lookup[v] for v in lab.tolist()], dtype=np.int64)


def _times(
    stop: ArrayLike, start: ArrayLike | None, n: int, timefix: bool
) -> tuple[FloatArray, FloatArray]:
    st = as_times(stop, "stop")
    check_lengths(stop=st.size, to_state=n)
    if start is None:
        return np.full(n, -np.inf), timefixed(st, timefix)
    en = as_times(start, "start")
    check_lengths(stop=n, start=en.size)
    if np.any(en >= st):
        bad = int(np.flatnonzero(en >= st)[0])
        raise InputError(
            f"start must be < stop (row {bad})", field="start", value=float(en[bad]), rule="<"
        )
    return timefixed_interval(en, st) if timefix else (en, st)


def _history(
    subj: IntArray, en: FloatArray, st: FloatArray, to: IntArray, init: IntArray
) -> tuple[IntArray, NDArray[np.bool_], NDArray[np.bool_]]:
    """State at the start of each (sorted) row; first/last row flags. Checks contiguity."""
    n = subj.size
    first = np.ones(n, dtype=bool)
    first[1:] = subj[1:] != subj[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    same = ~first[1:]
    if np.any(same & (en[1:] < st[:-1])):
        raise InputError("a subject has overlapping intervals", field="start", rule="no overlap")
    if np.any(same & (en[1:] > st[:-1])):
        raise InputError(
            "a subject has a gap between intervals (R's survcheck refuses it too)",
            field="start",
            rule="contiguous rows",
        )
    idx = np.arange(n)
    head = np.maximum.accumulate(np.where(first, idx, 0))
    ev = np.maximum.accumulate(np.where(to >= 0, idx, -1))
    prev = np.concatenate(([-1], ev[:-1]))
    cur = np.where(prev >= head, to[np.maximum(prev, 0)], init[head])
    return cur, first, last


def _subjects_and_weights(
    subject: ArrayLike | None, weights: ArrayLike | None, n: int, *, has_start: bool
) -> tuple[IntArray, FloatArray]:
    """Subject codes (one per row when ``id=`` is absent) and positive weights."""
    if subject is None:
        if has_start:
            raise InputError("start/stop data need id=", field="id", rule="id with start")
        subj = np.arange(n, dtype=np.int64)
    else:
        subj = as_labels(subject, n, "id")[1]
    w = as_weights(weights, n)
    if np.any(w <= 0):
        raise InputError("weights must be > 0", field="weights", rule="> 0")
    return subj, w


def _subject_weights(subj: IntArray, w: FloatArray) -> FloatArray:
    """One weight per subject code; rows of a subject must agree."""
    sw = np.zeros(int(subj.max()) + 1)
    sw[subj] = w
    if np.any(sw[subj] != w):
        raise InputError("weights vary within a subject", field="weights", rule="constant per id")
    return sw


def state_rows(
    stop: ArrayLike,
    to_state: ArrayLike,
    *,
    start: ArrayLike | None,
    subject: ArrayLike | None,
    from_state: ArrayLike | None,
    states: ArrayLike | None,
    weights: ArrayLike | None,
    censored: Any,
    timefix: bool,
) -> tuple[StateRows, NDArray[Any]]:
    """Validate and encode multi-state rows (see :func:`aalen_johansen`)."""
    to_lab = np.asarray(to_state, dtype=object).ravel()
    n = to_lab.size
    cens = np.array([v == censored for v in to_lab.tolist()], dtype=bool)
    from_lab = _labels(from_state, n, "from_state", INITIAL_STATE)
    order = _state_order(to_lab[~cens], from_lab, states)
    to = np.full(n, -1, dtype=np.int64)
    to[~cens] = _codes(to_lab[~cens], order)
    init = _codes(from_lab, order)
    en, st = _times(stop, start, n, check_timefix(timefix))
    subj, w = _subjects_and_weights(subject, weights, n, has_start=start is not None)
    srt = np.lexsort((st, subj))
    subj, en, st, to, init, w = subj[srt], en[srt], st[srt], to[srt], init[srt], w[srt]
    cur, first, last = _history(subj, en, st, to, init)
    if from_state is not None and np.any(cur != init):
        raise InputError(
            "from_state of a row differs from the state the subject is in (R: 'teleport')",
            field="from_state",
            rule="consistent with the previous rows",
        )
    sw = _subject_weights(subj, w)
    nsub = sw.size
    keep = ~((to < 0) & ~first & ~last)  # survfitCI merges censored interior rows forward
    block = np.maximum.accumulate(np.where(np.concatenate(([True], keep[:-1])), np.arange(n), 0))
    en = en[block]
    rows = StateRows(
        entry=en[keep],
        stop=st[keep],
        to=to[keep],
        cur=cur[keep],
        subject=subj[keep],
        weight=w[keep],
        subject_weight=sw,
        n_subjects=nsub,
    )
    return rows, order
