"""Input checking shared by the nonparametric survival estimators.

Every public estimator converts its inputs here, so the same rules and the same error messages
apply everywhere: arrays are one-dimensional, of equal length and non-empty; times are finite and
non-negative; event indicators are 0/1; cause codes are non-negative integers (0 = censored).
Inputs are accepted as any array-like (lists, numpy arrays, pandas Series through ``np.asarray``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray

__all__ = [
    "as_causes",
    "as_events",
    "as_labels",
    "as_times",
    "as_weights",
    "check_lengths",
    "check_level",
]


def _as_1d(values: Any, name: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise InputError(f"{name} must be one-dimensional", field=name, rule="ndim == 1")
    if arr.ndim > 1:
        if arr.ndim == 2 and 1 in arr.shape:
            return arr.reshape(-1)
        raise InputError(
            f"{name} must be one-dimensional, got shape {arr.shape}",
            field=name,
            value=arr.shape,
            rule="ndim == 1",
        )
    return arr


def as_times(values: Any, name: str = "time") -> FloatArray:
    """Return ``values`` as a float64 vector of finite, non-negative times.

    Raises
    ------
    InputError
        If the input is empty, not numeric, or holds NaN, infinite or negative values.
    """
    arr = _as_1d(values, name)
    if arr.size == 0:
        raise InputError(f"{name} is empty", field=name, rule="at least one observation")
    try:
        out = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric", field=name, rule="numeric") from exc
    if not np.all(np.isfinite(out)):
        bad = int(np.flatnonzero(~np.isfinite(out))[0])
        raise InputError(
            f"{name} holds NaN or infinite values (first at index {bad})",
            field=name,
            value=float(out[bad]),
            rule="finite",
        )
    if np.any(out < 0):
        bad = int(np.flatnonzero(out < 0)[0])
        raise InputError(
            f"{name} holds negative values (first at index {bad})",
            field=name,
            value=float(out[bad]),
            rule=">= 0",
        )
    return out


def _as_int_codes(values: Any, name: str) -> IntArray:
    arr = _as_1d(values, name)
    if arr.dtype == np.bool_:
        return arr.astype(np.int64)
    if arr.dtype.kind in "iu":
        return np.asarray(arr, dtype=np.int64)
    try:
        num = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric codes", field=name, rule="integer") from exc
    if not np.all(np.isfinite(num)) or np.any(num != np.round(num)):
        raise InputError(
            f"{name} must hold whole numbers without NaN", field=name, rule="integer codes"
        )
    return num.astype(np.int64)


def as_events(values: Any, name: str = "event") -> IntArray:
    """Return a 0/1 event indicator (booleans accepted)."""
    out = _as_int_codes(values, name)
    if out.size and (out.min() < 0 or out.max() > 1):
        raise InputError(
            f"{name} must be 0 (censored) or 1 (event)", field=name, rule="values in {0, 1}"
        )
    return out


def as_causes(values: Any, name: str = "cause") -> IntArray:
    """Return cause codes: 0 = censored, 1..k = competing causes."""
    out = _as_int_codes(values, name)
    if out.size and out.min() < 0:
        raise InputError(
            f"{name} must be >= 0 (0 = censored, 1..k = causes)", field=name, rule="values >= 0"
        )
    return out


def as_weights(values: Any, n: int, name: str = "weights") -> FloatArray:
    """Return case weights (finite, >= 0); ``None`` gives unit weights."""
    if values is None:
        return np.ones(n, dtype=np.float64)
    out = np.asarray(_as_1d(values, name), dtype=np.float64)
    check_lengths(time=n, **{name: out.size})
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise InputError(f"{name} must be finite and >= 0", field=name, rule="finite, >= 0")
    return out


def as_labels(values: Any, n: int, name: str) -> tuple[NDArray[Any], IntArray]:
    """Encode group or stratum labels as ``(levels, codes)``; ``levels`` are sorted like R's factor.

    ``None`` values and float NaN are rejected rather than silently dropped.
    """
    arr = _as_1d(values, name)
    check_lengths(time=n, **{name: arr.size})
    if arr.dtype.kind == "f" and np.any(np.isnan(arr)):
        raise InputError(f"{name} holds NaN", field=name, rule="no missing labels")
    if arr.dtype == object and any(
        v is None or (isinstance(v, float) and np.isnan(v)) for v in arr
    ):
        raise InputError(f"{name} holds missing labels", field=name, rule="no missing labels")
    if arr.dtype.kind in "iub" and arr.size:
        fast = _small_int_labels(arr)
        if fast is not None:
            return fast
    try:
        levels, codes = np.unique(arr, return_inverse=True)
    except TypeError as exc:
        raise InputError(f"{name} labels cannot be ordered", field=name, rule="sortable") from exc
    return levels, codes.reshape(-1).astype(np.int64)


def _small_int_labels(arr: NDArray[Any]) -> tuple[NDArray[Any], IntArray] | None:
    """Sort-free factorisation of integer labels with a small range (bincount lookup)."""
    lo, hi = int(arr.min()), int(arr.max())
    if hi - lo > 4 * arr.size + 1024:
        return None
    shifted = arr.astype(np.int64, copy=False)
    if lo != 0:
        shifted = shifted - lo
    present = np.flatnonzero(np.bincount(shifted, minlength=hi - lo + 1))
    if present.size == hi - lo + 1:  # labels already lo..hi without gaps: no lookup needed
        return (present + lo).astype(arr.dtype), shifted
    lookup = np.zeros(hi - lo + 1, dtype=np.int64)
    lookup[present] = np.arange(present.size)
    return (present + lo).astype(arr.dtype), lookup[shifted]


def check_lengths(**sizes: int) -> None:
    """Raise :class:`InputError` unless all named lengths are equal."""
    values = set(sizes.values())
    if len(values) > 1:
        desc = ", ".join(f"{k}={v}" for k, v in sizes.items())
        raise InputError(f"inputs differ in length ({desc})", rule="equal lengths")


def check_level(conf_level: float) -> float:
    """Check a confidence level lies strictly between 0 and 1."""
    level = float(conf_level)
    if not 0.0 < level < 1.0:
        raise InputError(
            "conf_level must lie strictly between 0 and 1",
            field="conf_level",
            value=conf_level,
            rule="0 < conf_level < 1",
        )
    return level
