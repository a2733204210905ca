"""Batched Breslow Cox fits: many small problems (one per trial replicate) in one array pass.

A trial replicate fits Cox models to a few hundred rows; fitted one at a time, NumPy's per-call
overhead dominates. Here ``R`` problems share padded arrays (layout and determinism rules in
:mod:`mrdguide.simulate._arrays`: positions first, rows sorted by stop time, descending,
padding last) and every Newton step is a few dozen array operations for the whole batch. A
problem's numbers do not depend on the other problems in its batch or on the padding; small
``p x p`` systems go to LAPACK one matrix at a time (``np.linalg.solve`` on a stack).

The formulas are R's ``coxph(ties = "breslow")`` with counting-process rows and
``cluster(id)``, evaluated per event row rather than per distinct event time (tied event rows
share one risk set, so the sums are the same).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from mrdguide.simulate._arrays import gather, running, scatter, seqsum, sort_rows, take_rows, ties

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.intp]  # noqa: E741
MAX_ITER = 30
TOL = 1e-7


@dataclass(frozen=True, slots=True)
class Problems:
    """``R`` Cox problems, rows sorted by stop time (descending), padding last.

    ``x`` ``(p, N, R)`` is centred per problem and zero on padding rows and dropped columns;
    ``xx`` ``(T, N, R)`` holds its pairwise products. Event rows are listed by position in
    ``ev_pos`` ``(E, R)`` (``ev_mask`` marks real ones). Row i's risk interval ``(start,
    stop]`` holds the events numbered ``a1 <= k < a2``; an event row's risk set is positions
    ``<= ev_last`` minus the ``ev_c`` rows whose start is at or after the event (the first
    ones in ``start_order``). ``dropped`` ``(p, R)`` is 1 for a column a problem does not use.
    """

    x: F
    valid: B
    xx: F
    ev_pos: I
    ev_mask: B
    x_ev: F
    ev_last: I
    a1: I
    a2: I
    ev_c: I | None
    start_order: I | None
    dropped: F

    def take(self, idx: I) -> Problems:
        """The problems ``idx`` (a batch of their own, same padding)."""
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            kw[f.name] = None if v is None else v[..., idx]
        return replace(self, **kw)


def pairs(p: int) -> tuple[tuple[int, int], ...]:
    """Index pairs ``a <= b`` of a symmetric ``p x p`` matrix."""
    return tuple((a, b) for a in range(p) for b in range(a, p))


def _outer(x: F) -> F:
    """``x_a * x_b`` for every pair ``a <= b`` of the planes of ``x`` (axis 0)."""
    return np.stack([x[a] * x[b] for a, b in pairs(x.shape[0])])


def _unpack(t: F, p: int) -> F:
    """``(T, R)`` pair values to ``(R, p, p)`` symmetric matrices."""
    out = np.empty((t.shape[1], p, p))
    for k, (a, b) in enumerate(pairs(p)):
        out[:, a, b] = out[:, b, a] = t[k]
    return out


def _entry_counts(sa: F, s: F) -> tuple[I, I]:
    """Per row: stops after its start (``#{stop_j > start_i}``) and starts at or after its
    stop (``#{start_j >= stop_i}``), from one stable merge of starts and stops."""
    n = s.shape[0]
    merged = np.argsort(-np.concatenate([sa, s]), axis=0, kind="stable")
    is_stop = merged >= n
    stops_before = np.cumsum(is_stop, axis=0) - is_stop
    starts_before = np.cumsum(~is_stop, axis=0) - ~is_stop
    where = np.empty_like(merged)
    scatter(where, merged, np.broadcast_to(np.arange(2 * n)[:, None], merged.shape))
    return gather(stops_before, where[:n]), gather(starts_before, where[n:])


def _columns(xs: F, vs: B, drop_from: int | None) -> tuple[F, F]:
    """Centred covariates (zero on padding and dropped columns) and the dropped mask.

    With ``drop_from``, columns ``>= drop_from`` constant within a problem are dropped.
    """
    nv = vs.sum(axis=0)
    mean = seqsum(np.where(vs, xs, 0.0)) / np.maximum(nv, 1)
    keep = np.ones(mean.shape, dtype=bool)
    if drop_from is not None:
        hi = np.max(np.where(vs, xs, -np.inf), axis=1)
        lo = np.min(np.where(vs, xs, np.inf), axis=1)
        keep[drop_from:] = (hi - lo)[drop_from:] > 1e-12
    xc = np.where(vs & keep[:, None, :], xs - mean[:, None, :], 0.0)
    return xc, (~keep).astype(np.float64)


def prepare(
    x: F,
    stop: F,
    event: B,
    valid: B,
    start: F | None = None,
    drop_from: int | None = None,
) -> tuple[Problems, I]:
    """Sort, pad and index ``R`` problems given problem-first: ``x`` ``(R, M, p)``, the
    others ``(R, M)``; rows with ``valid`` False are not part of their problem.

    Returns the problems and, per sorted row, its input column (``(R, N)``).
    """
    order = sort_rows(-stop, valid)
    vs = take_rows(valid, order).T
    s = np.where(vs, take_rows(stop, order).T, -np.inf)
    es = vs & take_rows(event, order).T
    xc, dropped = _columns(np.ascontiguousarray(take_rows(x, order).T), vs, drop_from)
    n, r = vs.shape
    first, last = ties(s)
    ne = es.sum(axis=0)
    e = max(int(ne.max()), 1)
    ev_pos = np.argsort(~es, axis=0, kind="stable")[:e]
    ev_count = running(es)
    ev_c = start_order = None
    a2 = np.broadcast_to(ne, (n, r))
    if start is not None:
        sa = np.where(vs, take_rows(start, order).T, -np.inf)
        after_start, c = _entry_counts(sa, s)
        a2, ev_c = gather(ev_count, after_start), gather(c, ev_pos)
        start_order = np.argsort(-sa, axis=0, kind="stable")
    probs = Problems(
        x=xc, valid=vs, xx=_outer(xc), ev_pos=ev_pos, ev_mask=np.arange(e)[:, None] < ne,
        x_ev=gather(xc, ev_pos), ev_last=gather(last, ev_pos), a1=gather(ev_count, first),
        a2=np.ascontiguousarray(a2), ev_c=ev_c, start_order=start_order, dropped=dropped,
    )  # fmt: skip
    return probs, order


class Eval(NamedTuple):
    """One evaluation of every problem's partial likelihood at its ``beta``.

    ``w`` ``(N, R)``: the rows' relative risks; ``h`` ``(E, R)``: the Breslow hazard increment
    of each event row and ``haz`` its running sum (a zero row in front); ``m`` ``(p, E, R)``:
    the risk-set means at each event row.
    """

    ll: F
    grad: F
    info: F
    w: F
    h: F
    haz: F
    m: F


def step(pr: Problems, beta: F) -> Eval:
    """Log partial likelihood, score, information and what the residuals need.

    The information is ``sum_i w_i H_i x_i x_i' - sum_events m m'`` with ``H_i`` the Breslow
    hazard over row i's risk interval; a dropped column gets a unit diagonal (and no score), so
    its coefficient stays 0.
    """
    p, n, r = pr.x.shape
    eta = pr.x[0] * beta[:, 0]
    for k in range(1, p):
        eta = eta + pr.x[k] * beta[:, k]
    shift = np.max(np.where(pr.valid, eta, -np.inf), axis=0)
    w = np.where(pr.valid, np.exp(eta - shift), 0.0)
    v = np.empty((p + 1, n, r))
    v[0] = w
    np.multiply(pr.x, w, out=v[1:])
    s = gather(np.cumsum(v, axis=1), pr.ev_last)
    if pr.start_order is not None and pr.ev_c is not None:
        s = s - gather(running(gather(v, pr.start_order)), pr.ev_c)
    mask = pr.ev_mask
    s0 = np.where(mask, s[0], 1.0)
    m = s[1:] / s0
    ll = gather(eta, pr.ev_pos) - (np.log(s0) + shift)
    terms = np.concatenate([ll[None], pr.x_ev - m, _outer(m)])
    sums = seqsum(np.where(mask, terms, 0.0))
    h = np.where(mask, 1.0 / s0, 0.0)
    haz = running(h)
    wh = w * (gather(haz, pr.a2) - gather(haz, pr.a1))
    info = _unpack(seqsum(pr.xx * wh) - sums[1 + p :], p)
    info += np.eye(p) * pr.dropped.T[:, None, :]
    return Eval(sums[0], sums[1 : 1 + p].T, info, w, h, haz, m)


def solve(a: F, b: F) -> tuple[F, B]:
    """Solve each ``a[k] x = b[k]`` (LAPACK, one matrix at a time); ok False if singular."""
    ok: B = np.ones(a.shape[0], dtype=bool)
    try:
        x: F = np.asarray(np.linalg.solve(a, b[..., None])[..., 0], dtype=np.float64)
        return x, ok
    except np.linalg.LinAlgError:
        out = np.full(b.shape, np.nan)
        for k in range(a.shape[0]):
            try:
                out[k] = np.linalg.solve(a[k], b[k])
            except np.linalg.LinAlgError:
                ok[k] = False
        return out, ok


def inverse(a: F) -> tuple[F, B]:
    """Inverse of each ``a[k]``; ok False where singular."""
    eye = np.broadcast_to(np.eye(a.shape[1]), a.shape)
    ok: B = np.ones(a.shape[0], dtype=bool)
    try:
        x: F = np.asarray(np.linalg.solve(a, eye), dtype=np.float64)
        return x, ok
    except np.linalg.LinAlgError:
        out = np.full(a.shape, np.nan)
        for k in range(a.shape[0]):
            try:
                out[k] = np.linalg.inv(a[k])
            except np.linalg.LinAlgError:
                ok[k] = False
        return out, ok


class _Newton:
    """Newton-Raphson state of the problems still iterating (``idx`` into the batch)."""

    def __init__(self, pr: Problems, idx: I, beta: F) -> None:
        self.idx, self.sub = idx, pr.take(idx)
        p = beta.shape[1]
        self.ll, self.grad, self.info = np.zeros(0), np.zeros((0, p)), np.zeros((0, p, p))
        if idx.size:
            ev = step(self.sub, beta[idx])
            self.ll, self.grad, self.info = ev.ll, ev.grad, ev.info

    def keep(self, mask: B) -> None:
        """Continue with the problems where ``mask`` is True."""
        if mask.all():
            return
        j = np.flatnonzero(mask)
        self.idx, self.sub = self.idx[j], self.sub.take(j)
        self.ll, self.grad, self.info = self.ll[j], self.grad[j], self.info[j]


def newton(pr: Problems, fit: B) -> tuple[F, B]:
    """Newton-Raphson with step halving from beta = 0, per problem; ok False when singular.

    Each problem follows exactly the iteration it would follow alone: it stops when its step
    is below ``TOL`` or a coefficient exceeds 20, and halves a step (at most 10 times) while
    its log partial likelihood decreases.
    """
    beta = np.zeros((pr.x.shape[2], pr.x.shape[0]))
    ok = fit.copy()
    st = _Newton(pr, np.flatnonzero(fit), beta)
    for _ in range(MAX_ITER):
        if st.idx.size == 0:
            break
        delta, good = solve(st.info, st.grad)
        ok[st.idx[~good]] = False
        st.keep(good)
        delta = delta[good]
        base = beta[st.idx]
        new = base + delta
        nxt = step(st.sub, new)
        ll, grad, info = nxt.ll, nxt.grad, nxt.info
        bad = ~(ll >= st.ll - 1e-12)
        halvings = 0
        while bad.any() and halvings < 10:
            j = np.flatnonzero(bad)
            delta[j] /= 2
            new[j] = base[j] + delta[j]
            ev = step(st.sub.take(j), new[j])
            ll[j], grad[j], info[j] = ev.ll, ev.grad, ev.info
            bad[j] = ~(ev.ll >= st.ll[j] - 1e-12)
            halvings += 1
        beta[st.idx] = new
        st.ll, st.grad, st.info = ll, grad, info
        done = (np.max(np.abs(delta), axis=1) < TOL) | (np.max(np.abs(new), axis=1) > 20)
        st.keep(~done)
    return beta, ok


class CoxBatch(NamedTuple):
    """Per problem: coefficients, the SE named by ``variance``, the model SE, convergence."""

    beta: F
    se: F
    naive_se: F
    converged: B
    variance: str


def _sandwich(pr: Problems, ev: Eval, v: F, codes: I) -> F:
    """Grouped sandwich SE (R's ``cluster(id)``): dfbeta residuals summed per cluster."""
    p, _, r = pr.x.shape
    mcum = running(ev.h * ev.m)
    haz = gather(ev.haz, pr.a2) - gather(ev.haz, pr.a1)
    u = -ev.w * (pr.x * haz - (gather(mcum, pr.a2) - gather(mcum, pr.a1)))
    scatter(u, pr.ev_pos, gather(u, pr.ev_pos) + np.where(pr.ev_mask, pr.x_ev - ev.m, 0.0))
    g = int(codes.max()) + 1 if codes.size else 1
    flat = (codes * r + np.arange(r)).ravel()
    dg = np.empty((p, g, r))
    for j in range(p):
        dfb = u[0] * v[:, 0, j]
        for k in range(1, p):
            dfb = dfb + u[k] * v[:, k, j]
        dg[j] = np.bincount(flat, weights=dfb.ravel(), minlength=g * r).reshape(g, r)
    out: F = np.sqrt(seqsum(dg * dg)).T
    return out


def cox_batch(
    x: F,
    stop: F,
    event: B,
    valid: B,
    start: F | None = None,
    cluster: NDArray[np.integer[Any]] | None = None,
    drop_from: int | None = None,
) -> CoxBatch:
    """Breslow Cox fits of ``R`` problems; NaN where not estimable.

    Parameters
    ----------
    x : (R, M, p) covariates; stop, event, valid, start : (R, M)
        Rows with ``valid`` False are not part of their problem; ``start`` gives
        counting-process rows ``(start, stop]``.
    cluster : (R, M) non-negative integer codes, optional
        Grouped sandwich SE (R's ``cluster(id)``) in ``se``; ``naive_se`` stays model-based.
    drop_from : int, optional
        Columns from this one on that are constant within a problem are dropped from it
        (coefficient 0, SE NaN).
    """
    r, _, p = x.shape
    kind = "model" if cluster is None else "cluster"
    pr, order = prepare(x, stop, event, valid, start, drop_from)
    beta, ok = newton(pr, np.asarray(pr.ev_mask.any(axis=0)))
    se, naive = np.full((r, p), np.nan), np.full((r, p), np.nan)
    idx = np.flatnonzero(ok)
    if idx.size:
        sub = pr.take(idx)
        ev = step(sub, beta[idx])
        v, good = inverse(ev.info)
        dropped = sub.dropped.T > 0
        var = np.where(dropped, 1.0, np.diagonal(v, axis1=1, axis2=2))
        good &= np.all(var > 0, axis=1)
        nse = np.where(dropped, np.nan, np.sqrt(np.where(var > 0, var, np.nan)))
        cse = nse
        if cluster is not None:
            codes = np.where(sub.valid, take_rows(cluster, order).T[:, idx], 0)
            cse = np.where(dropped, np.nan, _sandwich(sub, ev, v, codes))
        naive[idx] = np.where(good[:, None], nse, np.nan)
        se[idx] = np.where(good[:, None], cse, np.nan)
        ok[idx] &= good
    beta = np.where(ok[:, None], beta, np.nan)
    used = pr.dropped.T == 0
    finite = np.all(np.isfinite(se) | ~used, axis=1)
    conv = ok & finite & (np.max(np.abs(np.where(used, beta, 0.0)), axis=1) < 20)
    return CoxBatch(beta, se, naive, conv, kind)
