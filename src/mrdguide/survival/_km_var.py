"""Variances and pointwise limits of the Kaplan–Meier curve (R ``survfitKM`` / ``survfit_confint``).

* :func:`ij_variance` is the infinitesimal-jackknife (robust) variance of S(t) that R's
  ``survfit`` reports for non-integer case weights (``robust`` default) or ``robust=TRUE``.
* :func:`confidence_limits` reproduces ``survival:::survfit_confint`` for the three transforms.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from mrdguide.survival._types import FloatArray

__all__ = ["confidence_limits", "ij_variance", "limits_from_se"]


def confidence_limits(
    surv: FloatArray, se_log: FloatArray, conf_type: str, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise limits as ``survival:::survfit_confint`` (``se_log`` on the log-S scale).

    ``surv`` must be non-increasing (a survival curve). R's NA rules hold: log-log limits are
    NaN where S is 0 or 1, log limits NaN where S is 0, and the upper limit of ``log`` and
    ``plain`` is capped at 1. The log-log limits use the identity
    exp(-exp(log(-log S) -/+ h)) = S^exp(-/+h) with one log and two exps instead of six
    transcendental calls (equal to R's to ~1e-15 relative).
    """
    z = float(ndtri(1.0 - (1.0 - conf_level) / 2.0))
    zero = int(np.searchsorted(-surv, 0.0))  # first index where S == 0 (S is non-increasing)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = se_log * surv * z
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type == "log":
            factor = np.exp(z * se_log)
            lower = surv / factor
            upper = np.minimum(surv * factor, 1.0)
            lower[zero:] = np.nan  # S == 0: NA in R
            upper[zero:] = np.nan
            return lower, upper
        log_s = np.log(surv)
        shrink = np.multiply(se_log, z)
        np.divide(shrink, log_s, out=shrink)
        np.exp(shrink, out=shrink)  # exp(h), h = z se / log S (< 0)
        lower = np.divide(log_s, shrink)
        np.exp(lower, out=lower)
        np.multiply(log_s, shrink, out=log_s)
        upper = np.exp(log_s, out=log_s)
        lower[zero:] = np.nan
        upper[zero:] = np.nan
        return lower, upper


def ij_variance(
    ev_time: FloatArray,
    n_risk: FloatArray,
    n_event: FloatArray,
    surv: FloatArray,
    *,
    time: FloatArray,
    event: FloatArray,
    weight: FloatArray,
    entry: FloatArray | None,
) -> FloatArray:
    """Infinitesimal-jackknife variance of the KM estimate at each event time (R ``survfitkm``).

    Parameters
    ----------
    ev_time, n_risk, n_event : ndarray, shape (m,)
        Event times with their weighted numbers at risk and of events.
    surv : ndarray, shape (m,)
        S at the event times.
    time, event, weight, entry : ndarray, shape (n,)
        The (timefixed) observations; ``entry`` may be None.

    Returns
    -------
    ndarray, shape (m,)
        Var S(t_j) = sum_i (w_i dS(t_j)/dw_i)^2, with every row its own cluster.

    Notes
    -----
    R updates the influence of each subject recursively over the event times. Divided by S
    the recursion telescopes to a closed form (for S > 0):
    ``dS(t_j)/dw_i / S(t_j) = sum_{l <= j} Y_i(t_l) a_l - dN_i(t_l) b_l`` with
    ``a = d / (n (n - d))`` and ``b = 1 / (n - d)``. A subject contributes ``(A_j - A_{e_i})^2``
    while at risk (``A`` the running sum of ``a``, ``e_i`` its entry) and a constant after its
    exit, so the sum over subjects is a few cumulative sums over the event-time index
    (O(n log m) instead of R's O(n m)). Once S reaches 0 the influence, and the variance, is 0.
    """
    m = ev_time.size
    with np.errstate(divide="ignore", invalid="ignore"):
        free = n_risk - n_event
        a = n_event / (n_risk * free)
        b = 1.0 / free
    acum = np.concatenate(([0.0], np.cumsum(a)))  # A_0 = 0, A_j for j = 1..m
    k = np.searchsorted(ev_time, time, side="right")  # event times <= exit
    if entry is None:
        e = np.zeros(time.size, dtype=np.int64)
    else:  # event times <= entry: the subject is not at risk there
        e = np.searchsorted(ev_time, entry, side="right")
    keep = k > e
    k, e, w2 = k[keep], e[keep], weight[keep] ** 2
    dn = event[keep] > 0
    a_e = acum[e]
    with np.errstate(invalid="ignore"):
        own = acum[k] - a_e - np.where(dn, b[np.maximum(k - 1, 0)], 0.0)
        done = np.cumsum(np.bincount(k, weights=w2 * own * own, minlength=m + 1))
    p0, p1, p2 = (
        np.cumsum(np.bincount(e + 1, weights=f, minlength=m + 2)[: m + 1])
        - np.cumsum(np.bincount(k, weights=f, minlength=m + 1))
        for f in (w2, w2 * a_e, w2 * a_e * a_e)
    )
    with np.errstate(invalid="ignore"):
        var = (done + acum * acum * p0 - 2.0 * acum * p1 + p2)[1:] * surv * surv
    var[surv == 0] = 0.0
    out: FloatArray = np.maximum(var, 0.0)
    return out


def limits_from_se(
    p: FloatArray, se: FloatArray, conf_type: str, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Elementwise limits from the SE of ``p`` itself (R ``survfit_confint(logse = FALSE)``).

    For probabilities that need not be monotone (multi-state occupancy). As R: the SE is
    turned into a log-scale SE ``se / p`` (0 where ``se`` is 0); ``log`` limits are NaN where
    p is 0 and the upper one is capped at 1; ``log-log`` limits are NaN where p is 0 or 1;
    ``plain`` limits are clipped to [0, 1].
    """
    z = float(ndtri(1.0 - (1.0 - conf_level) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        se_log = np.where(se == 0, 0.0, se / p)
        if conf_type == "plain":
            half = se_log * p * z  # NaN where p = 0 < se (R: Inf * 0)
            return np.maximum(p - half, 0.0), np.minimum(p + half, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            half = z * se_log
            return xx * np.exp(-half), np.minimum(xx * np.exp(half), 1.0)
        xx = np.where((p == 0) | (p == 1), np.nan, p)
        log_x = np.log(xx)
        h = z * se_log / log_x  # < 0 where defined
        return np.exp(log_x * np.exp(-h)), np.exp(log_x * np.exp(h))
