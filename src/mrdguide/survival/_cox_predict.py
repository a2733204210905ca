"""Predictions from a Cox fit: R ``predict.coxph`` and ``survfit(fit, newdata)`` (internal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.survival._cox_ci import CONF_TYPES, check_level, survival_ci
from mrdguide.survival._cox_core import event_pieces
from mrdguide.survival._cox_inputs import as_design, as_offset
from mrdguide.survival._cox_residuals import final_pieces
from mrdguide.survival._fitted import FittedCox
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_times, check_lengths

__all__ = [
    "Curve",
    "PredictedSurvival",
    "cox_predict_survival",
    "curve_at",
    "new_design",
    "new_strata",
    "stratum_curves",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictedSurvival:
    """Predicted survival curves: arrays of shape (len(time), n_new).

    ``std_err`` is the standard error of ``survival`` (R's ``summary(...)$std.err``);
    ``cumhaz`` and ``std_err_cumhaz`` are the cumulative hazard and its standard error (R's
    ``survfit(...)$cumhaz`` and ``$std.err``). Beyond the last follow-up time of a curve's
    stratum the values are NaN unless ``extend=True``.
    """

    time: FloatArray
    survival: FloatArray
    std_err: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    cumhaz: FloatArray
    std_err_cumhaz: FloatArray
    conf_level: float
    conf_type: str
    strata: NDArray[Any] | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True)
class Curve:
    """Per tie group increments at centred covariates (all strata, in (stratum, time) order)."""

    time: FloatArray
    stratum: IntArray
    hazard: FloatArray
    var_hazard: FloatArray
    xbar: FloatArray  # (groups, p)
    first: FloatArray  # first observed (stop) time of each stratum
    end: FloatArray  # last follow-up time of each stratum


def stratum_curves(result: FittedCox) -> Curve:
    """R ``agsurv`` pieces (Efron increments for efron fits, Breslow otherwise)."""
    prep, ev, _ = final_pieces(result)
    index, data = prep.index, prep.data
    denom, a = event_pieces(prep, ev)
    c = ev.meanwt[index.ev_group] / denom
    red = np.add.reduceat
    first = index.grp_first
    n_strata = int(data.strata.max()) + 1
    stops = [data.stop[data.strata == s] for s in range(n_strata)]
    return Curve(
        time=index.grp_time,
        stratum=index.grp_stratum,
        hazard=red(c, first) if first.size else np.zeros(0),
        var_hazard=red(c / denom, first) if first.size else np.zeros(0),
        xbar=red(c[:, None] * a, first, axis=0) if first.size else np.zeros((0, a.shape[1])),
        first=np.array([v.min() for v in stops]),
        end=np.array([v.max() for v in stops]),
    )


def new_design(result: FittedCox, X_new: Any) -> FloatArray:
    """New covariates as an (m, p) matrix in the fit's column order."""
    x, names = as_design(X_new)
    if x.shape[1] != len(result.names):
        raise InputError(
            f"X_new must have the fit's {len(result.names)} columns, got {x.shape[1]}",
            field="X_new",
            rule="same columns as the fit",
        )
    if hasattr(X_new, "columns") and tuple(names) != result.names:
        raise InputError(
            "X_new columns differ from the fit's names",
            field="X_new",
            value=names,
            rule=f"columns {result.names}",
        )
    return x


def new_strata(result: FittedCox, strata: Any, m: int) -> IntArray:
    """Stratum codes of new rows (labels must be strata of the fit)."""
    labels = result.baseline_strata
    if labels is None:
        if strata is not None:
            raise InputError("the fit has no strata", field="strata", rule="None")
        return np.zeros(m, dtype=np.int64)
    if strata is None:
        raise InputError("a stratified fit needs strata= for new rows", field="strata")
    levels = np.unique(labels)
    arr = np.asarray(strata).reshape(-1)
    check_lengths(X_new=m, strata=arr.size)
    codes = np.searchsorted(levels, arr)
    ok = (codes < levels.size) & (levels[np.minimum(codes, levels.size - 1)] == arr)
    if not np.all(ok):
        raise InputError(
            "strata holds labels that are not strata of the fit",
            field="strata",
            value=arr[~ok][:5].tolist(),
            rule="known strata",
        )
    return codes.astype(np.int64)


def _centred(result: FittedCox, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """New covariates centred as the design, coefficients, covariance (estimable columns)."""
    keep = np.isfinite(result.coef)
    center = result.design.center
    xc = x[:, keep] if center is None else x[:, keep] - center
    return xc, result.coef[keep], result.covariance[np.ix_(keep, keep)]


def curve_at(curve: Curve, s: int, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cumulative hazard, its first variance term and cumulated xbar of stratum s at t."""
    m = curve.stratum == s
    k = np.searchsorted(curve.time[m], t, side="right")
    ch = np.r_[0.0, np.cumsum(curve.hazard[m])][k]
    cv = np.r_[0.0, np.cumsum(curve.var_hazard[m])][k]
    p = curve.xbar.shape[1]
    cx = np.vstack([np.zeros((1, p)), np.cumsum(curve.xbar[m], axis=0)])[k]
    return ch, cv, cx


def _cumhaz(
    curve: Curve, s: int, t: FloatArray, xc: FloatArray, var: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Cumulative hazards (len(t), m) of centred rows ``xc`` in stratum s, and their SEs."""
    ch, cv, cx = curve_at(curve, s, t)
    dt = ch[:, None, None] * xc[None, :, :] - cx[:, None, :]
    v = cv[:, None] + np.einsum("tmp,pq,tmq->tm", dt, var, dt)
    return ch[:, None], np.sqrt(np.maximum(v, 0.0))


def cox_predict_survival(
    result: FittedCox,
    X_new: Any,
    times: Any,
    *,
    strata: Any = None,
    offset: Any = None,
    conf_level: float = 0.95,
    conf_type: str = "log",
    extend: bool = False,
) -> PredictedSurvival:
    """Predicted survival curves of new subjects with pointwise confidence intervals.

    Notes
    -----
    Equals R ``summary(survfit(fit, newdata, conf.type = conf_type), times, extend)``: the
    cumulative hazard ``H(t | x) = H0(t) exp(x'b + offset)`` with Efron increments for
    ``ties="efron"`` (Breslow otherwise), ``S = exp(-H)``, and the variance of ``H`` is
    ``exp(2 eta) [sum dN / S0^2 + d(t)' V d(t)]`` (Tsiatis), with ``V`` the fit's ``covariance``
    (the robust one when the fit is robust, as R) and ``d(t)`` the integral of ``x - xbar``.
    ``std_err`` is the standard error of S. The default ``conf_type="log"`` is R's default
    for ``survfit``; ``"log-log"`` and ``"plain"`` follow ``survival:::survfit_confint``.
    Before the first event time S = 1 (SE 0); after the stratum's last follow-up time the
    values are NaN unless ``extend=True`` (then the last value is carried forward).
    """
    if conf_type not in CONF_TYPES:
        raise InputError(
            f"conf_type must be one of {CONF_TYPES}", field="conf_type", value=conf_type
        )
    check_level(conf_level)
    t = as_times(times, "times")
    x = new_design(result, X_new)
    codes = new_strata(result, strata, x.shape[0])
    off = as_offset(offset, x.shape[0])
    xc, beta, var = _centred(result, x)
    eta = xc @ beta + (0.0 if off is None else off)
    curve = stratum_curves(result)
    h = np.empty((t.size, x.shape[0]))
    se = np.empty_like(h)
    for s in np.unique(codes):
        cols = np.flatnonzero(codes == s)
        ch, se_h = _cumhaz(curve, int(s), t, xc[cols], var)
        risk = np.exp(eta[cols])
        h[:, cols] = ch * risk
        se[:, cols] = se_h * risk
        if not extend:
            late = t > curve.end[s]
            h[np.ix_(late, cols)] = np.nan
            se[np.ix_(late, cols)] = np.nan
    surv = np.exp(-h)
    lo, hi = survival_ci(surv, se, conf_level, conf_type)
    before = t[:, None] < curve.first[codes][None, :]  # R pads the start of a curve with 1
    lo, hi = np.where(before, 1.0, lo), np.where(before, 1.0, hi)
    labels = None if result.baseline_strata is None else np.unique(result.baseline_strata)[codes]
    return PredictedSurvival(
        time=t,
        survival=surv,
        std_err=surv * se,
        ci_lower=lo,
        ci_upper=hi,
        cumhaz=h,
        std_err_cumhaz=se,
        conf_level=float(conf_level),
        conf_type=conf_type,
        strata=labels,
    )
