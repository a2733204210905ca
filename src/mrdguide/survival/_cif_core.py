"""The Aalen–Johansen CIF of one group and cmprsk's variance, on the group's own event times.

Used by :func:`mrdguide.survival.cumulative_incidence`; see :mod:`mrdguide.survival._cif` for
the R-compatibility notes.

cmprsk's Fortran ``cinc`` updates three running sums at every event time of the group (any
cause) and reads them at the event times of each cause. With S the all-cause Kaplan–Meier
estimate, n the number at risk, d the events of all causes and d_k those of cause k, the
increments at an event time are (with ``w = S(t-) / n``, ``P = w^2 d / S(t)^2``)::

    v1 += F_k^2 P + (2 F_k / S + 1) w^2 d_k        v2 += F_k P + w^2 d_k / S        v3 += P

and the variance at a cause-k time is ``v1 + F_k (F_k v3 - 2 v2)``. Here ``v3`` is one
cumulative sum shared by all causes, and since F_k only changes at the cause's own times, the
sums of ``F_k P`` and ``F_k^2 P`` are sums over those times of F_k (or F_k^2) times the sum of P
up to the next one (``np.add.reduceat``). Each cause therefore costs passes over its own event
times only. cmprsk's tie correction (factors ``1 - (d - 1) / (n - 1)`` on the own and the
competing terms) changes P only at times with several events; it is applied there as a
sparse correction.
"""

from __future__ import annotations

import numpy as np

from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["group_curves"]


def _shift_right(x: FloatArray, first: float) -> FloatArray:
    out = np.empty_like(x)
    out[0] = first
    out[1:] = x[:-1]
    return out


class _Group:
    """One group's all-cause quantities at its own event times (cinc's shared terms)."""

    def __init__(self, rs: FloatArray, nd: FloatArray) -> None:
        surv = rs - nd
        surv /= rs
        np.cumprod(surv, out=surv)
        dead = int(np.searchsorted(-surv, 0.0))  # S is 0 from here on (a suffix)
        self.w = _shift_right(surv, 1.0)
        self.w /= rs  # S(t-) / n
        with np.errstate(divide="ignore"):
            inv = np.divide(1.0, surv, out=surv)
        inv[dead:] = 0.0  # cmprsk: terms divided by S vanish once S = 0
        self.inv = inv
        self.base = self.w * self.w
        self.p = self.base * inv
        self.p *= inv
        self.p *= nd  # P without tie corrections
        self.v3 = np.cumsum(self.p)
        self.rs, self.nd = rs, nd
        self.tied = np.flatnonzero(nd > 1)


def _tie_shift(gr: _Group, dk_all: FloatArray, jk: IntArray) -> FloatArray:
    """Tie correction of the running sum of P strictly before each of the cause's times.

    At a time with several events cmprsk uses ``d_k (1 - (d_k - 1) / (n - 1))`` and the same
    for the competing events, so that time's P is smaller by ``w^2 [d_k (d_k - 1) + d_o
    (d_o - 1)] / ((n - 1) S^2)`` (zero when no cause has two events there).
    """
    tau = gr.tied
    dk = dk_all[tau]
    do = gr.nd[tau] - dk
    corr = gr.base[tau] * gr.inv[tau] ** 2 * (dk * (dk - 1.0) + do * (do - 1.0))
    corr /= gr.rs[tau] - 1.0
    first = np.searchsorted(jk, tau, side="right")  # first cause time after each tied time
    before = np.cumsum(np.bincount(first, minlength=jk.size + 1)[: jk.size])  # tied before each
    return np.concatenate(([0.0], np.cumsum(corr)))[before]


def _cause(gr: _Group, dk_all: FloatArray) -> tuple[IntArray, FloatArray, FloatArray] | None:
    """Positions of the cause's own times, its CIF and cmprsk variance there.

    With ``A = sum of dF Q-`` and ``B = sum of d(F^2) Q-`` over the cause's times (Q- the
    running sum of P before each), summation by parts gives ``sum F P = F v3 - A`` and
    ``sum F^2 P = F^2 v3 - B``; cinc's ``v1 + F (F v3 - 2 v2)`` then reduces to
    ``2 F X2 - X1`` with X2 = A - sum w^2 d_k / S and X1 = B - sum (2 F / S + 1) w^2 d_k:
    three cumulative sums, and the large ``F^2 v3`` terms cancel exactly instead of in
    floating point.
    """
    jk = np.flatnonzero(dk_all != 0)
    if jk.size == 0:
        return None
    dk = dk_all[jk]
    inc = dk * gr.w[jk]  # dF
    est = np.cumsum(inc)
    qm = gr.v3[jk] - gr.p[jk]  # sum of P before each cause time
    if gr.tied.size:
        qm -= _tie_shift(gr, dk_all, jk)
    t6 = dk * gr.base[jk]
    multi = np.flatnonzero(dk > 1)
    if multi.size:
        t6[multi] *= 1.0 - (dk[multi] - 1.0) / (gr.rs[jk[multi]] - 1.0)
    t6_inv = t6 * gr.inv[jk]
    x2 = inc * qm
    x2 -= t6_inv
    np.cumsum(x2, out=x2)
    x1 = 2.0 * est - inc  # d(F^2) = dF (F + F-)
    x1 *= inc
    x1 *= qm
    t6_inv *= 2.0 * est
    x1 -= t6_inv
    x1 -= t6
    np.cumsum(x1, out=x1)
    var = 2.0 * est * x2
    var -= x1
    return jk, est, var


def group_curves(
    rs: FloatArray, own: IntArray, counts: FloatArray, est: FloatArray, var: FloatArray
) -> None:
    """Fill one group's CIF and variance, shape (K, grid), from its counts.

    ``rs`` (grid,) is the group's number at risk at the common event times, ``own`` the grid
    indices of the group's own event times and ``counts`` (K, own) its events per cause
    there. Before a cause's first event the values stay 0; between its events they are
    carried (cmprsk updates the variance only at the cause's own times).
    """
    if own.size == 0:
        return
    dense = own.size == rs.size  # one group: every grid time is its own
    nd = counts.sum(axis=0) if counts.shape[0] > 1 else counts[0]
    gr = _Group(rs if dense else np.take(rs, own), nd)
    for k in range(counts.shape[0]):
        res = _cause(gr, counts[k])
        if res is None:
            continue
        jk, e, v = res
        idx = _step_index(jk if dense else np.take(own, jk), rs.size)
        np.take(np.concatenate(([0.0], e)), idx, out=est[k], mode="clip")
        np.take(np.concatenate(([0.0], v)), idx, out=var[k], mode="clip")


def _step_index(pos: IntArray, size: int) -> IntArray:
    """Per grid index, how many of the sorted ``pos`` are at or before it (a step index)."""
    idx = np.zeros(size, dtype=np.int64)
    idx[pos] = 1
    np.cumsum(idx, out=idx)
    return idx
