"""The batched trial kernels: batch-independent numbers, the same answers as the public
estimators, and the random streams of one cohort at a time.

The kernels compare times exactly; the public estimators are called with ``timefix=False``
(the synthetic rows below have near-ties from decimal arithmetic that R's rule would merge).
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.simulate import trial_design
from mrdguide.simulate._arrays import seqprod, seqsum
from mrdguide.simulate._batch import cox_batch
from mrdguide.simulate._batch_km import km_at_batch, logrank_batch
from mrdguide.simulate._engine import YEAR, Design, simulate_arrays, simulate_batch
from mrdguide.simulate._rngs import Rngs
from mrdguide.survival import cox_ph, kaplan_meier, logrank_test


def _loop_sum(a: np.ndarray) -> np.ndarray:
    out = a[..., 0, :].copy()
    for i in range(1, a.shape[-2]):
        out = out + a[..., i, :]
    return out


@pytest.mark.parametrize("shape", [(1, 1), (7, 1), (129, 1), (7, 2), (300, 5), (3, 129, 2)])
def test_seqsum_adds_rows_in_order_and_ignores_padding(shape: tuple[int, ...]) -> None:
    """Running-order sums equal a Python loop exactly, with or without appended zero rows."""
    rng = np.random.default_rng(len(shape) * 1000 + shape[-2])
    a = rng.normal(size=shape) * 10.0 ** rng.uniform(-8, 8, size=shape)
    np.testing.assert_array_equal(seqsum(a), _loop_sum(a))
    pad = np.zeros((*shape[:-2], 37, shape[-1]))
    np.testing.assert_array_equal(seqsum(np.concatenate([a, pad], axis=-2)), seqsum(a))
    # one problem alone (R = 1) gives what it gives next to others
    np.testing.assert_array_equal(seqsum(a[..., :1]), seqsum(a)[..., :1])
    f = 1 + a / np.abs(a).max() / 10
    np.testing.assert_array_equal(seqprod(f[..., :1]), seqprod(f)[..., :1])


def test_rngs_choice_is_generator_choice() -> None:
    """The batched categorical draw gives Generator.choice's values and leaves the same state."""
    p = np.array([0.22, 0.27, 0.04, 0.03, 0.03, 0.02, 0.015, 0.24, 0.135])
    p = p / p.sum()
    gens = [np.random.default_rng(s) for s in range(3)]
    got = Rngs(gens, 500).choice(9, (3, 500), p)
    for s in range(3):
        ref = np.random.default_rng(s)
        np.testing.assert_array_equal(got[s], ref.choice(9, size=500, p=p))
        assert gens[s].random() == ref.random()


