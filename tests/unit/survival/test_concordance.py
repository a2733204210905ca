"""Unit tests for concordance_index: brute-force oracle, direction, ties, invariances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.errors import InputError
from mrdguide.survival import concordance_index
from mrdguide.survival._concordance import concordance_counts


def brute(stop, event, score, strata, w, start=None):  # type: ignore[no-untyped-def]
    """O(n^2) weighted (concordant, discordant, tied-in-score) counts, R's pair rules."""
    c = d = tx = 0.0
    for i in np.flatnonzero(event == 1):
        t = stop[i]
        for j in range(stop.size):
            if j == i or strata[j] != strata[i] or (stop[j] == t and event[j] == 1):
                continue
            at_risk = stop[j] >= t if start is None else start[j] < t <= stop[j]
            if not at_risk:
                continue
            ww = w[i] * w[j]
            if score[i] > score[j]:
                c += ww
            elif score[i] < score[j]:
                d += ww
            else:
                tx += ww
    return c, d, tx


@given(
    st.integers(1, 35).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(1, 6), min_size=n, max_size=n),
            st.lists(st.integers(0, 1), min_size=n, max_size=n),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
            st.lists(st.integers(0, 2), min_size=n, max_size=n),
            st.lists(st.integers(1, 3), min_size=n, max_size=n),
            st.lists(st.integers(1, 3), min_size=n, max_size=n),
            st.booleans(),
        )
    )
)
def test_counts_match_brute_force(data: tuple) -> None:
    """Weighted pair counts (with strata and optional entry times) equal the O(n^2) oracle."""
    stop, event, score, strata, w, gap, use_entry = (np.asarray(v) for v in data)
    stop = stop.astype(float)
    start = stop - gap if bool(use_entry) else None
    res = concordance_counts(stop, event, score.astype(float), strata, w.astype(float), start)
    want = brute(stop, event, score, strata, w, start)
    np.testing.assert_allclose([res.concordant, res.discordant, res.tied_risk], want)


def test_direction_higher_score_is_higher_risk() -> None:
    """Scores ordered like the hazard give C = 1; reversed scores give C = 0."""
    t = np.arange(1.0, 21.0)
    e = np.ones(20, dtype=int)
    assert concordance_index(t, e, -t).concordance == 1.0
    assert concordance_index(t, e, t).concordance == 0.0


def test_tied_scores_count_one_half() -> None:
    """A constant score gives C = 1/2 with every comparable pair tied in score."""
    rng = np.random.default_rng(1)
    t = rng.integers(1, 10, 50).astype(float)
    e = rng.integers(0, 2, 50)
    res = concordance_index(t, e, np.zeros(50))
    assert res.concordance == 0.5
    assert res.concordant == res.discordant == 0


def test_monotone_transform_of_score_is_invariant() -> None:
    """C depends on the score only through its order."""
    rng = np.random.default_rng(2)
    t, e, s = rng.exponential(size=200), rng.integers(0, 2, 200), rng.normal(size=200)
    assert (
        concordance_index(t, e, s).concordance == concordance_index(t, e, np.exp(3 * s)).concordance
    )


def test_strata_restrict_pairs() -> None:
    """With a stratum per subject no pair is comparable (C is NaN)."""
    t = np.arange(1.0, 6.0)
    res = concordance_index(t, np.ones(5), -t, strata=np.arange(5))
    assert np.isnan(res.concordance)
    assert res.concordant == 0


def test_invalid_inputs() -> None:
    """NaN scores and mismatched lengths are rejected."""
    with pytest.raises(InputError):
        concordance_index([1.0, 2.0], [1, 1], [np.nan, 1.0])
    with pytest.raises(InputError):
        concordance_index([1.0, 2.0], [1, 1], [1.0])
