"""The vectorised CIF variance and Gray's test equal plain per-time loops of cmprsk's recursions.

The loops below walk the distinct times one by one, updating the running sums the way cmprsk's
``cinc`` (CIF variance) and ``crstm`` (Gray's score and covariance) describe them, with no
vectorisation, summation by parts, blocking or sparse bookkeeping. The production code must
agree with them on small tied data with several groups, causes, strata and weight powers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mrdguide.errors import EstimationError
from mrdguide.survival import _gray_core as gray_core
from mrdguide.survival import cumulative_incidence, gray_test

from ..strategies import cohorts


def _tie(d: float, m: float) -> float:
    return 1.0 - (d - 1.0) / m if d > 1 else 1.0


def cinc_loop(time: np.ndarray, cause: np.ndarray, k: int) -> tuple[list[float], list[float]]:
    """CIF of cause k and cmprsk's variance at the cause's event times (one group)."""
    surv, cif, v1, v2, v3 = 1.0, 0.0, 0.0, 0.0, 0.0
    est, var = [], []
    for t in np.unique(time):
        n = float(np.sum(time >= t))
        d = float(np.sum((time == t) & (cause > 0)))
        dk = float(np.sum((time == t) & (cause == k)))
        if d == 0:
            continue
        w = surv / n
        surv *= (n - d) / n
        cif += w * dk
        t6b = w * w * dk * _tie(dk, n - 1.0)
        total = w * w * (d - dk) * _tie(d - dk, n - 1.0) + t6b
        inv = 1.0 / surv if surv > 0 else 0.0
        t4a = cif * inv
        v1 += t4a * t4a * total + 2.0 * t4a * t6b + t6b
        v2 += inv * (t4a * total + t6b)
        v3 += inv * inv * total
        if dk > 0:
            est.append(cif)
            var.append(v1 + cif * (cif * v3 - 2.0 * v2))
    return est, var


class _Gray:
    """Running sums of Gray's test for one stratum (cmprsk ``crstm``), one time at a time."""

    def __init__(self, ng: int) -> None:
        self.skm, self.f1 = np.ones(ng), np.zeros(ng)
        self.f = 0.0
        self.c = np.zeros((ng - 1, ng))
        self.score, self.v2 = np.zeros(ng - 1), np.zeros((ng - 1, ng))
        self.v3, self.cov = np.zeros(ng), np.zeros((ng - 1, ng - 1))

    def step(self, rs: np.ndarray, d1: np.ndarray, d2: np.ndarray, rho: float) -> None:
        ng = rs.size
        skmm = self.skm.copy()
        live = rs > 0
        self.skm = np.where(live, skmm * (1.0 - (d1 + d2) / np.where(live, rs, 1.0)), skmm)
        t1 = np.where(live, rs / np.where(skmm > 0, skmm, 1.0), 0.0)
        tr, n1 = t1.sum(), d1.sum()
        if n1 > 0:
            fm = self.f
            self.f += n1 / tr
            fb = (1.0 - fm) ** rho
            tq = float(np.sum(t1 * (1.0 - self.f1)))
            for i in range(ng - 1):
                self.score[i] += (d1[i] - n1 * t1[i] * (1.0 - self.f1[i]) / tq) * fb
            a = np.array([[((i == g) * t1[i] - t1[i] * t1[g] / tr) * fb for g in range(ng)]
                          for i in range(ng - 1)])  # fmt: skip
            self.c += a * n1 / (tr * (1.0 - fm))
            for g in range(ng):
                t4 = 1.0 - (1.0 - self.f) / self.skm[g] if self.skm[g] > 0 else 1.0
                w1 = 0.0
                if live[g]:
                    w1 = _tie(n1, tr * skmm[g] - 1.0) * skmm[g] * (n1 / tr) / rs[g]
                b1 = a[:, g] - t4 * self.c[:, g]
                self.v3[g] += t4 * t4 * w1
                self.v2[:, g] += b1 * t4 * w1
                self.cov += np.outer(b1, b1) * w1
            self.f1 += np.where(live, skmm * d1 / np.where(live, rs, 1.0), 0.0)
        for g in np.flatnonzero((d2 > 0) & (self.skm > 0)):
            h = ((1.0 - self.f) / self.skm[g]) ** 2
            h *= (skmm[g] / rs[g]) ** 2 * d2[g] * _tie(d2[g], max(rs[g] - 1.0, 1.0))
            self.v3[g] += h
            self.v2[:, g] -= h * self.c[:, g]
            self.cov += np.outer(self.c[:, g], self.c[:, g]) * h

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        cf = self.c
        return self.score, self.cov + (cf * self.v3) @ cf.T + cf @ self.v2.T + self.v2 @ cf.T


