"""Small, fast estimators for the trial replicate kernel (thousands of fits per second).

The public estimators live in :mod:`mrdguide.survival` and are validated against R. These
private versions cover exactly what a replicate needs, with no input validation: a two-group
log-rank test, a Breslow Cox fit with delayed entry (counting-process rows) and a
Kaplan-Meier point estimate. ``tests/unit/simulate/test_stats.py`` checks them against the
public estimators and lifelines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
B = NDArray[np.bool_]
_MAX_ITER = 30
_TOL = 1e-7


def norm_sf2(z: float) -> float:
    """Two-sided normal p-value of a z statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def logrank2(time: F, event: B, group: B) -> tuple[float, float]:
    """Two-group log-rank test: (chi-square statistic, p-value); NaN if undefined."""
    order = np.argsort(time, kind="stable")
    t, e, g = time[order], event[order], group[order].astype(np.float64)
    n = t.size
    _, first = np.unique(t, return_index=True)
    ef = e.astype(np.float64)
    d = np.add.reduceat(ef, first)
    d1 = np.add.reduceat(ef * g, first)
    n_risk = (n - first).astype(np.float64)
    n1 = g.sum() - np.concatenate(([0.0], np.cumsum(g)))[first]
    keep = d > 0
    d, d1, n_risk, n1 = d[keep], d1[keep], n_risk[keep], n1[keep]
    frac = n1 / n_risk
    expected = float((d * frac).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        var = float(np.nansum(d * frac * (1 - frac) * (n_risk - d) / (n_risk - 1)))
    if var <= 0:
        return (math.nan, math.nan)
    chi2 = (float(d1.sum()) - expected) ** 2 / var
    return (chi2, math.erfc(math.sqrt(chi2 / 2.0)))


@dataclass(frozen=True, slots=True)
class CoxFit:
    """Coefficients, standard errors and convergence of a small Cox fit."""

    beta: F
    se: F
    converged: bool


class _RiskSets:
    """Sort orders and event-time positions, computed once per data set."""

    def __init__(self, x: F, start: F | None, stop: F, event: B) -> None:
        self.x = x
        ut = np.unique(stop[event])
        self.d = np.bincount(np.searchsorted(ut, stop[event]), minlength=ut.size).astype(float)
        self.so = np.argsort(stop, kind="stable")
        self.i_stop = np.searchsorted(stop[self.so], ut, "left")
        self.sa: NDArray[np.int64] | None = None
        if start is not None and bool(np.any(start > 0)):
            self.sa = np.argsort(start, kind="stable")
            self.i_start = np.searchsorted(start[self.sa], ut, "left")
        self.x_events = x[event].sum(axis=0)

    @staticmethod
    def _tail_sums(order: NDArray[np.int64], idx: NDArray[np.int64], v: F) -> F:
        cs = np.cumsum(v[order], axis=0)
        total = cs[-1]
        before = np.where((idx > 0)[:, None], cs[np.maximum(idx - 1, 0)], 0.0)
        out: F = total[None, :] - before
        return out

    def sums(self, w: F) -> tuple[F, F, F]:
        """S0, S1, S2 at every distinct event time (rows at risk: start < t <= stop)."""
        x = self.x
        n, p = x.shape
        wx = w[:, None] * x
        wxx = (wx[:, :, None] * x[:, None, :]).reshape(n, p * p)
        v = np.column_stack([w, wx, wxx])
        tot = self._tail_sums(self.so, self.i_stop, v)
        if self.sa is not None:
            tot = tot - self._tail_sums(self.sa, self.i_start, v)
        return tot[:, 0], tot[:, 1 : 1 + p], tot[:, 1 + p :].reshape(-1, p, p)


def _step(rs: _RiskSets, beta: F) -> tuple[float, F, F]:
    eta = rs.x @ beta
    s0, s1, s2 = rs.sums(np.exp(eta - eta.max()))
    shift = float(eta.max())
    ll = float(rs.x_events @ beta - (rs.d * (np.log(s0) + shift)).sum())
    m1 = s1 / s0[:, None]
    grad = rs.x_events - (rs.d[:, None] * m1).sum(axis=0)
    cov = s2 / s0[:, None, None] - m1[:, :, None] * m1[:, None, :]
    info = (rs.d[:, None, None] * cov).sum(axis=0)
    return ll, grad, info


def cox_fit(x: F, stop: F, event: B, start: F | None = None) -> CoxFit:
    """Breslow Cox fit by Newton-Raphson with step halving; NaN when not estimable."""
    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    p = x.shape[1]
    nan = CoxFit(np.full(p, np.nan), np.full(p, np.nan), False)
    if not event.any():
        return nan
    rs = _RiskSets(x, start, stop, event)
    beta = np.zeros(p)
    ll, grad, info = _step(rs, beta)
    for _ in range(_MAX_ITER):
        try:
            delta = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            return nan
        new = beta + delta
        ll_new, g_new, i_new = _step(rs, new)
        halvings = 0
        while not ll_new >= ll - 1e-12 and halvings < 10:
            delta /= 2
            new = beta + delta
            ll_new, g_new, i_new = _step(rs, new)
            halvings += 1
        beta, ll, grad, info = new, ll_new, g_new, i_new
        if np.max(np.abs(delta)) < _TOL or abs(float(np.max(np.abs(beta)))) > 20:
            break
    try:
        var = np.diag(np.linalg.inv(info))
    except np.linalg.LinAlgError:
        return nan
    if not np.all(var > 0):
        return nan
    se = np.sqrt(var)
    ok = bool(np.all(np.isfinite(se)) and np.max(np.abs(beta)) < 20)
    return CoxFit(beta, se, ok)


def km_at(time: F, event: B, t: float) -> float:
    """Kaplan-Meier survival at ``t`` (NaN for an empty sample)."""
    if time.size == 0:
        return math.nan
    order = np.argsort(time, kind="stable")
    ts, es = time[order], event[order]
    ut, first = np.unique(ts, return_index=True)
    d = np.add.reduceat(es.astype(np.float64), first)
    n_risk = (ts.size - first).astype(np.float64)
    use = (ut <= t) & (d > 0)
    return float(np.prod(1.0 - d[use] / n_risk[use]))


def cox_fit_reference(x: F, stop: F, event: B, start: F | None = None) -> CoxFit:
    """The same fit through the validated public :func:`mrdguide.survival.cox_ph` (slower)."""
    from mrdguide.survival import cox_ph

    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    if not event.any():
        p = x.shape[1]
        return CoxFit(np.full(p, np.nan), np.full(p, np.nan), False)
    res = cox_ph(x, stop, event.astype(np.int64), ties="breslow", entry=start)
    return CoxFit(np.asarray(res.coef), np.asarray(res.std_err), bool(res.converged))


def logrank_reference(time: F, event: B, group: B) -> tuple[float, float]:
    """Two-group log-rank through the public :func:`mrdguide.survival.logrank_test`."""
    from mrdguide.survival import logrank_test

    res = logrank_test(time, event.astype(np.int64), group.astype(np.int64))
    return (float(res.statistic), float(res.p_value))
