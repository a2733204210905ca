"""Validation of the inputs of :func:`cox_ph` and :func:`fine_gray` (internal).

One place for the rules the two regression fits share: the design matrix, ``cluster=`` labels,
``offset=``, the automatic ``robust=None`` switch and ``timefix`` (R's ``aeqSurv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.survival._timefix import TIMEFIX_TOLERANCE, merge_near_ties
from mrdguide.survival._types import FloatArray, IntArray
from mrdguide.survival._validate import (
    as_events,
    as_labels,
    as_times,
    as_weights,
    check_lengths,
)

__all__ = [
    "CoxInputs",
    "as_cluster",
    "as_design",
    "as_offset",
    "read_cox_inputs",
    "resolve_robust",
    "variance_kind",
]


def as_design(x: Any, n: int | None = None) -> tuple[FloatArray, tuple[str, ...]]:
    """Return covariates as a finite float (n, p) matrix and their names.

    A pandas DataFrame (or anything with ``columns``) keeps its column names; other inputs are
    named ``x0, x1, ...``. A 1-d input is one covariate.
    """
    cols = getattr(x, "columns", None)
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("X must be numeric", field="X", rule="numeric") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise InputError(
            f"X must be a (n, p) matrix with p >= 1, got shape {arr.shape}",
            field="X",
            rule="2-d, p >= 1",
        )
    if not np.all(np.isfinite(arr)):
        raise InputError(
            "X holds NaN or infinite values; drop incomplete rows first", field="X", rule="finite"
        )
    if n is not None:
        check_lengths(time=n, X=arr.shape[0])
    names = (
        tuple(str(c) for c in cols)
        if cols is not None
        else tuple(f"x{i}" for i in range(arr.shape[1]))
    )
    return arr, names


def as_cluster(values: Any, n: int) -> tuple[IntArray, int] | None:
    """Cluster labels as codes 0..G-1 and G (``None`` stays ``None``)."""
    if values is None:
        return None
    _levels, codes = as_labels(values, n, "cluster")
    return codes, int(codes.max()) + 1


def as_offset(values: Any, n: int) -> FloatArray | None:
    """A finite offset per row (added to the linear predictor), or ``None``."""
    if values is None:
        return None
    try:
        arr = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError("offset must be numeric", field="offset", rule="numeric") from exc
    check_lengths(time=n, offset=arr.size)
    if not np.all(np.isfinite(arr)):
        raise InputError("offset holds NaN or infinite values", field="offset", rule="finite")
    return arr


def resolve_robust(robust: bool | None, cluster: Any, weights: FloatArray) -> bool:
    """R ``coxph``'s default: robust when ``cluster`` is given or a weight is not an integer."""
    if robust is None:
        return cluster is not None or bool(np.any(weights != np.floor(weights)))
    if not isinstance(robust, bool | np.bool_):
        raise InputError(
            "robust must be True, False or None", field="robust", value=robust, rule="bool | None"
        )
    if cluster is not None and not robust:
        raise InputError(
            "cluster= needs the robust variance: pass robust=True or leave robust=None",
            field="robust",
            value=robust,
            rule="cluster requires robust",
        )
    return bool(robust)


def variance_kind(robust: bool, cluster: Any) -> str:
    """The label of the variance a result carries: "model", "robust" or "cluster"."""
    if not robust:
        return "model"
    return "robust" if cluster is None else "cluster"


@dataclass(frozen=True, slots=True)
class CoxInputs:
    """Validated inputs of one Cox fit, in the caller's row order."""

    x: FloatArray
    names: tuple[str, ...]
    stop: FloatArray
    start: FloatArray | None
    event: IntArray
    weights: FloatArray
    strata: IntArray
    strata_labels: NDArray[Any] | None
    cluster: IntArray | None
    n_clusters: int | None
    offset: FloatArray | None


def _check_entry(entry: Any, stop: FloatArray) -> FloatArray | None:
    if entry is None:
        return None
    start = as_times(entry, "entry")
    check_lengths(time=stop.size, entry=start.size)
    if np.any(start >= stop):
        raise InputError(
            "entry must be < time for every row (intervals are (entry, time])",
            field="entry",
            rule="entry < time",
        )
    return start


def _has_near_ties(distinct: FloatArray) -> bool:
    """Whether :func:`merge_near_ties` would merge anything (its rule, O(n) on sorted values)."""
    if distinct.size < 2:
        return False
    dy = np.diff(distinct)
    scale = float(np.mean(np.abs(distinct)))
    tied = dy <= TIMEFIX_TOLERANCE
    if scale > 0:
        tied |= (dy / scale) <= TIMEFIX_TOLERANCE
    return bool(np.any(tied))


def apply_timefix(
    stop: FloatArray, start: FloatArray | None, *, presorted: bool = False
) -> tuple[FloatArray, FloatArray | None]:
    """Merge near-tied times as R's ``aeqSurv`` (start and stop share one time axis).

    The rule (:func:`merge_near_ties`) runs on the distinct values only, and only when some
    neighbours are near-tied; times are then mapped to their merged value. ``presorted``: no
    start times and ``stop`` sorted ascending (no sort needed).
    """
    if presorted and start is None:
        new = np.empty(stop.size, dtype=bool)
        new[:1] = True
        np.not_equal(stop[1:], stop[:-1], out=new[1:])
        distinct = stop[new]
        run = np.cumsum(new) - 1
    else:
        distinct = np.unique(stop if start is None else np.concatenate([stop, start]))
        run = None
    if not _has_near_ties(distinct):
        return stop, start
    merged = merge_near_ties(distinct)[0]
    new_stop = merged[run] if run is not None else merged[np.searchsorted(distinct, stop)]
    if start is None:
        return new_stop, None
    new_start = merged[np.searchsorted(distinct, start)]
    if np.any(new_start >= new_stop):
        raise InputError(
            "an interval (entry, time] has length 0 after merging near-tied times; "
            "fix the times or pass timefix=False",
            field="entry",
            rule="entry < time after timefix",
        )
    return new_stop, new_start


def read_cox_inputs(
    X: Any,
    time: Any,
    event: Any,
    *,
    strata: Any,
    entry: Any,
    weights: Any,
    cluster: Any,
    offset: Any,
) -> CoxInputs:
    """Validate every input of :func:`cox_ph` (lengths, finiteness, codes).

    ``timefix`` is applied later, to the sorted times (see ``_cox._sorted_data``).
    """
    stop = as_times(time)
    ev = as_events(event)
    check_lengths(time=stop.size, event=ev.size)
    x, names = as_design(X, stop.size)
    start = _check_entry(entry, stop)
    w = as_weights(weights, stop.size)
    levels, codes = (
        (None, np.zeros(stop.size, dtype=np.int64))
        if strata is None
        else as_labels(strata, stop.size, "strata")
    )
    cl = as_cluster(cluster, stop.size)
    return CoxInputs(
        x=x,
        names=names,
        stop=stop,
        start=start,
        event=ev,
        weights=w,
        strata=codes,
        strata_labels=levels,
        cluster=None if cl is None else cl[0],
        n_clusters=None if cl is None else cl[1],
        offset=as_offset(offset, stop.size),
    )