def gray_loop(c: dict[str, Any], k: int, rho: float) -> float:
    """Gray's statistic for cause k, groups and strata of ``c``, by plain loops."""
    time, cause, group = c["time"], c["code"], c["group"]
    levels = np.unique(group)
    score, cov = np.zeros(levels.size - 1), np.zeros((levels.size - 1, levels.size - 1))
    for s in np.unique(c["strata"]):
        gr = _Gray(levels.size)
        ins = c["strata"] == s
        for t in np.unique(time[ins & (cause > 0)]):
            at = ins & (time == t)
            rs = np.array([np.sum(ins & (group == g) & (time >= t)) for g in levels], float)
            d1 = np.array([np.sum(at & (group == g) & (cause == k)) for g in levels], float)
            d2 = np.array([np.sum(at & (group == g) & (cause > 0) & (cause != k)) for g in levels])
            gr.step(rs, d1, d2.astype(float), rho)
        s_k, v_k = gr.result()
        score, cov = score + s_k, cov + v_k
    return float(score @ np.linalg.solve(cov, score))


@given(cohorts(max_cause=3, groups=3))
def test_cif_and_variance_equal_the_loop(c: dict[str, np.ndarray]) -> None:
    """Per group and cause, CIF and variance at the cause's times equal cinc's recursion."""
    ci = cumulative_incidence(c["time"], c["code"], group=c["group"])
    for gi, g in enumerate(np.unique(c["group"])):
        mine = c["group"] == g
        for k in ci.causes:
            times = np.unique(c["time"][mine & (c["code"] == k)])
            if times.size == 0:
                continue
            est, var = cinc_loop(c["time"][mine], c["code"][mine], int(k))
            got_e = ci.at(times, cause=int(k), group=g)
            got_v = ci.variance_at(times, cause=int(k), group=g)
            assert gi < ci.estimate.shape[0]
            np.testing.assert_allclose(got_e, est, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(got_v, var, rtol=1e-9, atol=1e-13)


@given(cohorts(max_cause=2, groups=3), st.sampled_from([0.0, 0.5, 1.0]), st.booleans())
def test_gray_statistic_equals_the_loop(c: dict[str, Any], rho: float, strata: bool) -> None:
    """Gray's statistic (with strata and rho) equals the plain loop of cmprsk's recursion."""
    assume(np.unique(c["group"]).size >= 2)
    c = {**c, "strata": np.arange(c["time"].size) % 2 if strata else np.zeros(c["time"].size)}
    for k in (1, 2):
        try:
            got = gray_test(c["time"], c["code"], c["group"], cause_of_interest=k, rho=rho,
                            strata=c["strata"] if strata else None)  # fmt: skip
        except EstimationError:
            continue
        with np.errstate(all="ignore"):
            try:
                ref = gray_loop(c, k, rho)
            except np.linalg.LinAlgError:
                continue
        assume(np.isfinite(ref) and abs(ref) < 1e8)  # a near-singular covariance amplifies rounding
        np.testing.assert_allclose(got.statistic, ref, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("block", [1, 3, 64])
def test_gray_blocks_do_not_change_the_statistic(block: int, monkeypatch: Any) -> None:
    """Evaluating the recursion in blocks of any size gives the statistic of one block."""
    rng = np.random.default_rng(7)
    t = rng.integers(0, 40, 300).astype(float)
    k, g = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    whole = gray_test(t, k, g, rho=0.5).statistic
    monkeypatch.setattr(gray_core, "_BLOCK", block)
    np.testing.assert_allclose(gray_test(t, k, g, rho=0.5).statistic, whole, rtol=1e-12)
