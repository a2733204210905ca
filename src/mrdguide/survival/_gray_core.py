"""Gray's score statistic and covariance from event tables (cmprsk ``crstm`` / ``crst``).

Shared by :func:`mrdguide.survival.gray_test` and ``cumulative_incidence(test=True)``; see
:mod:`mrdguide.survival._gray` for the R-compatibility notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mrdguide.survival._dist import chi2_sf
from mrdguide.survival._types import FloatArray, IntArray, TestResult

__all__ = ["Shared", "all_causes", "finish", "gray_statistic", "shared", "stratum_scores"]


def _shift(x: FloatArray, first: float) -> FloatArray:
    """Left-continuous version of a running quantity (time on the last axis)."""
    out = np.empty_like(x)
    out[..., 0] = first
    out[..., 1:] = x[..., :-1]
    return out


@dataclass(frozen=True, slots=True)
class Shared:
    """Cause-independent quantities of one stratum (groups x event times).

    ``empty[g]`` is the first time index where group g has nobody at risk and ``dead[g]`` the
    first where its all-cause KM is 0; both mark suffixes (the counts only fall), so the
    special cases of cmprsk's code are patched on slices instead of masked everywhere.
    """

    rs: FloatArray
    skm: FloatArray
    skmm: FloatArray
    t1: FloatArray
    tr: FloatArray
    empty: IntArray
    dead: IntArray


def _suffix_start(x: FloatArray) -> IntArray:
    """Per row, the first index of the trailing zeros of a non-increasing, >= 0 row."""
    return np.array([int(np.searchsorted(-row, 0.0)) for row in x], dtype=np.int64)


def shared(rs: FloatArray, nd: FloatArray) -> Shared:
    """KM of each group (all causes) and the weights t1 = n / S(t-), from (groups, times)."""
    empty = _suffix_start(rs)
    with np.errstate(divide="ignore", invalid="ignore"):
        skm = nd / rs
    for g, z in enumerate(empty):
        skm[g, z:] = 0.0  # nobody at risk: no events, the KM stays
    np.subtract(1.0, skm, out=skm)
    np.cumprod(skm, axis=1, out=skm)
    skmm = _shift(skm, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = rs / skmm
    for g, z in enumerate(empty):
        t1[g, z:] = 0.0  # empty risk set (cmprsk: 0)
    return Shared(
        rs=rs, skm=skm, skmm=skmm, t1=t1, tr=t1.sum(axis=0), empty=empty, dead=_suffix_start(skm)
    )


def _pair_sums(b: FloatArray, w: FloatArray) -> FloatArray:
    """sum over groups and times of b[i] * w * b[j], for the (k-1) x (k-1) score covariance."""
    m = b.shape[0]
    out = np.empty((m, m))
    bw = b * w
    for i in range(m):  # k - 1 is small: plain sums avoid BLAS start-up on tiny work
        for j in range(i, m):
            out[i, j] = out[j, i] = float(np.sum(bw[i] * b[j]))
    return out


def _patch(x: FloatArray, starts: IntArray, where: IntArray, value: float) -> None:
    """Set row g of ``x`` (on the time subset ``where``) to ``value`` from time ``starts[g]``."""
    for g, z in enumerate(np.searchsorted(where, starts)):
        x[g, z:] = value


def _tie_factor(d: FloatArray, n: FloatArray) -> FloatArray:
    """cmprsk's tie correction ``1 - (d - 1) / n`` (1 where d <= 1), computed where d > 1."""
    out = np.ones(np.broadcast_shapes(d.shape, n.shape))
    hit = np.nonzero(np.broadcast_to(d, out.shape) > 1)
    if hit[0].size:
        dd = np.broadcast_to(d, out.shape)[hit]
        nn = np.broadcast_to(n, out.shape)[hit]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[hit] = 1.0 - (dd - 1.0) / nn
    return out


