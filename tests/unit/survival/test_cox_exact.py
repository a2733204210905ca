"""Unit tests for ties="exact": a subset-enumeration oracle and reductions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mrdguide.survival import cox_ph
from mrdguide.survival._cox_core import CoxData, build_index, prepare
from mrdguide.survival._cox_exact import evaluate_exact, exact_groups


def _data(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = np.ceil(rng.exponential(4 / np.exp(x @ [0.5, -0.4]), n))
    e = (rng.random(n) < 0.8).astype(int)
    return x, t, e


def _oracle_loglik(x: np.ndarray, t: np.ndarray, e: np.ndarray, beta: np.ndarray) -> float:
    """Exact partial likelihood by enumerating every subset of each risk set."""
    eta = x @ beta
    ll = 0.0
    for u in np.unique(t[e == 1]):
        dead = np.flatnonzero((t == u) & (e == 1))
        risk = np.flatnonzero(t >= u)
        denom = sum(np.exp(eta[list(s)].sum()) for s in itertools.combinations(risk, dead.size))
        ll += eta[dead].sum() - np.log(denom)
    return float(ll)


@pytest.mark.parametrize("seed", [1, 2])
def test_loglik_equals_subset_enumeration(seed: int) -> None:
    """The recursion's log-likelihood, score and information equal the enumeration."""
    x, t, e = _data(seed, n=18)
    order = np.argsort(t, kind="stable")
    xc = x[order] - x.mean(axis=0)
    data = CoxData(x=xc, stop=t[order], start=None, event=e[order], weights=np.ones(t.size),
                   strata=np.zeros(t.size, dtype=np.int64), efron=False)  # fmt: skip
    prep = prepare(data, build_index(data))
    groups = exact_groups(prep)
    beta = np.array([0.3, -0.2])
    ev = evaluate_exact(prep, groups, beta)
    assert ev.loglik == pytest.approx(_oracle_loglik(xc, t[order], e[order], beta), rel=1e-12)
    h = 1e-6
    num_score = [
        (_oracle_loglik(xc, t[order], e[order], beta + h * d)
         - _oracle_loglik(xc, t[order], e[order], beta - h * d)) / (2 * h)
        for d in np.eye(2)
    ]  # fmt: skip
    np.testing.assert_allclose(ev.score, num_score, rtol=1e-6)


def test_exact_equals_breslow_without_ties() -> None:
    """Distinct event times: exact, Breslow and Efron are the same likelihood."""
    x, t, e = _data(3, n=60)
    t = t + np.arange(t.size) * 1e-3
    a, b = cox_ph(x, t, e, ties="exact"), cox_ph(x, t, e, ties="breslow")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    np.testing.assert_allclose(a.covariance, b.covariance, rtol=1e-8)


def test_exact_counting_process_split_is_invariant() -> None:
    """Splitting every row at a common time leaves the exact fit unchanged."""
    x, t, e = _data(4, n=50)
    whole = cox_ph(x, t, e, ties="exact")
    cut = 2.0
    long = t > cut
    xs = np.vstack([x, x[long]])
    stop = np.r_[np.where(long, cut, t), t[long]]
    start = np.r_[np.zeros(t.size), np.full(long.sum(), cut)]
    ev = np.r_[np.where(long, 0, e), e[long]]
    split = cox_ph(xs, stop, ev, entry=start, ties="exact")
    np.testing.assert_allclose(split.coef, whole.coef, rtol=1e-9)
    np.testing.assert_allclose(split.loglik, whole.loglik, rtol=1e-12)
