"""Shared test configuration: a global-RNG guard and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _global_rng_guard() -> Iterator[None]:
    """Fail any test that draws from numpy's global RNG: tests must use default_rng(seed)."""
    state = np.random.get_state()  # noqa: NPY002 - inspecting the legacy global RNG on purpose
    yield
    after = np.random.get_state()  # noqa: NPY002
    same = state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    np.random.set_state(state)  # noqa: NPY002
    assert same, "test used numpy's global RNG; use np.random.default_rng(seed) instead"
