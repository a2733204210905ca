"""The exact partial likelihood for tied event times (R ``coxph(ties = "exact")``), internal.

For a tie group of ``d`` deaths at time ``t`` with risk set ``R``, the exact (discrete logistic,
conditional) likelihood contribution is ``exp(sum of the deaths' eta) / e_d(r)``, where
``e_d(r) = sum over all subsets S of R of size d of prod_{j in S} r_j`` is the elementary
symmetric polynomial of degree ``d`` of the risk scores ``r_j = exp(eta_j)`` (Kalbfleisch &
Prentice, *The Statistical Analysis of Failure Time Data*, 2002, section 4.2.3; Gail, Lubin &
Rubinstein, *Biometrika* 1981). ``e_d`` and its first two derivatives in ``beta`` follow from
the recursion over the members ``j`` of the risk set

    E_k <- E_k + r_j E_{k-1},
    F_k <- F_k + r_j (F_{k-1} + x_j E_{k-1}),
    H_k <- H_k + r_j (H_{k-1} + x_j F_{k-1}' + F_{k-1} x_j' + x_j x_j' E_{k-1}),

with ``E_0 = 1``. The recursion runs for all tied groups at once (vectorised over groups, a
Python loop over the positions of the largest risk set), so its cost is
O(max risk-set size x tied groups x d x p^2) per evaluation, as in R. Groups with a single
death contribute exactly their Breslow terms, which come from the vectorised risk-set sums.
The risk scores are divided by ``S0 / d`` before the recursion, which keeps ``E_d`` of order
one (it is at most ``d^d / d!``) and cancels in every ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mrdguide.errors import EstimationError
from mrdguide.survival._cox_core import CoxEval, Prepared, evaluate
from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["ExactGroups", "evaluate_exact", "exact_groups"]


@dataclass(frozen=True, slots=True)
class ExactGroups:
    """The tie groups with two or more deaths and their risk-set members (padded)."""

    groups: IntArray  # tie-group numbers (into RiskSetIndex.grp_*)
    size: IntArray  # deaths per group
    members: IntArray  # (G, m_max) sorted-row indices; n = padding (risk 0)


def exact_groups(prep: Prepared) -> ExactGroups:
    """Collect the members of the risk set of every tie group with d >= 2."""
    index, data = prep.index, prep.data
    tied = np.flatnonzero(index.grp_size >= 2)
    n = data.stop.size
    rows: list[IntArray] = []
    for g in tied:
        members = index.ord_stop[index.pos_stop[g] : index.end_stop[g]]
        if data.start is not None:
            members = members[data.start[members] < index.grp_time[g]]
        rows.append(members)
    width = max((r.size for r in rows), default=0)
    mat = np.full((tied.size, width), n, dtype=np.int64)
    for i, r in enumerate(rows):
        mat[i, : r.size] = r
    return ExactGroups(groups=tied, size=index.grp_size[tied].astype(np.int64), members=mat)


def _recursion(
    r: FloatArray, x: FloatArray, members: IntArray, depth: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """E_k, F_k and H_k for k = 0..depth of every group (``r`` already scaled per group)."""
    g = members.shape[0]
    p = x.shape[1]
    e = np.zeros((g, depth + 1))
    e[:, 0] = 1.0
    f = np.zeros((g, depth + 1, p))
    h = np.zeros((g, depth + 1, p, p))
    for j in range(members.shape[1]):
        idx = members[:, j]
        rj = r[:, j][:, None]
        xj = x[idx]  # (g, p)
        e_old = e[:, :-1]
        f_old = f[:, :-1, :]
        xf = xj[:, None, :, None] * f_old[:, :, None, :]
        xx = xj[:, :, None] * xj[:, None, :]
        h[:, 1:] += rj[:, :, None, None] * (
            h[:, :-1] + xf + xf.transpose(0, 1, 3, 2) + xx[:, None] * e_old[:, :, None, None]
        )
        f[:, 1:] += rj[:, :, None] * (f_old + xj[:, None, :] * e_old[:, :, None])
        e[:, 1:] += rj * e_old
    return e, f, h


def evaluate_exact(prep: Prepared, groups: ExactGroups, beta: FloatArray) -> CoxEval:
    """Exact log partial likelihood, score and information (unit weights only).

    The Breslow evaluation supplies every single-death group and the risk-set sums; the tied
    groups' Breslow terms are replaced by their exact ones. The returned ``s``, ``sd`` and
    ``meanwt`` are the Breslow ones (R uses Breslow increments for the baseline hazard and the
    martingale residuals of an exact fit).
    """
    ev = evaluate(prep, beta)
    if groups.groups.size == 0:
        return ev
    p = prep.data.x.shape[1]
    s = ev.s[groups.groups]
    s0, s1 = s[:, 0], s[:, 1 : 1 + p]
    s2 = np.zeros((s.shape[0], p, p))
    s2[:, prep.tri[0], prep.tri[1]] = s[:, 1 + p :]
    s2[:, prep.tri[1], prep.tri[0]] = s[:, 1 + p :]
    d = groups.size.astype(np.float64)
    scale = s0 / d
    risk = np.r_[ev.risk, 0.0]
    x = np.vstack([prep.data.x, np.zeros((1, p))])
    r = risk[groups.members] / scale[:, None]
    e, f, h = _recursion(r, x, groups.members, int(groups.size.max()))
    rows = np.arange(d.size)
    ed, fd, hd = e[rows, groups.size], f[rows, groups.size], h[rows, groups.size]
    if not np.all(np.isfinite(ed)) or np.any(ed <= 0):
        raise EstimationError("the exact partial likelihood under- or overflowed (tie too large)")
    a = s1 / s0[:, None]
    fm = fd / ed[:, None]
    loglik = ev.loglik + float(np.sum(d * np.log(s0) - np.log(ed) - d * np.log(scale)))
    score = ev.score + (d[:, None] * a - fm).sum(axis=0)
    exact_info = hd / ed[:, None, None] - fm[:, :, None] * fm[:, None, :]
    breslow_info = d[:, None, None] * (s2 / s0[:, None, None] - a[:, :, None] * a[:, None, :])
    info = ev.info + (exact_info - breslow_info).sum(axis=0)
    return CoxEval(loglik, score, info, ev.s, ev.sd, ev.meanwt, ev.risk)
