"""The fast right-censored Cox path equals the general (sparse) path it replaces."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mrdguide.survival._cox_core import CoxData, build_index, evaluate, prepare
from mrdguide.survival._cox_fast import build_index_sorted, evaluate_fast, prepare_fast


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(3, 40),
    seed=st.integers(0, 2**32 - 1),
    efron=st.booleans(),
    n_strata=st.integers(1, 3),
    weighted=st.booleans(),
    offset=st.booleans(),
)
def test_fast_path_equals_general_path(
    n: int, seed: int, efron: bool, n_strata: int, weighted: bool, offset: bool
) -> None:
    """Log-likelihood, score, information and the per-group sums agree to rounding."""
    rng = np.random.default_rng(seed)
    strata = np.sort(rng.integers(0, n_strata, n))
    strata = np.searchsorted(np.unique(strata), strata).astype(np.int64)
    stop = rng.integers(1, 6, n).astype(float)
    order = np.lexsort((stop, strata))
    x = rng.normal(size=(n, 2))[order]
    data = CoxData(
        x=x - x.mean(axis=0),
        stop=stop[order],
        start=None,
        event=rng.integers(0, 2, n)[order].astype(np.int64),
        weights=rng.choice([0.5, 1.0, 2.0], n) if weighted else np.ones(n),
        strata=strata[order],
        efron=efron,
        offset=rng.normal(size=n) * 0.3 if offset else None,
    )
    if not np.any(data.event == 1):
        return
    beta = rng.normal(size=2) * 0.5
    general = evaluate(prepare(data, build_index(data)), beta)
    fast = evaluate_fast(prepare_fast(data, build_index_sorted(data)), beta)
    np.testing.assert_allclose(fast.loglik, general.loglik, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.score, general.score, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.info, general.info, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fast.s, general.s[:, :3], rtol=1e-12)
    np.testing.assert_allclose(fast.sd, general.sd[:, :3], rtol=1e-12, atol=1e-300)
