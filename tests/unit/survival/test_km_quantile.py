"""SurvivalCurve.quantile and summary(times): rules that need no R (R checks: reference tests)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import kaplan_meier


def test_quantiles_without_censoring_are_empirical() -> None:
    """No censoring, distinct times: the p-quantile is the first time with F >= p."""
    t = np.arange(1.0, 21.0)
    fit = kaplan_meier(t, np.ones(20, dtype=int))
    q = fit.quantile([0.1, 0.33, 0.5])
    np.testing.assert_allclose(q.estimate, [2.5, 7.0, 10.5])  # F hits 0.1 (t=2) and 0.5 exactly
    assert q.ci_lower[1] <= q.estimate[1] <= q.ci_upper[1]


def test_unreached_quantile_is_nan() -> None:
    """A quantile beyond the lowest value of the curve is NaN."""
    fit = kaplan_meier([1.0, 2.0, 3.0, 4.0], [1, 0, 0, 0])
    q = fit.quantile(0.5)
    assert np.isnan(q.estimate[0])
    json.dumps(q.to_dict(), allow_nan=True)


@pytest.mark.parametrize("probs", [[-0.1], [1.2], [], [[0.5]]])
def test_invalid_probs(probs: object) -> None:
    """Probabilities outside [0, 1] or a non-vector are refused."""
    fit = kaplan_meier([1.0, 2.0], [1, 1])
    with pytest.raises(InputError):
        fit.quantile(probs)  # type: ignore[arg-type]


def test_summary_counts_events_between_requested_times() -> None:
    """n_events counts (previous t, t]; n_at_risk is taken at the first time >= t."""
    t = np.array([1.0, 2.0, 2.0, 4.0, 5.0, 7.0])
    e = np.array([1, 1, 0, 1, 0, 1])
    fit = kaplan_meier(t, e)
    s = fit.summary([6.0, 2.0, 0.0])  # sorted, as R
    np.testing.assert_array_equal(s.time, [0.0, 2.0, 6.0])
    np.testing.assert_array_equal(s.n_events, [0, 2, 1])
    np.testing.assert_array_equal(s.n_censored, [0, 1, 1])
    np.testing.assert_array_equal(s.n_at_risk, [6, 5, 1])
    np.testing.assert_array_equal(s.survival, fit.at([0.0, 2.0, 6.0]))
    past = fit.summary([8.0])
    assert np.isnan(past.survival[0]) and past.n_at_risk[0] == 0
    assert fit.summary([8.0], extend=True).survival[0] == fit.survival[-1]
