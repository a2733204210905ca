"""Baseline-hazard variance components for prediction intervals.

For a (sub)distribution-hazard or cause-specific Cox fit with Breslow-type baseline increments
``dΛ₀ⱼ = dⱼ / S0ⱼ`` the classical (Tsiatis 1981; Andersen et al. 1993, §VII.2) variance of
``log Λ̂(t|x)`` is

``A(t) / Λ₀(t)² + (x - B(t)/Λ₀(t))ᵀ Σ (x - B(t)/Λ₀(t))``,

with ``A(t) = Σ_{tⱼ<=t} dΛ₀ⱼ² / dⱼ`` and ``B(t) = Σ_{tⱼ<=t} x̄ⱼ dΛ₀ⱼ`` (``x̄ⱼ`` the risk-weighted
covariate mean of the risk set). This module computes ``A`` and ``B`` on the fit's baseline
grid. For Fine–Gray the risk set is the subdistribution risk set with inverse-probability-of-
censoring weights ``G(tⱼ-)/G(Tᵢ-)`` for patients with an earlier competing event (Fine & Gray,
JASA 1999); the weights' own variability is ignored.
"""

from __future__ import annotations

import numpy as np

from mrdguide import survival
from mrdguide.risk.design import BoolArray, FloatArray, IntArray


def _suffix_sums(time: FloatArray, values: FloatArray, at: FloatArray) -> FloatArray:
    """Σ values[i] over i with time[i] >= at[j], for each j (values may be 2-D)."""
    order = np.argsort(time)
    ts = time[order]
    csum = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values[order], axis=0)])
    start = np.searchsorted(ts, at, side="left")
    return np.asarray(csum[-1] - csum[start], dtype=np.float64)


def _prefix_sums(time: FloatArray, values: FloatArray, at: FloatArray) -> FloatArray:
    """Σ values[i] over i with time[i] < at[j], for each j."""
    order = np.argsort(time)
    ts = time[order]
    csum = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values[order], axis=0)])
    return np.asarray(csum[np.searchsorted(ts, at, side="left")], dtype=np.float64)


def risk_set_sums(
    X: FloatArray,
    time: FloatArray,
    cause: IntArray,
    beta: FloatArray,
    at: FloatArray,
    *,
    fine_gray: bool,
) -> tuple[FloatArray, FloatArray]:
    """``S0`` and ``S1`` of the (weighted) risk sets at times ``at``."""
    r = np.exp(X @ beta)
    rx = X * r[:, None]
    s0 = _suffix_sums(time, r, at)
    s1 = _suffix_sums(time, rx, at)
    if fine_gray:
        comp = cause >= 2
        g = survival.kaplan_meier(time, cause == 0)
        g_own = np.asarray(g.at(np.nextafter(time[comp], -np.inf)), dtype=np.float64)
        g_at = np.asarray(g.at(np.nextafter(at, -np.inf)), dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(g_own > 0, 1.0 / g_own, 0.0)
        s0 = s0 + g_at * _prefix_sums(time[comp], r[comp] * inv, at)
        s1 = s1 + g_at[:, None] * _prefix_sums(time[comp], rx[comp] * inv[:, None], at)
    return s0, s1


def baseline_components(
    X: FloatArray,
    time: FloatArray,
    cause: IntArray,
    event: BoolArray,
    beta: FloatArray,
    baseline_time: FloatArray,
    baseline_cumhaz: FloatArray,
    *,
    fine_gray: bool,
) -> tuple[FloatArray, FloatArray]:
    """Cumulative ``A`` (shape ``(m,)``) and ``B`` (shape ``(m, p)``) on the baseline grid."""
    m = baseline_time.shape[0]
    if m == 0:
        return np.zeros(0), np.zeros((0, X.shape[1]))
    inc = np.diff(np.concatenate(([0.0], baseline_cumhaz)))
    ev_times = np.sort(time[event])
    d = np.searchsorted(ev_times, baseline_time, "right") - np.searchsorted(
        ev_times, baseline_time, "left"
    )
    s0, s1 = risk_set_sums(X, time, cause, beta, baseline_time, fine_gray=fine_gray)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_inc = np.where(d > 0, inc**2 / np.maximum(d, 1), 0.0)
        xbar = np.where(s0[:, None] > 0, s1 / s0[:, None], 0.0)
    return np.cumsum(a_inc), np.cumsum(xbar * inc[:, None], axis=0)
