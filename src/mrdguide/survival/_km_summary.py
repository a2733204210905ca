"""A Kaplan–Meier curve read at chosen times, as R ``summary(survfit, times = , extend = )``.

Notes
-----
R's rule (survival 3.5-3, ``summary.survfit``'s ``findrow``), reproduced here:

* The times are sorted. Before the first curve time S = 1 with SE 0 and limits 1.
* S, SE and limits at ``t`` are those of the last curve time ``<= t`` (right-continuous).
* ``n_at_risk`` is the number at risk at the first curve time ``>= t`` (0 past the end).
  ``n_events`` and ``n_censored`` count what happened in ``(previous t, t]`` (from the start for
  the first requested time).
* Past the curve's last time (the largest follow-up time, censored or not) R drops the row
  unless ``extend = TRUE``. Here the row is kept, so the output lines up with ``times``, and S,
  SE and limits are NaN there unless ``extend=True`` (then they are the last values). Exactly
  at the last time the value is given, as in R.
* ``std_err`` is the SE of S itself, as R's ``summary`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from mrdguide.errors import InputError
from mrdguide.survival._types import CurveLike, FloatArray, dataclass_to_dict

__all__ = ["SurvivalSummary", "step_lookup", "summarize"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalSummary:
    """A survival curve at chosen times (R ``summary(fit, times = )``).

    Attributes
    ----------
    time : ndarray
        The requested times, sorted.
    n_at_risk, n_events, n_censored : ndarray
        Number at risk at ``t``; events and censorings in ``(previous time, t]``.
    survival, std_err, ci_lower, ci_upper : ndarray
        S(t), the SE of S(t) and its pointwise limits (NaN past the follow-up unless
        ``extend``).
    conf_type, conf_level, extend
        As used.
    """

    time: FloatArray
    n_at_risk: FloatArray
    n_events: FloatArray
    n_censored: FloatArray
    survival: FloatArray
    std_err: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_type: str
    conf_level: float
    extend: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def as_query_times(t: ArrayLike) -> FloatArray:
    """Query times as floats; NaN is refused (it has no place on the time axis)."""
    tt = np.asarray(t, dtype=np.float64)
    if np.any(np.isnan(tt)):
        raise InputError("times must not be NaN", field="t", rule="not NaN")
    return tt


def step_lookup(
    time: FloatArray, values: FloatArray, t: FloatArray, before: float, *, extend: bool
) -> FloatArray:
    """Right-continuous step function: ``before`` ahead of ``time[0]``, NaN past ``time[-1]``
    unless ``extend`` (then the last value)."""
    idx = np.searchsorted(time, t, side="right") - 1
    vals = np.where(idx >= 0, values[np.maximum(idx, 0)] if values.size else before, before)
    if not extend and time.size:
        vals = np.where(t > time[-1], np.nan, vals)
    out: FloatArray = np.asarray(vals, dtype=np.float64)
    return out


def _interval_counts(time: FloatArray, counts: FloatArray, t: FloatArray) -> FloatArray:
    cum = np.concatenate(([0.0], np.cumsum(counts)))[np.searchsorted(time, t, side="right")]
    out: FloatArray = np.diff(cum, prepend=0.0)
    return out


def summarize(curve: CurveLike, times: ArrayLike, *, extend: bool) -> SurvivalSummary:
    """``summary(fit, times = times, extend = extend)`` for one curve (see module notes)."""
    tt = np.sort(np.atleast_1d(as_query_times(times)).ravel())
    ct = curve.time
    risk = np.append(curve.n_at_risk, 0.0)[np.searchsorted(ct, tt, side="left")]

    def look(values: FloatArray, before: float) -> FloatArray:
        return step_lookup(ct, values, tt, before, extend=extend)

    return SurvivalSummary(
        time=tt,
        n_at_risk=risk,
        n_events=_interval_counts(ct, curve.n_events, tt),
        n_censored=_interval_counts(ct, curve.n_censored, tt),
        survival=look(curve.survival, 1.0),
        std_err=look(curve.std_err, 0.0),
        ci_lower=look(curve.ci_lower, 1.0),
        ci_upper=look(curve.ci_upper, 1.0),
        conf_type=curve.conf_type,
        conf_level=curve.conf_level,
        extend=bool(extend),
    )
