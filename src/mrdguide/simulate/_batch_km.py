"""Batched Kaplan-Meier point estimates and two-group log-rank tests (one problem per row).

Inputs are problem-first ``(R, M)`` arrays with ``valid`` marking each problem's rows; the
work is done positions first on rows sorted by time (ascending, stable; padding last), with
the rules of :mod:`mrdguide.simulate._arrays`, so a problem's result does not depend on the
other problems in the batch.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from mrdguide.simulate._arrays import gather, running, seqprod, seqsum, sort_rows, take_rows, ties

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.intp]  # noqa: E741


class _Sorted:
    """Rows of every problem sorted by time (``(N, R)``); per row its tie group's counts."""

    def __init__(self, time: F, event: B, valid: B) -> None:
        self.order = order = sort_rows(time, valid)
        self.valid = vs = take_rows(valid, order).T
        self.n = vs.sum(axis=0)
        self.time = np.where(vs, take_rows(time, order).T, np.inf)
        self.event = vs & take_rows(event, order).T
        self.first, self.last = ties(self.time)
        self.is_first = vs & (self.first == np.arange(vs.shape[0])[:, None])
        self.d = self.group_count(self.event)
        self.n_risk = np.maximum(self.n - self.first, 1)

    def group_count(self, flag: B) -> I:
        """Rows of each row's tie group with ``flag`` set."""
        c = running(flag)
        out: I = gather(c, self.last + 1) - gather(c, self.first)
        return out

    def count_before(self, flag: B) -> I:
        """Rows before each row's tie group with ``flag`` set."""
        out: I = gather(running(flag), self.first)
        return out


def km_at_batch(time: F, event: B, valid: B, t: float) -> F:
    """Kaplan-Meier survival at ``t`` per problem (NaN for an empty problem)."""
    s = _Sorted(time, event, valid)
    use = s.is_first & (s.time <= t) & (s.d > 0)
    factor = np.where(use, 1.0 - s.d / s.n_risk, 1.0)
    out: F = np.where(s.n > 0, seqprod(factor), np.nan)
    return out


def logrank_batch(time: F, event: B, group: B, valid: B) -> tuple[F, F]:
    """Two-group log-rank test per problem: (chi-square statistic, p-value); NaN if undefined."""
    s = _Sorted(time, event, valid)
    g = s.valid & take_rows(group, s.order).T
    d = s.d.astype(np.float64)
    d1 = s.group_count(s.event & g).astype(np.float64)
    n1 = (g.sum(axis=0) - s.count_before(g)).astype(np.float64)
    n_risk = s.n_risk.astype(np.float64)
    keep = s.is_first & (s.d > 0)
    frac = n1 / n_risk
    with np.errstate(divide="ignore", invalid="ignore"):
        v = d * frac * (1 - frac) * (n_risk - d) / (n_risk - 1)
    terms = np.stack(
        [
            np.where(keep, d * frac, 0.0),
            np.where(keep & (n_risk > 1), v, 0.0),
            np.where(keep, d1, 0.0),
        ]
    )
    expected, var, observed = seqsum(terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(var > 0, (observed - expected) ** 2 / var, np.nan)
    p = np.array([math.erfc(math.sqrt(c / 2.0)) for c in chi2.tolist()])
    return chi2, p
