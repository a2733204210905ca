"""R ``predict.coxph``: linear predictor, relative risk, expected events, survival (internal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._cox_core import martingale_residuals
from mrdguide.survival._cox_inputs import as_offset
from mrdguide.survival._cox_predict import curve_at, new_design, new_strata, stratum_curves
from mrdguide.survival._cox_residuals import final_pieces
from mrdguide.survival._fitted import FittedCox
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_times, check_lengths

__all__ = ["KINDS", "REFERENCES", "CoxPrediction", "cox_predict"]

KINDS = ("lp", "risk", "expected", "survival")
REFERENCES = ("strata", "sample", "zero")


@dataclass(frozen=True, slots=True, kw_only=True)
class CoxPrediction:
    """Predictions per row (``value``) with standard errors, as R ``predict(se.fit = TRUE)``."""

    kind: str
    reference: str
    value: FloatArray
    std_err: FloatArray

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _lp(
    result: FittedCox, x: FloatArray | None, reference: str, strata: Any, off: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Centred linear predictor and its SE (R's ``reference`` rule)."""
    keep = np.isfinite(result.coef)
    data = result.design
    beta, var = result.coef[keep], result.covariance[np.ix_(keep, keep)]
    fit_off = 0.0 if data.offset is None else float(np.mean(data.offset))
    codes: IntArray | None
    center = np.zeros(int(keep.sum())) if data.center is None else data.center
    if x is None:  # the fitted rows, in the caller's order
        xs = data.x + center
        codes = data.strata
        base_off = np.zeros(xs.shape[0]) if data.offset is None else data.offset
    else:
        xs = x[:, keep]
        codes = new_strata(result, strata, x.shape[0]) if reference == "strata" else None
        base_off = np.zeros(xs.shape[0]) if off is None else off
    if reference == "zero":
        xc = xs
    elif reference == "strata" and result.baseline_strata is not None:
        w = data.weights
        full = data.x + center
        n_s = int(data.strata.max()) + 1
        sums = np.stack([np.bincount(data.strata, weights=w * c, minlength=n_s) for c in full.T], 1)
        smeans = sums / np.bincount(data.strata, weights=w, minlength=n_s)[:, None]
        assert codes is not None
        xc = xs - smeans[codes]
    else:
        xc = xs - result.means[keep]
    lp = xc @ beta + base_off - fit_off
    se = np.sqrt(np.maximum(np.einsum("mp,pq,mq->m", xc, var, xc), 0.0))
    if x is None and data.order is not None:
        lp, se = _unsort(lp, data.order), _unsort(se, data.order)
    return lp, se


def _unsort(v: FloatArray, order: IntArray) -> FloatArray:
    out = np.empty_like(v)
    out[order] = v
    return out


def _expected(
    result: FittedCox,
    x: FloatArray | None,
    time: Any,
    entry: Any,
    strata: Any,
    off: FloatArray | None,
) -> tuple[FloatArray, FloatArray]:
    """Expected number of events over each row's interval and its SE."""
    keep = np.isfinite(result.coef)
    beta, var = result.coef[keep], result.covariance[np.ix_(keep, keep)]
    curve = stratum_curves(result)
    data = result.design
    value: FloatArray | None = None
    if x is None:
        prep, ev, _ = final_pieces(result)
        value = data.event - martingale_residuals(prep, ev)
        xc, risk, codes = data.x, ev.risk, data.strata
        t2, t1 = data.stop, data.start
    else:
        if time is None:
            raise InputError("kind='expected' with X_new needs time=", field="time")
        t2 = as_times(time, "time")
        check_lengths(X_new=x.shape[0], time=t2.size)
        t1 = None if entry is None else as_times(entry, "entry")
        if t1 is not None:
            check_lengths(X_new=x.shape[0], entry=t1.size)
        codes = new_strata(result, strata, x.shape[0])
        xc = x[:, keep] - (0.0 if data.center is None else data.center)
        risk = np.exp(xc @ beta + (0.0 if off is None else off))
    pred = np.empty(t2.size)
    se = np.empty(t2.size)
    for s in np.unique(codes):
        rows = np.flatnonzero(codes == s)
        ch, cv, cx = curve_at(curve, int(s), t2[rows])
        if t1 is not None:
            c1, v1, x1 = curve_at(curve, int(s), t1[rows])
            ch, cv, cx = ch - c1, cv - v1, cx - x1
        dt = ch[:, None] * xc[rows] - cx
        v = cv + np.einsum("mp,pq,mq->m", dt, var, dt)
        se[rows] = np.sqrt(np.maximum(v, 0.0)) * risk[rows]
        pred[rows] = ch * risk[rows]
    if value is None:
        value = pred
    if x is None and result.design.order is not None:
        value, se = _unsort(value, result.design.order), _unsort(se, result.design.order)
    return value, se


