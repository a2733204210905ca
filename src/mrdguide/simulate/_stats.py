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
from typing import NamedTuple

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
    """Coefficients, standard errors and convergence of a small Cox fit.

    ``se`` is the standard error named by ``variance``: ``"model"`` (inverse information) or
    ``"cluster"`` (grouped sandwich, R's ``cluster(id)``); ``naive_se`` is always the model one.
    """

    beta: F
    se: F
    converged: bool
    naive_se: F | None = None
    variance: str = "model"


class _RiskSets:
    """Rows sorted once (stop time descending, covariates centred) and risk-set indices.

    Rows at risk at event time ``t`` are those with ``start < t <= stop``. Sums over a risk set
    are differences of two prefix sums: rows with ``stop >= t`` minus rows with ``start >= t``.
    """

    def __init__(self, x: F, start: F | None, stop: F, event: B) -> None:
        n = stop.size
        self.order = order = np.argsort(-stop, kind="stable")
        xs = x[order]
        self.x = xs = xs - xs.mean(axis=0)
        self.xa = np.column_stack([np.ones(n), xs])
        st, self.ev = stop[order], event[order]
        ut = np.unique(st[self.ev])
        self.ev_k = np.searchsorted(ut, st[self.ev])
        self.d = np.bincount(self.ev_k, minlength=ut.size).astype(np.float64)
        self.c_stop = n - np.searchsorted(st[::-1], ut, "left")
        self.k_stop = np.searchsorted(ut, st, "right")
        self.x_events = xs[self.ev].sum(axis=0)
        self.buf = np.zeros((n + 1, xs.shape[1] + 1))
        self.hbuf = np.zeros(ut.size + 1)
        self.p_start: NDArray[np.intp] | None = None
        if start is not None and bool(np.any(start[order] >= ut[0])):
            sa = start[order]
            self.p_start = np.argsort(-sa, kind="stable")
            self.c_start = n - np.searchsorted(sa[self.p_start][::-1], ut, "left")
            self.k_start = np.searchsorted(ut, sa, "right")
            self.buf2 = np.zeros_like(self.buf)

    def sums(self, w: F) -> F:
        """Columns S0 and S1 (K x (p + 1)) at every distinct event time."""
        v = self.xa * w[:, None]
        np.cumsum(v, axis=0, out=self.buf[1:])
        s: F = self.buf[self.c_stop]
        if self.p_start is not None:
            np.cumsum(v[self.p_start], axis=0, out=self.buf2[1:])
            s = s - self.buf2[self.c_start]
        return s

    def span(self, cum: F) -> F:
        """``cum[k_stop] - cum[k_start]``: a cumulative sum over each row's risk interval."""
        out: F = cum[self.k_stop]
        if self.p_start is not None:
            out = out - cum[self.k_start]
        return out


class _Eval(NamedTuple):
    """One evaluation of the partial likelihood and what the residuals need."""

    ll: float
    grad: F
    info: F
    w: F
    s: F


def _step(rs: _RiskSets, beta: F) -> _Eval:
    """Log partial likelihood, score, information, weights and S1/S0 at ``beta``.

    The information is ``sum_i w_i H_i x_i x_i' - sum_k d_k m_k m_k'`` with ``H_i`` the
    Breslow hazard summed over row i's risk interval: one ``p x p`` product instead of prefix
    sums of every ``x_i x_i'``.
    """
    eta = rs.x @ beta
    shift = float(eta.max())
    w = np.exp(eta - shift)
    s = rs.sums(w)
    s0 = s[:, 0]
    m = s[:, 1:] / s0[:, None]
    ll = float(rs.x_events @ beta - rs.d @ (np.log(s0) + shift))
    grad = rs.x_events - rs.d @ m
    np.cumsum(rs.d / s0, out=rs.hbuf[1:])
    wh = w * rs.span(rs.hbuf)
    info = (rs.x.T * wh) @ rs.x - (m.T * rs.d) @ m
    return _Eval(ll, grad, info, w, s)


