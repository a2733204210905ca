"""Time weights of the concordance (R ``concordance(timewt = )``), internal.

Every comparable pair whose earlier member is an event at time ``t`` is weighted by ``wt(t)``:

=========  ===============================  ==============================================
timewt     wt(t)                            meaning
=========  ===============================  ==============================================
``n``      1                                Harrell's C (every comparable pair counts once)
``S``      W S(t-) / n(t)                   Peto–Wilcoxon type weights
``S/G``    W S(t-) / (G(t-) n(t))           Schemper et al.
``n/G2``   1 / G(t-)^2                      Uno's C (inverse probability of censoring)
``I``      1 / n(t)                         every event time counts equally
=========  ===============================  ==============================================

``n(t)`` is the weighted number at risk at ``t``, ``S(t-)`` the weighted Kaplan–Meier estimate
just before ``t``, ``G(t-)`` the Kaplan–Meier estimate of the censoring distribution just before
``t`` (a censoring tied with an event is taken to happen after it) and ``W`` the total case
weight, all within the stratum, as R's ``survival:::concordancefit`` (``fastkm1``/``fastkm2``). A
stratum with fewer than two events uses ``n``, as R. ``S/G`` and ``n/G2`` are not defined for
counting-process data (R refuses them too).
"""

from __future__ import annotations

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["TIMEWT", "time_weights"]

TIMEWT = ("n", "S", "S/G", "n/G2", "I")


def _stratum_weights(
    stop: FloatArray, event: IntArray, w: FloatArray, start: FloatArray | None, timewt: str
) -> FloatArray:
    """Time weight of each event row of one stratum (other rows: 1)."""
    out = np.ones(stop.size)
    ev = event == 1
    if int(ev.sum()) < 2:
        return out
    ut = np.unique(stop)
    k = np.searchsorted(ut, stop)
    d = np.bincount(k, weights=np.where(ev, w, 0.0), minlength=ut.size)
    c = np.bincount(k, weights=np.where(ev, 0.0, w), minlength=ut.size)
    exits = np.bincount(k, weights=w, minlength=ut.size)
    n_risk = np.cumsum(exits[::-1])[::-1]  # weight with stop >= u
    if start is not None:
        # a row is not yet at risk at u when start >= u, i.e. for the first rr distinct times
        rr = np.searchsorted(ut, start, side="right")
        b = np.bincount(rr, weights=w, minlength=ut.size + 1)
        n_risk = n_risk - np.cumsum(b[::-1])[::-1][1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_fac = np.where(d > 0, 1.0 - d / n_risk, 1.0)
        g_fac = np.where(c > 0, 1.0 - c / (n_risk - d), 1.0)
    at = k[ev]  # distinct-time index of every event row (n(t) > 0 there)
    s_minus = np.r_[1.0, np.cumprod(s_fac)[:-1]][at]
    g_minus = np.r_[1.0, np.cumprod(g_fac)[:-1]][at]
    nr = n_risk[at]
    total = float(w.sum())
    with np.errstate(divide="ignore"):  # G(t-) = 0 is reported as an error by the caller
        if timewt == "S":
            out[ev] = total * s_minus / nr
        elif timewt == "S/G":
            out[ev] = total * s_minus / (g_minus * nr)
        elif timewt == "n/G2":
            out[ev] = 1.0 / g_minus**2
        else:
            out[ev] = 1.0 / nr
    return out


def time_weights(
    stop: FloatArray,
    event: IntArray,
    strata: IntArray,
    weights: FloatArray,
    start: FloatArray | None,
    timewt: str,
    ymax: float | None,
) -> FloatArray | None:
    """Per-row time weight (meaningful at event rows); ``None`` when every weight is 1."""
    if timewt not in TIMEWT:
        raise InputError(
            "timewt must be one of 'n', 'S', 'S/G', 'n/G2', 'I'",
            field="timewt",
            value=timewt,
            rule=" | ".join(TIMEWT),
        )
    if start is not None and timewt in ("S/G", "n/G2"):
        raise InputError(
            f"timewt={timewt!r} is not defined for counting-process (entry, time] data",
            field="timewt",
            value=timewt,
            rule="n | S | I with entry",
        )
    if timewt == "n" and ymax is None:
        return None
    tw = np.ones(stop.size)
    if timewt != "n":
        for s in np.unique(strata):
            m = np.flatnonzero(strata == s)
            st = None if start is None else start[m]
            tw[m] = _stratum_weights(stop[m], event[m], weights[m], st, timewt)
    if ymax is not None:
        tw[stop > ymax] = 0.0
    if not np.all(np.isfinite(tw[event == 1])):
        raise InputError(
            f"timewt={timewt!r} is infinite at some event time (no one left at risk)",
            field="timewt",
            value=timewt,
            rule="finite weights",
        )
    return tw