def cox_predict(
    result: FittedCox,
    X_new: Any = None,
    kind: str = "lp",
    *,
    time: Any = None,
    entry: Any = None,
    strata: Any = None,
    offset: Any = None,
    reference: str = "strata",
) -> CoxPrediction:
    """Predictions from a Cox fit (R ``predict.coxph(fit, newdata, type, se.fit = TRUE)``).

    Parameters
    ----------
    result : FittedCox
    X_new : array-like, optional
        New covariates (the fit's columns); ``None`` predicts for the fitted rows, in the
        caller's row order.
    kind : {"lp", "risk", "expected", "survival"}
        Linear predictor, relative risk ``exp(lp)``, expected number of events over
        ``(entry, time]`` (the cumulative hazard), or ``exp(-expected)``.
    time, entry : array-like, optional
        For ``expected``/``survival`` with ``X_new``: end (and start) of each new row's interval.
    strata : array-like, optional
        Strata of the new rows (needed by a stratified fit for ``expected``/``survival`` and for
        ``reference="strata"``).
    offset : array-like, optional
        Offsets of the new rows (default 0).
    reference : {"strata", "sample", "zero"}
        Centring of ``lp``/``risk`` (R's ``reference``, default ``"strata"``): the stratum means
        of the covariates (the overall means when unstratified), the overall means, or none.

    Returns
    -------
    CoxPrediction

    Notes
    -----
    As R, ``lp`` is centred: ``(x - means) @ coef + offset - mean(fit offsets)``, so the
    fitted ``lp`` averages (case-weighted) to 0; ``reference="zero"`` gives the uncentred
    ``x @ coef``. Its SE is ``sqrt(x_c' V x_c)`` with ``V = covariance``. For ``risk`` the SE is
    the delta-method ``risk * se(lp)``; R reports ``se(lp) * sqrt(risk)`` instead.
    ``expected`` without ``X_new`` is R's ``event - martingale residual``; its SE (and the SE for
    new rows) is the Tsiatis variance of the cumulative hazard as in ``survfit``. survival
    3.5-3's ``predict(type = "expected", se.fit = TRUE)`` does not cumulate the ``xbar`` term
    (fixed in later survival versions); this follows the corrected formula, and for
    ``(entry, time]`` intervals uses the variance of the increment. With an offset, new rows'
    risk is ``exp(lp + offset)`` (survival 3.5-3 adds the offset outside ``exp``).
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}", field="kind", value=kind)
    if reference not in REFERENCES:
        raise InputError(
            f"reference must be one of {REFERENCES}", field="reference", value=reference
        )
    x = None if X_new is None else new_design(result, X_new)
    off = None if x is None else as_offset(offset, x.shape[0])
    if kind in ("lp", "risk"):
        value, se = _lp(result, x, reference, strata, off)
        if kind == "risk":
            value = np.exp(value)
            se = se * value
        return CoxPrediction(kind=kind, reference=reference, value=value, std_err=se)
    value, se = _expected(result, x, time, entry, strata, off)
    if kind == "survival":
        value = np.exp(-value)
        se = se * value
    return CoxPrediction(kind=kind, reference="sample", value=value, std_err=se)
