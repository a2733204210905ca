"""Fine–Gray pseudo-likelihood, its Newton iteration and crr's variance terms (internal).

Linear-time after one sort: a subject with a competing event at ``T_i`` stays in the risk set
of a later failure time ``t`` with weight ``G(t-) / G(T_i-)`` (``G`` the Kaplan–Meier estimate
of the censoring distribution). The risk-set sums therefore split into a reverse cumulative sum
over subjects still under observation plus ``G(t-)`` times a forward cumulative sum of
``exp(eta) z / G(T_i-)`` over earlier competing events (the representation of Kawaguchi et al.,
2020, *fastcmprsk*). The robust variance, with the term for estimating ``G``, is built from the
same prefix sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.survival._cox_core import segment_sums
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["FG", "linear_predictor", "newton", "objective", "prepare_fg", "variance_terms"]

GTOL = 1e-6  # crr(gtol)
MAXITER = 10  # crr(maxiter)


@dataclass(frozen=True, slots=True)
class FG:
    """Sorted data and the failure-time grid (internal)."""

    x: FloatArray  # centred covariates, rows sorted by time
    mean: FloatArray  # the column means that were subtracted
    order: IntArray  # sorted row k is the caller's row order[k]
    offset: FloatArray | None  # per sorted row, or None
    z: FloatArray  # [1, x, x x' (upper)] per row
    z1: FloatArray  # [1, x] (contiguous copy)
    zc1: FloatArray  # [1, x] / G(T_i-) of the competing rows
    tri: tuple[IntArray, IntArray]
    time: FloatArray
    fail: np.ndarray[Any, np.dtype[np.bool_]]
    comp: np.ndarray[Any, np.dtype[np.bool_]]
    cens: np.ndarray[Any, np.dtype[np.bool_]]
    g_minus: FloatArray  # G(T_i-) per row
    ftimes: FloatArray  # distinct failure times
    d: FloatArray  # failures per distinct time
    g_f: FloatArray  # G(t_j-)
    pos: IntArray  # first row with time >= t_j
    fidx: IntArray  # failure-time index of each failing row
    comp_rows: IntArray  # rows with a competing event at or after the first failure time
    zc: FloatArray  # z / G(T_i-) of those rows
    comp_bounds: IntArray  # reduceat boundaries of comp_rows by slot
    comp_seg_first: IntArray  # the slot of each boundary


def _censoring_km(time: FloatArray, cens: np.ndarray[Any, np.dtype[np.bool_]]) -> FloatArray:
    """G(T_i-) for sorted times: Kaplan–Meier of the censoring distribution, just before T_i."""
    _ut, first, counts = np.unique(time, return_index=True, return_counts=True)
    at_risk = time.size - first
    dc = np.add.reduceat(cens.astype(np.float64), first)
    surv = np.cumprod(1.0 - dc / at_risk)
    before = np.r_[1.0, surv[:-1]]
    return np.repeat(before, counts)


def prepare_fg(
    x: FloatArray, time: FloatArray, cause: IntArray, k: int, offset: FloatArray | None = None
) -> FG:
    """Sort by time, centre the covariates and precompute the censoring weights and sums."""
    order = np.argsort(time, kind="stable")
    t, c, xs = time[order], cause[order], x[order]
    mean = xs.mean(axis=0)
    xs = xs - mean
    p = xs.shape[1]
    iu = np.triu_indices(p)
    tri = (iu[0].astype(np.int64), iu[1].astype(np.int64))
    z = np.concatenate([np.ones((t.size, 1)), xs, xs[:, tri[0]] * xs[:, tri[1]]], axis=1)
    fail, cens = c == k, c == 0
    gm = _censoring_km(t, cens)
    ftimes, fcount = np.unique(t[fail], return_counts=True)
    pos = np.searchsorted(t, ftimes, side="left")
    comp = ~fail & ~cens
    # slot 0: competing rows before the first failure time; slot j + 1: rows of segment j
    # (rows pos[j] .. pos[j+1] - 1); the forward sum at failure time j is slots 0..j
    rows = np.flatnonzero(comp)
    slot = np.searchsorted(pos, rows, side="right")
    new = np.r_[True, slot[1:] != slot[:-1]] if rows.size else np.zeros(0, dtype=bool)
    return FG(
        x=xs,
        mean=mean,
        order=order.astype(np.int64),
        offset=None if offset is None else offset[order],
        z=z,
        tri=tri,
        time=t,
        fail=fail,
        comp=comp,
        cens=cens,
        comp_rows=rows,
        zc=z[rows] / gm[rows][:, None],
        z1=np.ascontiguousarray(z[:, : 1 + p]),
        zc1=np.ascontiguousarray(z[rows, : 1 + p] / gm[rows][:, None]),
        comp_bounds=np.flatnonzero(new),
        comp_seg_first=slot[new],
        g_minus=gm,
        ftimes=ftimes,
        d=fcount.astype(np.float64),
        g_f=gm[pos],
        pos=pos,
        fidx=np.searchsorted(ftimes, t[fail]),
    )


def linear_predictor(fg: FG, beta: FloatArray) -> FloatArray:
    """Centred ``x @ beta`` plus the offset, per sorted row."""
    eta: FloatArray = fg.x @ beta
    return eta if fg.offset is None else eta + fg.offset


def _risk_sums(fg: FG, risk: FloatArray, cols: slice) -> FloatArray:
    """Weighted risk-set sums of ``z[:, cols]`` at every distinct failure time.

    Rows are summed into the segments between successive failure times (one sparse product), then
    the segment sums are accumulated backwards (still under observation at t) and, for competing
    events weighted by 1 / G(T_i-), forwards (left before t).
    """
    full = cols.stop == fg.z.shape[1]
    z, zc = (fg.z, fg.zc) if full else (fg.z1, fg.zc1)
    first = int(fg.pos[0])
    rows = np.arange(first, z.shape[0])
    seg = segment_sums(risk[first:], rows, np.r_[fg.pos, z.shape[0]] - first, z)
    rev = np.cumsum(seg[::-1], axis=0)[::-1]
    comp = np.zeros((seg.shape[0] + 1, seg.shape[1]))
    if fg.comp_rows.size:
        ptr = np.r_[fg.comp_bounds, fg.comp_rows.size]
        crow = np.arange(fg.comp_rows.size)
        comp[fg.comp_seg_first] = segment_sums(risk[fg.comp_rows], crow, ptr, zc)
    fwd = np.cumsum(comp[:-1], axis=0)
    out: FloatArray = rev + fg.g_f[:, None] * fwd
    return out


def objective(
    fg: FG, beta: FloatArray, *, derivs: bool = True
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Log pseudo-likelihood, score and information (Breslow ties, as crr)."""
    p = fg.x.shape[1]
    eta = linear_predictor(fg, beta)
    risk = np.exp(eta)
    m = 1 + p + (p * (p + 1) // 2 if derivs else 0)
    s = _risk_sums(fg, risk, slice(0, m))
    loglik = float(eta[fg.fail].sum() - fg.d @ np.log(s[:, 0]))
    if not derivs:
        return loglik, np.zeros(p), np.zeros((p, p)), s
    a = s[:, 1 : 1 + p] / s[:, :1]
    score = fg.x[fg.fail].sum(axis=0) - fg.d @ a
    v = (fg.d / s[:, 0]) @ s[:, 1 + p :]
    info = np.zeros((p, p))
    info[fg.tri] = v
    info[fg.tri[1], fg.tri[0]] = v
    info -= (a * fg.d[:, None]).T @ a
    return loglik, score, info, s


def newton(fg: FG) -> tuple[FloatArray, bool]:
    """crr's iteration: Newton steps with Armijo step halving, crr's stopping rule."""
    b = np.zeros(fg.x.shape[1])
    for it in range(MAXITER + 1):
        f, u, h, _ = objective(fg, b)
        if np.max(np.abs(u) * np.maximum(np.abs(b), 1.0)) < max(abs(f), 1.0) * GTOL:
            return b, True
        if it == MAXITER:
            return b, False
        sc = np.linalg.solve(h, u)
        for _half in range(22):
            fbn = objective(fg, b + sc, derivs=False)[0]
            # crr minimises -loglik: accept when -fbn <= -f + 1e-4 * sum(sc * -u)
            if np.isfinite(fbn) and not (-fbn > -f - 1e-4 * float(sc @ u)):
                break
            sc = sc * 0.5
        else:
            return b, False
        b = b + sc
    return b, False  # pragma: no cover - loop always returns


def variance_terms(fg: FG, beta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-subject influence terms eta_i + psi_i (Fine & Gray 1999), information, jumps."""
    p = fg.x.shape[1]
    risk = np.exp(linear_predictor(fg, beta))
    _, _, info, s = objective(fg, beta)
    a = s[:, 1 : 1 + p] / s[:, :1]
    dlam = fg.d / s[:, 0]
    x, n = fg.x, fg.x.shape[0]
    # eta: observed part, plus compensator up to T_i (weight 1) and beyond (competing, G ratio)
    nle = np.searchsorted(fg.ftimes, fg.time, side="right")  # failure times <= T_i
    h = np.r_[0.0, np.cumsum(dlam)]
    kk = np.vstack([np.zeros((1, p)), np.cumsum(a * dlam[:, None], axis=0)])
    eta_i = -risk[:, None] * (x * h[nle][:, None] - kk[nle])
    eta_i[fg.fail] += x[fg.fail] - a[fg.fidx]
    gd = fg.g_f * dlam
    hg = np.r_[0.0, np.cumsum(gd)]
    kg = np.vstack([np.zeros((1, p)), np.cumsum(a * gd[:, None], axis=0)])
    cw = np.where(fg.comp, risk / fg.g_minus, 0.0)
    eta_i -= cw[:, None] * (x * (hg[-1] - hg[nle])[:, None] - (kg[-1] - kg[nle]))
    return eta_i + _psi(fg, risk, a, gd, nle, n), info, dlam


def _psi(
    fg: FG, risk: FloatArray, a: FloatArray, gd: FloatArray, nle: IntArray, n: int
) -> FloatArray:
    """The censoring-distribution term psi_i = sum_u q(u) / pi(u) dM_i^c(u)."""
    p = fg.x.shape[1]
    ut, first = np.unique(fg.time, return_index=True)
    at_risk = (n - first).astype(np.float64)
    dc = np.add.reduceat(fg.cens.astype(np.float64), first)
    # competing subjects with T_i < u, and failure times t_j >= u
    cw = np.where(fg.comp, risk / fg.g_minus, 0.0)
    c1 = np.r_[0.0, np.cumsum(cw)][first]
    cx = np.vstack([np.zeros((1, p)), np.cumsum(cw[:, None] * fg.x, axis=0)])[first]
    jge = np.searchsorted(fg.ftimes, ut, side="left")
    ga = np.r_[np.cumsum(gd[::-1])[::-1], 0.0][jge]
    gb = np.vstack([np.cumsum((a * gd[:, None])[::-1], axis=0)[::-1], np.zeros((1, p))])[jge]
    # q(u): the compensator of the competing subjects' weighted martingales beyond u (its sign
    # follows crr, i.e. Fine & Gray's q with the minus absorbed)
    q = cx * ga[:, None] - c1[:, None] * gb
    qpi = q / at_risk[:, None]
    comp_cum = np.cumsum(qpi * (dc / at_risk)[:, None], axis=0)
    u_of = np.searchsorted(ut, fg.time)
    psi = -comp_cum[u_of]
    psi[fg.cens] += qpi[u_of[fg.cens]]
    del nle
    return psi
