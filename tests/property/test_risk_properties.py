"""Property tests for covariate coding and the accuracy metrics."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.risk import coded_log10_mrd
from mrdguide.risk.metrics import brier_score, time_dependent_auc

from ..strategies import mrd_fractions, scored_survival_rows, sensitivities


@given(
    st.lists(
        st.tuples(st.one_of(st.just(0.0), mrd_fractions), sensitivities), min_size=1, max_size=30
    )
)
def test_negatives_lie_below_sensitivity_and_positives_keep_their_level(
    rows: list[tuple[float, float]],
) -> None:
    """Negatives are coded strictly below log10(sensitivity); positives at log10(level)."""
    mrd = np.array([r[0] for r in rows])
    s = np.array([r[1] for r in rows])
    value, neg = coded_log10_mrd(mrd, s, offset_log10=np.log10(2))
    assert np.all(np.isfinite(value))
    assert np.all(value[mrd == 0] < np.log10(s[mrd == 0]))
    assert np.allclose(value[mrd > 0], np.log10(mrd[mrd > 0]))
    assert np.array_equal(neg == 1, mrd == 0)


@given(scored_survival_rows)
def test_auc_in_unit_interval_and_rank_invariant(rows: list[tuple[int, int, float]]) -> None:
    """The AUC lies in [0, 1] (or is NaN) and is unchanged by a monotone transform of scores."""
    t = np.array([r[0] for r in rows], dtype=float)
    c = np.array([r[1] for r in rows])
    r = np.array([r[2] for r in rows])
    a = time_dependent_auc(t, c, r, 30.0)
    b = time_dependent_auc(t, c, np.exp(3 * r) - 5, 30.0)
    assert (np.isnan(a) and np.isnan(b)) or (0 <= a <= 1 and np.isclose(a, b))


@given(scored_survival_rows)
def test_brier_in_unit_interval(rows: list[tuple[int, int, float]]) -> None:
    """The IPCW Brier score of predictions in [0, 1] is non-negative and finite."""
    t = np.array([r[0] for r in rows], dtype=float)
    c = np.array([r[1] for r in rows])
    p = np.array([r[2] for r in rows])
    b = brier_score(t, c, p, 30.0)
    assert np.isfinite(b)
    assert b >= 0
