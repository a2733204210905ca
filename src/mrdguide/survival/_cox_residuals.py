"""Residuals of a Cox fit, equal to R ``residuals.coxph`` (internal; see CoxResult.residuals)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._cox_core import (
    CoxEval,
    martingale_residuals,
    schoenfeld_residuals,
    score_residuals,
)
from mrdguide.survival._cox_fast import Prep, evaluate_any, prepare_any
from mrdguide.survival._fitted import FittedCox
from mrdguide.survival._types import FloatArray
from mrdguide.survival._validate import as_labels

__all__ = ["KINDS", "cox_residuals", "final_pieces"]

KINDS = ("martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas")
Mask = np.ndarray[Any, np.dtype[np.bool_]]


def final_pieces(result: FittedCox) -> tuple[Prep, CoxEval, Mask]:
    """Risk-set sums of the stored design at the fitted coefficients (Breslow for exact)."""
    keep = np.isfinite(result.coef)
    prep = prepare_any(result.design)
    return prep, evaluate_any(prep, result.coef[keep], info=False), keep


def _caller_order(values: FloatArray, result: FittedCox) -> FloatArray:
    """Rows of ``values`` (sorted design order) back in the caller's row order."""
    order = result.design.order
    if order is None:
        return values
    out = np.empty_like(values)
    out[order] = values
    return out


def _expand_columns(values: FloatArray, keep: Mask) -> FloatArray:
    out = np.full((values.shape[0], keep.size), np.nan)
    out[:, keep] = values
    return out


def _collapse(values: FloatArray, collapse: Any) -> FloatArray:
    """Sum rows within the labels of ``collapse`` (R's ``rowsum``: sorted labels)."""
    _, codes = as_labels(collapse, values.shape[0], "collapse")
    g = int(codes.max()) + 1
    cols = values.reshape(values.shape[0], -1)
    out = np.stack([np.bincount(codes, weights=c, minlength=g) for c in cols.T], axis=1)
    return out.reshape((g, *values.shape[1:]))


def _deviance(mart: FloatArray, status: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(status > 0, status * np.log(np.where(status > 0, status - mart, 1.0)), 0.0)
    with np.errstate(invalid="ignore"):  # NaN where R gives NaN (collapsed, several events)
        out: FloatArray = np.sign(mart) * np.sqrt(-2.0 * (mart + logs))
    return out


def _check(result: FittedCox, kind: str, collapse: Any) -> None:
    if kind not in KINDS:
        raise InputError(
            f"kind must be one of {', '.join(KINDS)}",
            field="kind",
            value=kind,
            rule=" | ".join(KINDS),
        )
    if result.ties == "exact" and kind not in ("martingale", "deviance"):
        raise InputError(
            f"{kind} residuals are not available for ties='exact' (as R)",
            field="kind",
            value=kind,
            rule="martingale | deviance for exact",
        )
    if collapse is not None and kind in ("schoenfeld", "scaledsch"):
        raise InputError(
            "Schoenfeld residuals belong to event times and cannot be collapsed",
            field="collapse",
            rule="no collapse for schoenfeld",
        )


def cox_residuals(
    result: FittedCox,
    kind: str = "martingale",
    *,
    weighted: bool | None = None,
    collapse: Any = None,
) -> FloatArray:
    """Residuals of a Cox fit (R ``residuals.coxph(fit, type = kind)``).

    Parameters
    ----------
    result : FittedCox
    kind : {"martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas"}
    weighted : bool, optional
        Multiply by the case weights. Default as R: only for ``dfbeta`` and ``dfbetas``.
    collapse : array-like, optional
        Labels (e.g. a patient id) to sum the per-row residuals within; the rows of the result
        follow the sorted distinct labels (R's ``collapse``, ``rowsum``).

    Returns
    -------
    ndarray
        One value (martingale, deviance) or one row of p values per input row, in the caller's
        row order. Schoenfeld kinds have one row per event, ordered by (stratum, time) and, within
        tied times, by input order (R's order); their times are
        ``result.design.stop[result.design.event == 1]``. Columns of aliased covariates are NaN.

    Notes
    -----
    As R: martingale residuals use Efron-adjusted hazard increments for ``ties="efron"``
    (Breslow ones for ``"breslow"`` and ``"exact"``); deviance residuals are computed after
    collapsing; ``dfbeta`` is the approximate (one-step) change in the coefficients, score
    residuals times the model-based variance ``naive_covariance`` (R's ``naive.var``), and
    ``dfbetas`` divides it by the model-based standard errors; ``scaledsch`` is
    ``schoenfeld @ naive_covariance * n_events + coef``. Score and Schoenfeld kinds are not
    defined for ``ties="exact"``.
    """
    _check(result, kind, collapse)
    prep, ev, keep = final_pieces(result)
    w = prep.data.weights
    use_w = kind in ("dfbeta", "dfbetas") if weighted is None else bool(weighted)
    vv = result.naive_covariance[np.ix_(keep, keep)]
    if kind in ("schoenfeld", "scaledsch"):
        rr = schoenfeld_residuals(prep, ev)
        rows = prep.index.ev_rows
        order = result.design.order
        if order is not None:  # R's order: tied deaths in input order
            perm = np.lexsort((order[rows], prep.index.ev_group))
            rr, rows = rr[perm], rows[perm]
        if kind == "scaledsch":
            rr = rr @ vv * rows.size + result.coef[keep]
        if use_w:
            rr = rr * w[rows][:, None]
        return _expand_columns(rr, keep)
    if kind in ("martingale", "deviance"):
        vals = _caller_order(martingale_residuals(prep, ev) * (w if use_w else 1.0), result)
        status = _caller_order(prep.data.event.astype(np.float64), result)
        if collapse is not None:
            vals, status = _collapse(vals, collapse), _collapse(status, collapse)
        return _deviance(vals, status) if kind == "deviance" else vals
    rr = score_residuals(prep, ev)
    if kind == "dfbeta":
        rr = rr @ vv
    elif kind == "dfbetas":
        rr = rr @ vv / np.sqrt(np.diag(vv))
    if use_w:
        rr = rr * w[:, None]
    out = _expand_columns(_caller_order(rr, result), keep)
    return out if collapse is None else _collapse(out, collapse)