def _score_residuals(rs: _RiskSets, ev: _Eval) -> F:
    """Breslow score residuals of every row (in ``rs.order``) at the evaluated coefficients.

    ``U_i = delta_i (x_i - m(t_i)) - w_i sum_k (x_i - m_k) d_k / S0_k`` over the event times
    in row i's risk interval (R's ``residuals(fit, "score")`` for Breslow ties).
    """
    w, m = ev.w, ev.s[:, 1:] / ev.s[:, :1]
    haz = rs.d / ev.s[:, 0]
    cum = np.zeros((haz.size + 1, m.shape[1]))
    np.cumsum(haz[:, None] * m, axis=0, out=cum[1:])
    hcum = np.concatenate(([0.0], np.cumsum(haz)))
    u: F = -w[:, None] * (rs.x * rs.span(hcum)[:, None] - rs.span(cum))
    u[rs.ev] += rs.x[rs.ev] - m[rs.ev_k]
    return u


def _newton(rs: _RiskSets, p: int) -> tuple[F, _Eval] | None:
    """Newton-Raphson with step halving from beta = 0; None when the information is singular."""
    beta = np.zeros(p)
    ev = _step(rs, beta)
    for _ in range(_MAX_ITER):
        try:
            delta = np.linalg.solve(ev.info, ev.grad)
        except np.linalg.LinAlgError:
            return None
        new = beta + delta
        nxt = _step(rs, new)
        halvings = 0
        while not nxt.ll >= ev.ll - 1e-12 and halvings < 10:
            delta /= 2
            new = beta + delta
            nxt = _step(rs, new)
            halvings += 1
        beta, ev = new, nxt
        if np.max(np.abs(delta)) < _TOL or abs(float(np.max(np.abs(beta)))) > 20:
            break
    return beta, ev


def cox_fit(
    x: F, stop: F, event: B, start: F | None = None, cluster: NDArray[np.intp] | None = None
) -> CoxFit:
    """Breslow Cox fit by Newton-Raphson with step halving; NaN when not estimable.

    ``cluster`` (non-negative integer codes, e.g. the patient index of counting-process rows)
    gives the grouped sandwich SE (R's ``cluster(id)``) in ``se``; ``naive_se`` stays the
    model-based one.
    """
    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    p = x.shape[1]
    kind = "model" if cluster is None else "cluster"
    nan = CoxFit(np.full(p, np.nan), np.full(p, np.nan), False, np.full(p, np.nan), kind)
    if not event.any():
        return nan
    rs = _RiskSets(x, start, stop, event)
    out = _newton(rs, p)
    if out is None:
        return nan
    beta, ev = out
    try:
        v = np.linalg.inv(ev.info)
    except np.linalg.LinAlgError:
        return nan
    var = np.diag(v)
    if not np.all(var > 0):
        return nan
    naive = np.sqrt(var)
    se = naive
    if cluster is not None:
        dfb = _score_residuals(rs, ev) @ v
        codes = np.asarray(cluster)[rs.order]
        g = int(codes.max()) + 1
        dg = np.column_stack([np.bincount(codes, weights=dfb[:, j], minlength=g) for j in range(p)])
        se = np.sqrt(np.einsum("gj,gj->j", dg, dg))
    ok = bool(np.all(np.isfinite(se)) and np.max(np.abs(beta)) < 20)
    return CoxFit(beta, se, ok, naive, kind)


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


def cox_fit_reference(
    x: F, stop: F, event: B, start: F | None = None, cluster: NDArray[np.intp] | None = None
) -> CoxFit:
    """The same fit through the validated public :func:`mrdguide.survival.cox_ph` (slower)."""
    from mrdguide.survival import cox_ph

    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    kind = "model" if cluster is None else "cluster"
    if not event.any():
        p = x.shape[1]
        return CoxFit(np.full(p, np.nan), np.full(p, np.nan), False, np.full(p, np.nan), kind)
    res = cox_ph(
        x, stop, event.astype(np.int64), ties="breslow", entry=start, cluster=cluster,
        concordance=False,
    )  # fmt: skip
    return CoxFit(
        np.asarray(res.coef),
        np.asarray(res.std_err),
        bool(res.converged),
        np.asarray(res.naive_std_err),
        res.variance,
    )


def logrank_reference(time: F, event: B, group: B) -> tuple[float, float]:
    """Two-group log-rank through the public :func:`mrdguide.survival.logrank_test`."""
    from mrdguide.survival import logrank_test

    res = logrank_test(time, event.astype(np.int64), group.astype(np.int64))
    return (float(res.statistic), float(res.p_value))
