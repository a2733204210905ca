"""Median and quantiles of a survival curve with confidence limits (R ``print`` / ``quantile``).

R has two rules and both are reproduced:

* :func:`median_time` is ``print.survfit``'s median (``survival:::survmean``): the first time
  S(t) < 0.5 + tol, or, if S is exactly 0.5 there, the midpoint to the next drop.
* :func:`quantile_times` is ``quantile.survfit`` (its internal ``findq``): on F = 1 - S with
  duplicate values of F dropped, the quantile for p is the mean of the first times where
  F >= p - tol and F >= p + tol; where the curve ends flat at exactly p it is the midpoint of
  the first such time and the last time of the curve; p = 0 gives time 0.

The limits apply the same rule to the lower and upper pointwise curves, so the confidence
interval of a quantile is where the confidence band crosses 1 - p (Brookmeyer–Crowley style
intervals inverted from the pointwise band, as R does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, dataclass_to_dict

__all__ = ["SurvivalQuantiles", "median_time", "quantile_times"]

#: ``sqrt(.Machine$double.eps)``: R's tolerance for the median and quantile rules.
TOL = float(np.sqrt(np.finfo(np.float64).eps))


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalQuantiles:
    """Quantiles of the event-time distribution with confidence limits.

    Attributes
    ----------
    probs : ndarray
        Probabilities p of the distribution function F = 1 - S (0.5 = median survival).
    estimate, ci_lower, ci_upper : ndarray
        The times t with F(t) = p, from the curve and from its lower and upper pointwise
        limits; NaN where the curve (or limit) never reaches p.
    conf_level : float
        Level of the pointwise band the limits come from.
    """

    probs: FloatArray
    estimate: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def median_time(y: FloatArray, x: FloatArray) -> float:
    """``print.survfit``'s median rule on curve ``y`` at times ``x`` (NaN if not reached)."""
    keep = ~np.isnan(y) & (y < 0.5 + TOL)
    if not np.any(keep):
        return float("nan")
    xs, ys = x[keep], y[keep]
    if abs(ys[0] - 0.5) < TOL:
        lower = np.flatnonzero(ys < ys[0])
        if lower.size:
            return float((xs[0] + xs[lower[0]]) / 2.0)
    return float(xs[0])


def check_probs(probs: Any) -> FloatArray:
    """Probabilities as a float vector in [0, 1]."""
    p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
    if p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1)):
        raise InputError(
            "probs must be a non-empty vector of probabilities in [0, 1]",
            field="probs",
            value=probs,
            rule="0 <= p <= 1",
        )
    return p


def _first_at_least(level: FloatArray, pos: FloatArray, p: FloatArray) -> FloatArray:
    """R ``approx(level, pos, p, method = "constant", f = 1)``: pos of the smallest level >= p.

    NaN pairs are dropped (``na.rm``); p outside [min level, max level] gives NaN (rule 1).
    """
    ok = ~np.isnan(level)
    lv, ps = level[ok], pos[ok]
    order = np.argsort(lv, kind="stable")
    lv, ps = lv[order], ps[order]
    out = np.full(p.size, np.nan)
    if lv.size == 0:
        return out
    inside = (p >= lv[0]) & (p <= lv[-1])
    out[inside] = ps[np.searchsorted(lv, p[inside], side="left")]
    return out


def findq(x: FloatArray, y: FloatArray, p: FloatArray, tol: float = TOL) -> FloatArray:
    """``survival:::findq``: the time at which the distribution function ``y`` reaches ``p``.

    ``x`` starts with the start time (0) and ``y`` with 0 (F at the start).
    """
    if np.all(np.isnan(y)) or np.nanmax(y) < p.min():
        return np.full(p.size, np.nan)
    xmax = float(x[-1])
    _, first = np.unique(y, return_index=True, equal_nan=True)
    keep = np.sort(first)  # drop duplicated values of F, keeping the first time of each
    xk, yk = x[keep], y[keep]
    pos = np.arange(yk.size, dtype=np.float64)
    i1 = _first_at_least(yk + tol, pos, p)
    i2 = _first_at_least(yk - tol, pos, p)
    with np.errstate(invalid="ignore"):
        x1 = np.where(np.isnan(i1), np.nan, xk[np.nan_to_num(i1).astype(np.int64)])
        x2 = np.where(np.isnan(i2), np.nan, xk[np.nan_to_num(i2).astype(np.int64)])
    quant = (x1 + x2) / 2.0
    quant[p == 0] = xk[0]
    if not np.isnan(yk[-1]):
        last = np.abs(p - yk[-1]) < tol
        quant[last] = (x1[last] + xmax) / 2.0
    return quant


def quantile_times(
    time: FloatArray,
    surv: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    probs: Any,
    conf_level: float,
) -> SurvivalQuantiles:
    """``quantile.survfit(fit, probs)`` for one curve (start time 0)."""
    p = check_probs(probs)
    x = np.concatenate(([0.0], time))
    with np.errstate(invalid="ignore"):
        return SurvivalQuantiles(
            probs=p,
            estimate=findq(x, np.concatenate(([0.0], 1.0 - surv)), p),
            ci_lower=findq(x, np.concatenate(([0.0], 1.0 - lower)), p),
            ci_upper=findq(x, np.concatenate(([0.0], 1.0 - upper)), p),
            conf_level=conf_level,
        )
