"""Kaplan–Meier estimator with Greenwood variance, matching R ``survival::survfit``.

Notes
-----
R-compatibility choices (survival 3.5-3):

* Output times are every distinct observed time, censoring-only times included, as in
  ``survfit``. With left truncation (``entry``) the times are the distinct exit times; entry
  times only change the risk sets, as for ``survfit(Surv(entry, time, status) ~ 1)``.
* A subject is at risk at ``t`` when ``entry < t <= time``.
* ``std_err`` is the Greenwood standard error of S(t) itself, i.e. R's ``std.err`` (which is on
  the cumulative-hazard scale) multiplied by S(t). Where S(t) = 0 it is NaN (R: ``Inf * 0``).
* The default ``conf_type`` here is ``"log-log"`` (as SAS, lifelines and scikit-survival);
  R's ``survfit`` default is ``"log"``. The three transforms follow ``survival:::survfit_confint``
  exactly, including its NA rules: log-log limits are NaN where S is 0 or 1, log limits are NaN
  where S is 0, and the upper limit of ``log``/``plain`` is capped at 1.
* Case weights act as frequency weights in the Greenwood sum, i.e. R's ``robust=FALSE``. R
  switches to an infinitesimal-jackknife variance by default when weights are non-integer;
  pass ``robust=FALSE`` to ``survfit`` to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtri

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import (
    as_events,
    as_times,
    as_weights,
    check_lengths,
    check_level,
)

ConfType = Literal["log", "log-log", "plain"]
_CONF_TYPES = ("log", "log-log", "plain")
_TOL = float(np.sqrt(np.finfo(np.float64).eps))

__all__ = ["MedianSurvival", "RestrictedMean", "SurvivalCurve", "kaplan_meier"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MedianSurvival:
    """Median survival time and its confidence limits (NaN where not reached)."""

    estimate: float
    ci_lower: float
    ci_upper: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class RestrictedMean:
    """Restricted mean survival time up to ``tau`` and its standard error."""

    tau: float
    estimate: float
    std_err: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalCurve:
    """A Kaplan–Meier curve evaluated at every distinct observed time.

    Attributes
    ----------
    time : ndarray
        Distinct observed (exit) times, increasing.
    n_at_risk, n_events, n_censored : ndarray
        (Weighted) number at risk just before, with an event at, and censored at each time.
    survival : ndarray
        S(t), right-continuous.
    std_err : ndarray
        Greenwood standard error of S(t) (R's ``std.err`` × S).
    ci_lower, ci_upper : ndarray
        Pointwise confidence limits under ``conf_type``.
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

    @overload
    def at(self, t: float) -> float: ...
    @overload
    def at(self, t: ArrayLike) -> FloatArray: ...
    def at(self, t: ArrayLike) -> float | FloatArray:
        """Survival at ``t`` (right-continuous; 1 before the first time, last value after)."""
        tt = np.asarray(t, dtype=np.float64)
        idx = np.searchsorted(self.time, tt, side="right") - 1
        vals = np.where(idx >= 0, self.survival[np.maximum(idx, 0)], 1.0)
        return float(vals) if vals.ndim == 0 else vals

    def median(self) -> MedianSurvival:
        """Median survival and confidence limits, by R ``print.survfit``'s rule.

        Notes
        -----
        The median is the first time S(t) < 0.5 + tol (tol = sqrt(machine eps)). If the curve
        is flat at exactly 0.5 there, it is the midpoint between that time and the next time
        the curve drops, as in ``survival:::survmean``. The limits apply the same rule to the
        lower and upper confidence curves (NaN limits are skipped).
        """
        return MedianSurvival(
            estimate=_first_below_half(self.survival, self.time),
            ci_lower=_first_below_half(self.ci_lower, self.time),
            ci_upper=_first_below_half(self.ci_upper, self.time),
        )

    def rmst(self, tau: float) -> RestrictedMean:
        """Restricted mean survival time up to ``tau`` with R's standard error.

        Notes
        -----
        Equals ``print(survfit(...), rmean=tau)``: the area under S from 0 to ``tau`` and the
        Greenwood-type variance of ``survival:::survmean``.
        """
        return _rmst(self, float(tau))

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _first_below_half(y: FloatArray, x: FloatArray) -> float:
    keep = ~np.isnan(y) & (y < 0.5 + _TOL)
    if not np.any(keep):
        return float("nan")
    xs, ys = x[keep], y[keep]
    if abs(ys[0] - 0.5) < _TOL:
        lower = np.flatnonzero(ys < ys[0])
        if lower.size:
            return float((xs[0] + xs[lower[0]]) / 2.0)
    return float(xs[0])


def _rmst(curve: SurvivalCurve, tau: float) -> RestrictedMean:
    if not np.isfinite(tau) or tau <= 0:
        raise InputError(
            "tau must be a positive finite time", field="tau", value=tau, rule="0 < tau < inf"
        )
    n, d = curve.n_at_risk, curve.n_events
    free = n - d
    hh = np.divide(d, n * free, out=np.zeros_like(n), where=free != 0)
    keep = curve.time <= tau
    times = np.append(curve.time[keep], tau)
    surv = np.append(curve.survival[keep], curve.survival[keep][-1] if keep.any() else 1.0)
    hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate(([0.0], times)))
    rect = delta * np.concatenate(([1.0], surv[:-1]))
    tail_area = np.cumsum(rect[1:][::-1])
    var = float(np.sum(tail_area**2 * hh[::-1][1:]))
    return RestrictedMean(tau=tau, estimate=float(rect.sum()), std_err=float(np.sqrt(var)))