def test_simulate_batch_rows_are_the_single_cohorts() -> None:
    """Every column of a batch row equals the cohort simulated alone, bit for bit."""
    params = trial_design("asan").sim_params()
    d = Design(n=400, method="flow", accrual_days=5 * YEAR, followup_days=5 * YEAR)

    # fresh SeedSequence objects each time: spawning (for the protocol inputs) counts children
    def seed(i: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(77, spawn_key=(i,))

    batch = simulate_batch(params, d, [np.random.default_rng(seed(i)) for i in range(3)])
    for i in range(3):
        alone = simulate_arrays(params, d, np.random.default_rng(seed(i)))
        assert set(alone) == set(batch)
        for k, v in alone.items():
            np.testing.assert_array_equal(batch[k][i], v, err_msg=k)


def _problem(seed: int, n: int) -> dict[str, np.ndarray]:
    """Counting-process rows of n patients, some with a second (treated) row, with ties."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    start = np.round(rng.uniform(0, 1, n), 1)
    stop = start + np.round(rng.exponential(1 / np.exp(0.4 * z)), 2) + 0.01
    event = rng.random(n) < 0.6
    split = rng.random(n) < 0.4
    mid = np.round(start + (stop - start) / 2, 2)
    rows = {
        "start": np.concatenate([start, mid[split]]),
        "stop": np.concatenate([np.where(split, mid, stop), stop[split]]),
        "event": np.concatenate([event & ~split, event[split]]),
        "treat": np.concatenate([np.zeros(n), np.ones(int(split.sum()))]),
        "z": np.concatenate([z, z[split]]),
        "id": np.concatenate([np.arange(n), np.flatnonzero(split)]),
    }
    rows["const"] = np.full(rows["stop"].size, 2.5)  # dropped: constant within the problem
    return rows


def _stack(problems: list[dict[str, np.ndarray]], width: int) -> dict[str, np.ndarray]:
    """Problem-first arrays padded to ``width`` columns (padding marked invalid)."""
    out = {}
    for k in ("start", "stop", "treat", "z", "const", "id"):
        out[k] = np.zeros((len(problems), width))
        for r, pr in enumerate(problems):
            out[k][r, : pr[k].size] = pr[k]
    out["event"] = np.zeros((len(problems), width), dtype=bool)
    out["valid"] = np.zeros((len(problems), width), dtype=bool)
    for r, pr in enumerate(problems):
        out["event"][r, : pr["event"].size] = pr["event"]
        out["valid"][r, : pr["event"].size] = True
    out["x"] = np.stack([out["treat"], out["z"], out["const"]], axis=-1)
    out["id"] = out["id"].astype(np.intp)
    return out


def _fit(problems: list[dict[str, np.ndarray]], width: int) -> tuple[np.ndarray, ...]:
    s = _stack(problems, width)
    res = cox_batch(s["x"], s["stop"], s["event"], s["valid"], s["start"], s["id"], drop_from=1)
    return res.beta, res.se, res.naive_se, res.converged


def test_a_problem_gets_the_same_numbers_alone_or_in_any_batch() -> None:
    """Fitted alone, in a batch, in another order or with more padding: bit-identical."""
    problems = [_problem(s, n) for s, n in ((1, 40), (2, 150), (3, 90), (4, 25))]
    together = _fit(problems, 260)
    again = _fit(problems[::-1], 300)
    for r, pr in enumerate(problems):
        alone = _fit([pr], pr["stop"].size)
        for a, b, c in zip(alone, together, again, strict=True):
            np.testing.assert_array_equal(a[0], b[r])
            np.testing.assert_array_equal(a[0], c[len(problems) - 1 - r])


def test_batched_cox_equals_cox_ph_with_cluster_and_entry() -> None:
    """Coefficients, clustered and model SEs equal cox_ph(ties="breslow", cluster=patient)."""
    problems = [_problem(s, 120) for s in (5, 6)]
    beta, se, naive, conv = _fit(problems, 200)
    assert conv.all()
    for r, pr in enumerate(problems):
        x = np.column_stack([pr["treat"], pr["z"]])
        ref = cox_ph(
            x, pr["stop"], pr["event"], entry=pr["start"], ties="breslow", cluster=pr["id"],
            timefix=False,
        )  # fmt: skip
        np.testing.assert_allclose(beta[r, :2], ref.coef, rtol=1e-9)
        np.testing.assert_allclose(se[r, :2], ref.std_err, rtol=1e-9)
        np.testing.assert_allclose(naive[r, :2], ref.naive_std_err, rtol=1e-9)
        assert beta[r, 2] == 0.0 and np.isnan(se[r, 2])  # the constant column was dropped


def test_dropping_the_cluster_changes_the_se_on_multirow_data() -> None:
    """Without cluster the SE is the model one; with it the grouped sandwich (they differ)."""
    s = _stack([_problem(9, 200)], 300)
    clustered = cox_batch(s["x"], s["stop"], s["event"], s["valid"], s["start"], s["id"], 1)
    model = cox_batch(s["x"], s["stop"], s["event"], s["valid"], s["start"], None, 1)
    assert (clustered.variance, model.variance) == ("cluster", "model")
    np.testing.assert_array_equal(model.se[0, :2], clustered.naive_se[0, :2])
    assert np.all(np.abs(clustered.se[0, :2] / model.se[0, :2] - 1) > 1e-3)


def test_batched_km_and_logrank_equal_the_public_estimators() -> None:
    """Per problem: KM at t equals kaplan_meier, log-rank equals logrank_test; batch-free."""
    problems = [_problem(s, n) for s, n in ((11, 60), (12, 140), (13, 30))]
    s = _stack(problems, 250)
    km = km_at_batch(s["stop"], s["event"], s["valid"], 0.8)
    chi2, p = logrank_batch(s["stop"], s["event"], s["treat"] > 0, s["valid"])
    for r, pr in enumerate(problems):
        curve = kaplan_meier(pr["stop"], pr["event"], timefix=False)
        assert km[r] == pytest.approx(curve.at(0.8), rel=1e-12)
        ref = logrank_test(pr["stop"], pr["event"], pr["treat"], timefix=False)
        assert chi2[r] == pytest.approx(ref.statistic, rel=1e-10)
        assert p[r] == pytest.approx(ref.p_value, rel=1e-9)
        one = _stack([pr], pr["stop"].size)
        assert km_at_batch(one["stop"], one["event"], one["valid"], 0.8)[0] == km[r]
        c1, _ = logrank_batch(one["stop"], one["event"], one["treat"] > 0, one["valid"])
        assert c1[0] == chi2[r]
