"""Predicted cumulative incidence from a Fine–Gray fit, with pointwise CIs (internal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._cox_ci import CONF_TYPES, check_level, survival_ci
from mrdguide.survival._cox_inputs import as_design, as_offset
from mrdguide.survival._fitted import FittedFineGray
from mrdguide.survival._types import FloatArray, dataclass_to_dict
from mrdguide.survival._validate import as_times

__all__ = ["PredictedIncidence", "fine_gray_predict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictedIncidence:
    """Predicted cumulative incidence curves: arrays of shape (len(time), n_new)."""

    time: FloatArray
    cif: FloatArray
    std_err: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_level: float
    conf_type: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def fine_gray_predict(
    result: FittedFineGray,
    X_new: Any,
    times: Any = None,
    *,
    offset: Any = None,
    conf_level: float = 0.95,
    conf_type: str = "log",
    extend: bool = False,
) -> PredictedIncidence:
    """Cumulative incidence ``1 - exp(-H0(t) exp(x'b + offset))`` of new subjects, with CIs.

    Notes
    -----
    The point estimates equal ``cmprsk::predict.crr(fit, cov1 = X_new)`` (at ``times=None``,
    crr's distinct failure times ``uftime``). cmprsk gives no confidence interval. The interval
    here is the one R's survival package gives for a Fine–Gray model fitted as a weighted Cox
    model (``survfit(coxph(Surv(fgstart, fgstop, fgstatus) ~ x, weights = fgwt,
    data = finegray(...)), newdata)``): the variance of the cumulative subdistribution hazard
    is ``exp(2 eta) [sum d / S0^2 + d(t)' V d(t)]`` with ``S0`` the censoring-weighted risk sets
    and ``V`` the fit's (crr or cluster) sandwich ``covariance``, and the limits are those of
    ``1 - S`` from ``survfit``'s ``conf.type`` for ``S = 1 - CIF`` (default ``"log"``, R's
    default). The first term ignores the variability of the estimated censoring weights (as
    R's survfit does); without censoring it is exact and equals R. ``std_err`` is the standard
    error of the CIF. After the last follow-up time the values are NaN unless ``extend=True``.
    """
    if conf_type not in CONF_TYPES:
        raise InputError(
            f"conf_type must be one of {CONF_TYPES}", field="conf_type", value=conf_type
        )
    check_level(conf_level)
    x, names = as_design(X_new)
    if x.shape[1] != len(result.names):
        raise InputError(
            f"X_new must have the fit's {len(result.names)} columns, got {x.shape[1]}",
            field="X_new",
            rule="same columns as the fit",
        )
    t = result.baseline_time if times is None else as_times(times, "times")
    off = as_offset(offset, x.shape[0])
    keep = np.isfinite(result.coef)
    beta, var = result.coef[keep], result.covariance[np.ix_(keep, keep)]
    xc = x[:, keep] - result.means[keep]
    risk = np.exp(xc @ beta + (0.0 if off is None else off))
    c = result.curve
    k = np.searchsorted(result.baseline_time, t, side="right")
    ch = np.r_[0.0, np.cumsum(c.hazard)][k]
    cv = np.r_[0.0, np.cumsum(c.var_hazard)][k]
    cx = np.vstack([np.zeros((1, beta.size)), np.cumsum(c.xbar, axis=0)])[k]
    dt = ch[:, None, None] * xc[None, :, :] - cx[:, None, :]
    v = cv[:, None] + np.einsum("tmp,pq,tmq->tm", dt, var, dt)
    h = ch[:, None] * risk[None, :]
    se = np.sqrt(np.maximum(v, 0.0)) * risk[None, :]
    if not extend:
        late = t > result.max_time
        h[late], se[late] = np.nan, np.nan
    surv = np.exp(-h)
    lo, hi = survival_ci(surv, se, conf_level, conf_type)
    before = (t < result.baseline_time[0])[:, None] if t.size else np.zeros((0, 1), bool)
    lo, hi = np.where(before, 1.0, lo), np.where(before, 1.0, hi)
    del names
    return PredictedIncidence(
        time=t,
        cif=1.0 - surv,
        std_err=surv * se,
        ci_lower=1.0 - hi,
        ci_upper=1.0 - lo,
        conf_level=float(conf_level),
        conf_type=conf_type,
    )