def _j1_part(
    sh: Shared, d1: FloatArray, j1: IntArray, rho: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Score, covariance, v2, v3 from the cause-of-interest times; also c and f there."""
    ng1 = d1.shape[0] - 1
    skmm, rs, t1 = (np.take(x, j1, axis=1) for x in (sh.skmm, sh.rs, sh.t1))
    tr, e1 = sh.tr[j1], np.take(d1, j1, axis=1)
    n1 = e1.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = skmm * e1 / rs
    _patch(inc, sh.empty, j1, 0.0)
    f1m = _shift(np.cumsum(inc, axis=1), 0.0)
    f = np.cumsum(n1 / tr)
    fm = _shift(f, 0.0)
    a = -t1[:ng1, None, :] * (t1 / tr)  # (ng1, ng, J1)
    a[np.arange(ng1), np.arange(ng1)] += t1[:ng1]
    if rho != 0:
        fb = (1.0 - fm) ** rho
        a *= fb
    c = np.cumsum(a * (n1 / (tr * (1.0 - fm))), axis=2)
    one_f1 = 1.0 - f1m
    tq = (t1 * one_f1).sum(axis=0)
    part = e1[:ng1] - (n1 / tq) * t1[:ng1] * one_f1[:ng1]
    score = (part * fb if rho != 0 else part).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t4 = 1.0 - (1.0 - f) / np.take(sh.skm, j1, axis=1)
        w1 = _tie_factor(n1, tr * skmm - 1.0) * skmm * (n1 / tr) / rs
    _patch(t4, sh.dead, j1, 1.0)
    _patch(w1, sh.empty, j1, 0.0)
    b1 = a - t4 * c
    tw = t4 * w1
    v3 = (tw * t4).sum(axis=1)
    v2 = (b1 * tw).sum(axis=2)
    return score, _pair_sums(b1, w1), v2, v3, c, f


def stratum_scores(
    sh: Shared, d1: FloatArray, d2: FloatArray, rho: float
) -> tuple[FloatArray, FloatArray]:
    """Scores (ng-1,) and covariance (ng-1, ng-1) for one stratum (cmprsk ``crst``).

    Inputs have shape (groups, event times). Terms of the cause of interest are non-zero only
    at its event times (J1) and those of the competing causes only at theirs (J2), so the
    per-time work runs on those subsets; running quantities between them are carried.
    """
    ng1 = d1.shape[0] - 1
    j1 = np.flatnonzero(d1.sum(axis=0) > 0)
    if j1.size == 0:
        return np.zeros(ng1), np.zeros((ng1, ng1))
    score, cov, v2, v3, c, f = _j1_part(sh, d1, j1, rho)
    j2 = np.flatnonzero((d2 > 0).any(axis=0))
    if j2.size:
        last = np.searchsorted(j1, j2, side="right")  # c and f carried from J1 (0 before)
        f2 = np.take(np.concatenate(([0.0], f)), last)
        c2 = np.take(np.concatenate((np.zeros((*c.shape[:2], 1)), c), axis=2), last, axis=2)
        e2, rs2, skmm2 = (np.take(x, j2, axis=1) for x in (d2, sh.rs, sh.skmm))
        with np.errstate(divide="ignore", invalid="ignore"):
            u4 = (1.0 - f2) / np.take(sh.skm, j2, axis=1)
            w2 = skmm2 / rs2
            w2 *= w2
            w2 *= e2 * _tie_factor(e2, np.maximum(rs2 - 1.0, 1.0))
        _patch(u4, sh.dead, j2, 0.0)
        _patch(w2, np.minimum(sh.dead, sh.empty), j2, 0.0)
        b2 = u4 * c2
        uw = u4 * w2
        v3 += (uw * u4).sum(axis=1)
        v2 -= (b2 * uw).sum(axis=2)
        cov += _pair_sums(b2, w2)
    cf = c[:, :, -1]
    cov += (cf * v3) @ cf.T + cf @ v2.T + v2 @ cf.T
    return score, cov


def gray_statistic(
    parts: list[tuple[FloatArray, FloatArray, FloatArray]], rho: float
) -> TestResult:
    """Sum scores and covariances over strata and form ``s' V^{-1} s`` on k - 1 df.

    ``parts`` holds, per stratum, the at-risk counts and the events of the cause of interest
    and of the competing causes, each of shape (groups, event times). A singular covariance
    (R's ``-1``) gives NaN statistic and p-value.
    """
    ng = parts[0][0].shape[0]
    score = np.zeros(ng - 1)
    cov = np.zeros((ng - 1, ng - 1))
    for rs, d1, d2 in parts:
        if rs.shape[1] == 0:
            continue
        s_k, v_k = stratum_scores(shared(rs, d1 + d2), d1, d2, rho)
        score += s_k
        cov += v_k
    return finish(score, cov)


def finish(score: FloatArray, cov: FloatArray) -> TestResult:
    """``s' V^{-1} s`` on k - 1 df; NaN for a singular covariance (R's ``-1``)."""
    df = score.size
    if not np.all(np.isfinite(cov)) or np.linalg.matrix_rank(cov) < df:
        nan = float("nan")
        return TestResult(statistic=nan, df=df, p_value=nan)
    stat = float(score @ np.linalg.solve(cov, score))
    return TestResult(statistic=stat, df=df, p_value=chi2_sf(float(stat), df))


def all_causes(rs: FloatArray, events: FloatArray, rho: float) -> tuple[TestResult, ...]:
    """Gray's test of every cause (events shape (groups, causes, times)), one stratum."""
    if events.shape[2] == 0:
        return ()
    nd = events.sum(axis=1)
    sh = shared(rs, nd)
    out = []
    for k in range(events.shape[1]):
        d1 = events[:, k]
        out.append(finish(*stratum_scores(sh, d1, nd - d1, rho)))
    return tuple(out)
