"""Unit tests for proportional_hazards_test: invariances and errors."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import cox_ph, proportional_hazards_test


def cohort(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded cohort with tied integer times and two covariates."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = np.ceil(rng.exponential(20 / np.exp(x @ [0.5, -0.4])))
    c = rng.uniform(5, 50, n)
    return x, np.minimum(t, np.ceil(c)), (t <= c).astype(int)


@pytest.mark.parametrize("transform", ["km", "rank"])
def test_rank_based_transforms_ignore_monotone_time_change(transform: str) -> None:
    """km and rank tests are unchanged when time is replaced by exp(time / 10)."""
    x, t, e = cohort(1)
    a = proportional_hazards_test(cox_ph(x, t, e), transform)
    b = proportional_hazards_test(cox_ph(x, np.exp(t / 10), e), transform)
    np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-9)
    assert a.global_statistic == pytest.approx(b.global_statistic, rel=1e-9)


def test_identity_transform_changes_with_time_scale() -> None:
    """The identity transform does depend on the time scale (so the test above can fail)."""
    x, t, e = cohort(1)
    a = proportional_hazards_test(cox_ph(x, t, e), "identity")
    b = proportional_hazards_test(cox_ph(x, np.exp(t / 10), e), "identity")
    assert not np.allclose(a.statistic, b.statistic, rtol=1e-3)


def test_single_covariate_global_equals_term() -> None:
    """With one covariate the global test is the per-term test."""
    x, t, e = cohort(2)
    res = proportional_hazards_test(cox_ph(x[:, 0], t, e))
    assert res.global_statistic == pytest.approx(res.statistic[0], rel=1e-12)
    assert res.global_df == 1
    assert res.terms == ("x0",)


def test_covariate_scaling_is_invariant() -> None:
    """Score tests do not change when a covariate is rescaled."""
    x, t, e = cohort(3)
    a = proportional_hazards_test(cox_ph(x, t, e))
    b = proportional_hazards_test(cox_ph(x * [10.0, 1.0], t, e))
    np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-8)


def test_detects_a_time_varying_effect() -> None:
    """A covariate whose effect reverses over time is flagged (p < 0.001)."""
    rng = np.random.default_rng(4)
    n = 2000
    x = rng.integers(0, 2, n)
    early = rng.exponential(np.where(x == 1, 2.0, 20.0))
    late = 10 + rng.exponential(np.where(x == 1, 40.0, 4.0))
    t = np.where(early < 10, early, late)
    res = proportional_hazards_test(cox_ph(x, t, np.ones(n)))
    assert res.p_value[0] < 1e-3


def test_invalid_transform() -> None:
    """An unknown transform is rejected."""
    x, t, e = cohort(5)
    with pytest.raises(InputError):
        proportional_hazards_test(cox_ph(x, t, e), transform="log")