def _tabulate(
    time: FloatArray, event: IntArray, weight: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Distinct sorted times with the (weighted) event count, total and number at risk."""
    order = np.argsort(time)
    ts = time[order]
    distinct = np.concatenate(([True], ts[1:] != ts[:-1]))
    if weight is None and distinct.all():
        # No tied times (continuous data): every row is its own time; skip the reductions.
        size = ts.size
        return (
            ts,
            event[order].astype(np.float64),
            np.ones(size),
            np.arange(size, 0, -1, dtype=np.float64),
        )
    starts = np.flatnonzero(distinct)
    if weight is None:
        n_ev = np.add.reduceat(event[order], starts).astype(np.float64)
        n_tot = np.diff(starts, append=ts.size).astype(np.float64)
        n_risk = (ts.size - starts).astype(np.float64)  # rows at or after the first tie
    else:
        ws = weight[order]
        n_ev = np.add.reduceat(ws * event[order], starts)
        n_tot = np.add.reduceat(ws, starts)
        n_risk = np.cumsum(n_tot[::-1])[::-1]
    return ts[starts], n_ev, n_tot, n_risk


def confidence_limits(
    surv: FloatArray, se_log: FloatArray, conf_type: str, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise limits as ``survival:::survfit_confint`` (``se_log`` on the log-S scale).

    ``surv`` must be non-increasing (a survival curve). R's NA rules hold: log-log limits are
    NaN where S is 0 or 1 (here through 0/0 and inf/inf), log limits NaN where S is 0. The
    log-log limits use the identity exp(-exp(log(-log S) -/+ h)) = S^exp(-/+h) with one log
    and two exps instead of six transcendental calls (equal to R's to ~1e-15 relative).
    """
    z = float(ndtri(1.0 - (1.0 - conf_level) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = se_log * surv * z
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            factor = np.exp(z * se_log)
            lower = surv / factor
            lower[int(np.searchsorted(-surv, 0.0)) :] = np.nan  # S == 0: NA in R
            return lower, np.minimum(surv * factor, 1.0)
        log_s = np.log(surv)
        shrink = np.multiply(se_log, z)
        np.divide(shrink, log_s, out=shrink)
        np.exp(shrink, out=shrink)  # exp(h), h = z se / log S (< 0)
        lower = np.divide(log_s, shrink)
        np.exp(lower, out=lower)
        np.multiply(log_s, shrink, out=log_s)
        return lower, np.exp(log_s, out=log_s)


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
    entry: ArrayLike | None = None,
    weights: ArrayLike | None = None,
) -> SurvivalCurve:
    """Kaplan–Meier estimate of the survival function.

    Parameters
    ----------
    time : array-like
        Follow-up (exit) times, finite and >= 0.
    event : array-like
        1 = event, 0 = censored (booleans accepted).
    conf_type : {"log-log", "log", "plain"}
        Transform for the pointwise confidence interval (R's definitions). Note that R's
        ``survfit`` default is ``"log"``; ours is ``"log-log"``.
    conf_level : float
        Confidence level of the pointwise interval.
    entry : array-like, optional
        Left-truncation (delayed entry) times; each must be < the matching ``time``.
    weights : array-like, optional
        Positive case (frequency) weights.

    Returns
    -------
    SurvivalCurve

    Raises
    ------
    InputError
        For NaN/negative/infinite times, unequal lengths, bad codes or ``entry >= time``.

    Notes
    -----
    Everything censored gives S = 1 throughout (documented result, no error). An event at
    time 0 is allowed and lowers S(0). See the module notes for R-compatibility choices.
    """
    t = as_times(time, "time")
    e = as_events(event, "event")
    check_lengths(time=t.size, event=e.size)
    if conf_type not in _CONF_TYPES:
        raise InputError(
            f"conf_type must be one of {_CONF_TYPES}",
            field="conf_type",
            value=conf_type,
            rule="log | log-log | plain",
        )
    level = check_level(conf_level)
    w = None if weights is None else as_weights(weights, t.size)
    if w is not None and np.any(w <= 0):
        raise InputError("weights must be > 0", field="weights", rule="> 0")
    ut, n_ev, n_tot, n_risk = _tabulate(t, e, w)
    if entry is not None:
        ww = np.ones(t.size, dtype=np.float64) if w is None else w
        n_risk = n_risk - _entered_after(as_times(entry, "entry"), t, ww, ut)
    return _curve(ut, n_risk, n_ev, n_tot - n_ev, conf_type, level)


def _entered_after(en: FloatArray, t: FloatArray, w: FloatArray, ut: FloatArray) -> FloatArray:
    """Weight of subjects with entry >= each time in ``ut`` (not yet at risk)."""
    check_lengths(time=t.size, entry=en.size)
    if np.any(en >= t):
        bad = int(np.flatnonzero(en >= t)[0])
        raise InputError(
            f"entry must be < time (first violation at index {bad})",
            field="entry",
            value=float(en[bad]),
            rule="entry < time",
        )
    order = np.argsort(en)
    cum = np.concatenate(([0.0], np.cumsum(w[order])))
    first = np.searchsorted(en[order], ut, side="left")
    out: FloatArray = cum[-1] - cum[first]
    return out


def _curve(
    ut: FloatArray,
    n_risk: FloatArray,
    n_ev: FloatArray,
    n_cens: FloatArray,
    conf_type: str,
    level: float,
) -> SurvivalCurve:
    """Assemble the curve; S, SE and limits are computed at event times only, then repeated
    over the censoring-only times that follow (where they cannot change)."""
    ev = np.flatnonzero(n_ev > 0)
    d, n = n_ev[ev], n_risk[ev]
    free = n - d
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.empty(ev.size + 1)
        surv[0] = 1.0
        np.divide(free, n, out=surv[1:])
        np.cumprod(surv, out=surv)
        se_log = np.empty(ev.size + 1)
        se_log[0] = 0.0
        np.divide(d, n * free, out=se_log[1:])
        np.cumsum(se_log, out=se_log)
        np.sqrt(se_log, out=se_log)  # Greenwood on the log scale; inf once S = 0
        std_err = surv * se_log  # 0 * inf = NaN where S = 0
    lower, upper = confidence_limits(surv, se_log, conf_type, level)
    idx = np.repeat(np.arange(ev.size + 1), np.diff(np.concatenate(([0], ev, [ut.size]))))
    return SurvivalCurve(
        time=ut,
        n_at_risk=n_risk,
        n_events=n_ev,
        n_censored=n_cens,
        survival=surv[idx],
        std_err=std_err[idx],
        ci_lower=lower[idx],
        ci_upper=upper[idx],
        conf_type=conf_type,
        conf_level=level,
    )
