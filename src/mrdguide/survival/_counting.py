"""Counting-process data ``(start, stop]`` as R's ``tmerge`` and ``survSplit`` build them.

:func:`counting_process` makes the base timeline (R's first ``tmerge(d, d, id, event(...))``
call); :meth:`CountingProcess.add_tdc` and :meth:`CountingProcess.add_event` add time-dependent
covariates and events (``tdc()``, ``cumtdc()``, ``event()``); :meth:`CountingProcess.split`
and :func:`survsplit` cut at fixed times (``survSplit``). Results are frozen; each method
returns a new object. Pure numpy.

Notes
-----
R's rules (survival 3.5-3), reproduced and checked against R:

* A covariate change at time t applies to intervals starting at or after t; t inside an
  interval splits it. Changes at or before a subject's first start apply from the start
  (R's "early"/"leading"); changes at or after its last stop are ignored ("trailing"/"late").
  Before the first change the value is ``initial`` (R: NA, or ``tdc(time, value, init)``).
  Rows with a missing (NaN) time or value are ignored, as R.
* An event at t with first start < t <= last stop splits the interval containing t and is
  recorded on the piece ending at t (an event exactly at a split point marks the piece ending
  there). Events at or before the first start or after the last stop are ignored.
* Several changes or events of a subject at the same time: the last in data order wins (for
  ``cumulative=True`` the running sum includes all of them), as R.
* Existing columns are copied to the pieces of a split row; the base event and every event
  column stay on the piece ending at the original stop.
* ``split``: an interval is cut at each cut point strictly inside it; ``episode`` numbers the
  pieces 1, 2, ... by ``1 + number of cuts <= start`` (R's ``survSplit(episode=)``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_causes, as_labels, as_times, check_lengths

__all__ = ["CountingProcess", "counting_process", "survsplit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CountingProcess:
    """Rows ``(start, stop]`` per subject with time-dependent columns (R ``tmerge`` output).

    Attributes
    ----------
    id : ndarray
        Subject label of each row (rows sorted by subject, then time).
    row : ndarray of int
        Position of the subject in the base data, to carry baseline covariates (``X[cp.row]``).
    start, stop : ndarray
        The interval of each row.
    event : ndarray of int
        The base event (status at the end of follow-up), on the last piece only.
    names : tuple of str
        Names of the added columns, in order.
    values : ndarray, shape (n_rows, len(names))
        The added columns (covariates, event columns, episode numbers).
    events : tuple of str
        Which of ``names`` are event columns (kept on the piece ending at the original stop).
    notes : tuple of str
        What was ignored when columns were added (R's ``tcount``), one line per column.
    """

    id: NDArray[Any]
    row: IntArray
    start: FloatArray
    stop: FloatArray
    event: IntArray
    names: tuple[str, ...] = ()
    values: FloatArray
    events: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def column(self, name: str) -> FloatArray:
        """The added column ``name``."""
        if name not in self.names:
            raise InputError(f"no column {name!r}", field="name", value=name)
        out: FloatArray = self.values[:, self.names.index(name)]
        return out

    def add_tdc(
        self,
        id: ArrayLike,
        time: ArrayLike,
        value: ArrayLike | None = None,
        *,
        name: str,
        initial: float = float("nan"),
        cumulative: bool = False,
    ) -> CountingProcess:
        """Add a time-dependent covariate (R ``tdc(time, value, init)`` / ``cumtdc``).

        Without ``value`` the covariate is 0 before and 1 from ``time`` on (``cumulative``:
        the number of times so far). See the module notes for R's rules.
        """
        pts = _points(self, id, time, value, name)
        vals = pts.value
        if cumulative:
            vals = _running_sum(pts.subject, vals)
        split = _split_rows(self, pts.subject, pts.time)
        col = _value_at_start(split, pts.subject, pts.time, vals, initial)
        note = _note(name, self, pts, kind="tdc")
        return _with_column(split, name, col, note, event=False)

    def add_event(
        self,
        id: ArrayLike,
        time: ArrayLike,
        value: ArrayLike | None = None,
        *,
        name: str,
    ) -> CountingProcess:
        """Add an event column (R ``event(time, value)``; value 1 when not given)."""
        pts = _points(self, id, time, value, name)
        lo, hi = _range(self)
        ok = (pts.time > lo[pts.subject]) & (pts.time <= hi[pts.subject])
        split = _split_rows(self, pts.subject[ok], pts.time[ok])
        col = _value_at_stop(split, pts.subject[ok], pts.time[ok], pts.value[ok])
        note = _note(name, self, pts, kind="event")
        return _with_column(split, name, col, note, event=True)

    def split(self, cuts: ArrayLike, *, name: str = "episode") -> CountingProcess:
        """Cut every interval at ``cuts`` (R ``survSplit(cut=, episode=)``)."""
        c = np.unique(np.asarray(cuts, dtype=np.float64).ravel())
        if c.size == 0 or not np.all(np.isfinite(c)):
            raise InputError("cuts must be finite numbers", field="cuts", rule="finite")
        n_sub = int(self.row.max()) + 1 if self.row.size else 0
        subj = np.repeat(np.arange(n_sub), c.size)
        times = np.tile(c, n_sub)
        split = _split_rows(self, subj, times)
        episode = (np.searchsorted(c, split.start, side="right") + 1).astype(np.float64)
        return _with_column(split, name, episode, f"{name}: cut at {c.tolist()}", event=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True)
class _Points:
    subject: IntArray
    time: FloatArray
    value: FloatArray
    dropped: int


def counting_process(
    id: ArrayLike,
    stop: ArrayLike,
    event: ArrayLike | None = None,
    *,
    start: ArrayLike | None = None,
) -> CountingProcess:
    """Base timeline, one row ``(start, stop]`` per subject (R's first ``tmerge`` call).

    Parameters
    ----------
    id : array-like
        Subject labels, one row per subject.
    stop : array-like
        End of follow-up.
    event : array-like of int, optional
        Status at ``stop`` (0 = censored); default 0.
    start : array-like, optional
        Start of follow-up (default 0).

    Returns
    -------
    CountingProcess

    Examples
    --------
    MRD as a time-varying covariate: follow-up from complete remission (day 0) to relapse or
    censoring, MRD (log10) measured at day 33 and day 78; a relapse before day 78 leaves the
    later sample out (it is after follow-up).

    >>> cp = counting_process(["SYN-1", "SYN-2"], [400.0, 60.0], [0, 1])
    >>> cp = cp.add_tdc(["SYN-1", "SYN-1", "SYN-2", "SYN-2"], [33.0, 78.0, 33.0, 78.0],
    ...                 [-2.0, -4.5, -1.0, -0.5], name="log10_mrd")
    >>> for r in zip(cp.id, cp.start, cp.stop, cp.event, cp.column("log10_mrd")):
    ...     print(*r)
    SYN-1 0.0 33.0 0 nan
    SYN-1 33.0 78.0 0 -2.0
    SYN-1 78.0 400.0 0 -4.5
    SYN-2 0.0 33.0 0 nan
    SYN-2 33.0 60.0 1 -1.0

    A Cox model with MRD as a time-dependent covariate then uses the rows directly, e.g.
    ``cox_ph(X, cp.stop, cp.event, entry=cp.start)`` with ``X`` built from
    ``cp.column("log10_mrd")`` (rows before the first sample need a value or are dropped).
    """
    levels, codes = as_labels(id, np.asarray(stop).size, "id")
    st = as_times(stop, "stop")
    if levels.size != st.size:
        raise InputError("the base data need one row per id", field="id", rule="unique ids")
    en = np.zeros(st.size) if start is None else as_times(start, "start")
    check_lengths(stop=st.size, start=en.size)
    ev = np.zeros(st.size, dtype=np.int64) if event is None else as_causes(event, "event")
    check_lengths(stop=st.size, event=ev.size)
    if np.any(en >= st):
        bad = int(np.flatnonzero(en >= st)[0])
        raise InputError(f"start must be < stop (row {bad})", field="stop", rule="start < stop")
    order = np.argsort(codes, kind="stable")
    return CountingProcess(
        id=levels[codes[order]],
        row=order.astype(np.int64),
        start=en[order],
        stop=st[order],
        event=ev[order],
        values=np.empty((st.size, 0)),
    )


def survsplit(
    time: ArrayLike,
    event: ArrayLike,
    cuts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    name: str = "episode",
) -> CountingProcess:
    """Split each row's follow-up at ``cuts`` (R ``survSplit(Surv(time, event) ~ ., cut=)``).

    Rows keep their position as ``row`` (and ``id``); the event stays on the last piece and
    ``episode`` numbers the pieces. See :meth:`CountingProcess.split`.
    """
    st = as_times(time, "time")
    return counting_process(np.arange(st.size), st, event, start=start).split(cuts, name=name)


def _range(cp: CountingProcess) -> tuple[FloatArray, FloatArray]:
    """First start and last stop of each base subject."""
    n_sub = int(cp.row.max()) + 1 if cp.row.size else 0
    lo = np.full(n_sub, np.inf)
    hi = np.full(n_sub, -np.inf)
    np.minimum.at(lo, cp.row, cp.start)
    np.maximum.at(hi, cp.row, cp.stop)
    return lo, hi


def _points(
    cp: CountingProcess,
    id: ArrayLike,
    time: ArrayLike,
    value: ArrayLike | None,
    name: str,
) -> _Points:
    """Times (and values) matched to base subjects; unknown ids and NaN rows dropped."""
    if name in cp.names or not name:
        raise InputError(f"column name {name!r} is empty or taken", field="name", value=name)
    ids = np.asarray(id, dtype=object).ravel()
    t = np.asarray(time, dtype=np.float64).ravel()
    v = np.ones(t.size) if value is None else np.asarray(value, dtype=np.float64).ravel()
    check_lengths(id=ids.size, time=t.size, value=v.size)
    base = np.unique(cp.id, return_index=True)
    lookup = {k: int(cp.row[i]) for k, i in zip(base[0].tolist(), base[1].tolist(), strict=True)}
    subj = np.array([lookup.get(k, -1) for k in ids.tolist()], dtype=np.int64)
    keep = (subj >= 0) & ~np.isnan(t) & ~np.isnan(v)
    order = np.lexsort((t[keep], subj[keep]))  # stable: data order kept within ties
    return _Points(
        subject=subj[keep][order],
        time=t[keep][order],
        value=v[keep][order],
        dropped=int(np.count_nonzero(~keep)),
    )


def _running_sum(subject: IntArray, values: FloatArray) -> FloatArray:
    """Cumulative sum of ``values`` within each subject (points sorted by subject)."""
    total = np.cumsum(values)
    first = np.concatenate(([True], subject[1:] != subject[:-1]))
    head = np.maximum.accumulate(np.where(first, np.arange(total.size), 0))
    out: FloatArray = total - (total - values)[head]
    return out


def _latest(
    sub_a: IntArray, t_a: FloatArray, sub_b: IntArray, t_b: FloatArray, *, a_first: bool
) -> IntArray:
    """For each b, the index of the last a with the same subject and t_a <= t_b (else -1).

    At equal times the a's sort before the b's when ``a_first`` (so they count as "<="),
    after them otherwise (then only t_a < t_b counts). ``sub_a, t_a`` must be sorted.
    """
    kind = np.concatenate(
        (np.full(t_a.size, 0 if a_first else 1), np.full(t_b.size, 1 if a_first else 0))
    )
    subj = np.concatenate((sub_a, sub_b))
    order = np.lexsort((kind, np.concatenate((t_a, t_b)), subj))
    is_a = order < t_a.size
    filled = np.maximum.accumulate(np.where(is_a, order, -1))
    out = np.empty(t_b.size, dtype=np.int64)
    out[order[~is_a] - t_a.size] = filled[~is_a]
    ok = out >= 0
    ok[ok] = sub_a[out[ok]] == sub_b[ok]
    return np.where(ok, out, -1)


def _row_holding(
    cp: CountingProcess, subject: IntArray, times: FloatArray, *, strict: bool
) -> IntArray:
    """Row with ``start < t < stop`` (``strict``) or ``start < t <= stop``, else -1."""
    r = _latest(cp.row, cp.start, subject, times, a_first=strict)
    ok = r >= 0
    rr = np.maximum(r, 0)
    inside = ok & (times > cp.start[rr])
    inside &= (times < cp.stop[rr]) if strict else (times <= cp.stop[rr])
    return np.where(inside, r, -1)


def _split_rows(cp: CountingProcess, subject: IntArray, times: FloatArray) -> CountingProcess:
    """Cut rows at the (subject, time) points strictly inside them."""
    owner = _row_holding(cp, subject, times, strict=True)
    hit = owner >= 0
    if not np.any(hit):
        return cp
    pairs = np.unique(np.stack([owner[hit].astype(np.float64), times[hit]], axis=1), axis=0)
    cut_row, cut_t = pairs[:, 0].astype(np.int64), pairs[:, 1]
    pieces = np.bincount(cut_row, minlength=cp.start.size) + 1
    parent = np.repeat(np.arange(cp.start.size), pieces)
    first = np.concatenate(([0], np.cumsum(pieces)[:-1]))
    last = np.concatenate((first[1:] - 1, [parent.size - 1]))
    is_first = np.zeros(parent.size, dtype=bool)
    is_first[first] = True
    new_start = cp.start[parent].copy()
    new_stop = cp.stop[parent].copy()
    inner = np.flatnonzero(~is_first)  # later pieces start at the cuts, in (row, time) order
    new_start[inner] = cut_t
    new_stop[inner - 1] = cut_t
    on_last = np.zeros(parent.size, dtype=bool)
    on_last[last] = True
    values = cp.values[parent].copy()
    for j, nm in enumerate(cp.names):
        if nm in cp.events:
            values[~on_last, j] = 0.0
    return replace(
        cp,
        id=cp.id[parent],
        row=cp.row[parent],
        start=new_start,
        stop=new_stop,
        event=np.where(on_last, cp.event[parent], 0),
        values=values,
    )


def _value_at_start(
    cp: CountingProcess, subject: IntArray, times: FloatArray, vals: FloatArray, initial: float
) -> FloatArray:
    """Value of the last change at or before each row's start (``initial`` if none)."""
    k = _latest(subject, times, cp.row, cp.start, a_first=True)
    return np.where(k >= 0, vals[np.maximum(k, 0)], initial)


def _value_at_stop(
    cp: CountingProcess, subject: IntArray, times: FloatArray, vals: FloatArray
) -> FloatArray:
    """Event values on the rows ending at each event time (the last of ties wins)."""
    col = np.zeros(cp.start.size)
    holder = _row_holding(cp, subject, times, strict=False)
    ok = holder >= 0
    h, v = holder[ok], vals[ok]
    last = np.concatenate((h[1:] != h[:-1], [True])) if h.size else np.zeros(0, dtype=bool)
    col[h[last]] = v[last]
    return col


def _note(name: str, cp: CountingProcess, pts: _Points, kind: str) -> str:
    """What happened to the added times (R's ``tcount`` in one line)."""
    lo, hi = _range(cp)
    t, s = pts.time, pts.subject
    before = int(np.count_nonzero(t <= lo[s]))
    after = int(np.count_nonzero(t > hi[s] if kind == "event" else t >= hi[s]))
    early = "ignored" if kind == "event" else "applied from the start"
    return (
        f"{name}: {t.size - before - after} inside follow-up, {before} at/before its start "
        f"({early}), {after} at/after its end (ignored), {pts.dropped} with unknown id or "
        "missing time/value (ignored)"
    )


def _with_column(
    cp: CountingProcess, name: str, col: FloatArray, note: str, *, event: bool
) -> CountingProcess:
    return replace(
        cp,
        names=(*cp.names, name),
        values=np.column_stack([cp.values, col]),
        events=(*cp.events, name) if event else cp.events,
        notes=(*cp.notes, note),
    )
