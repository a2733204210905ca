"""cox_ph against a direct O(n^2) evaluation of the Efron/Breslow partial likelihood."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrdguide.survival import cox_ph


def direct_loglik(x, start, stop, event, w, strata, beta, efron):  # type: ignore[no-untyped-def]
    """Log partial likelihood from its definition, looping over (stratum, event time)."""
    eta = x @ beta
    r = np.exp(eta)
    ll = 0.0
    for s in np.unique(strata):
        for t in np.unique(stop[(event == 1) & (strata == s)]):
            dead = (stop == t) & (event == 1) & (strata == s)
            risk = (start < t) & (stop >= t) & (strata == s)
            d = int(dead.sum())
            meanwt = w[dead].sum() / d
            s0 = np.sum((w * r)[risk])
            s0d = np.sum((w * r)[dead])
            ll += np.sum((w * eta)[dead])
            for k in range(d):
                frac = k / d if efron else 0.0
                ll -= meanwt * np.log(s0 - frac * s0d)
    return ll


def numeric_score(x, start, stop, event, w, strata, beta, efron):  # type: ignore[no-untyped-def]
    """Central-difference gradient of the direct log-likelihood."""
    h = 1e-6
    out = np.zeros(beta.size)
    for j in range(beta.size):
        e = np.zeros(beta.size)
        e[j] = h
        up = direct_loglik(x, start, stop, event, w, strata, beta + e, efron)
        down = direct_loglik(x, start, stop, event, w, strata, beta - e, efron)
        out[j] = (up - down) / (2 * h)
    return out


@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    efron=st.booleans(),
    use_entry=st.booleans(),
    use_strata=st.booleans(),
    use_weights=st.booleans(),
)
def test_loglik_and_score_match_definition(
    seed: int, efron: bool, use_entry: bool, use_strata: bool, use_weights: bool
) -> None:
    """loglik at 0 and at beta-hat equal the definition; the score vanishes at beta-hat."""
    rng = np.random.default_rng(seed)
    n = 40
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    stop = rng.integers(2, 9, n).astype(float)
    event = rng.integers(0, 2, n)
    event[:3] = 1  # at least some events
    start = stop - rng.integers(1, 3, n) if use_entry else np.full(n, -np.inf)
    w = rng.integers(1, 4, n).astype(float) if use_weights else np.ones(n)
    strata = rng.integers(0, 2, n) if use_strata else np.zeros(n, dtype=int)
    res = cox_ph(
        x,
        stop,
        event,
        ties="efron" if efron else "breslow",
        entry=start if use_entry else None,
        weights=w if use_weights else None,
        strata=strata if use_strata else None,
    )
    args = (x, start, stop, event, w, strata)
    assert res.loglik_null == pytest.approx(direct_loglik(*args, np.zeros(2), efron), rel=1e-12)
    assert res.loglik == pytest.approx(direct_loglik(*args, res.coef, efron), rel=1e-12)
    np.testing.assert_allclose(numeric_score(*args, res.coef, efron), 0.0, atol=1e-5)
