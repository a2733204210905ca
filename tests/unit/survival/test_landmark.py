"""Unit tests for landmark: selection convention, re-zeroing, entry and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import kaplan_meier, landmark


def test_keeps_subjects_beyond_landmark_and_rezeroes() -> None:
    """Rows with time > at are kept, time becomes time - at, codes pass through."""
    rng = np.random.default_rng(1)
    t = rng.integers(0, 100, 50).astype(float)
    s = rng.integers(0, 3, 50)
    lm = landmark(t, s, 30.0)
    np.testing.assert_array_equal(lm.mask, t > 30)
    np.testing.assert_array_equal(lm.index, np.flatnonzero(t > 30))
    np.testing.assert_array_equal(lm.time, t[t > 30] - 30)
    np.testing.assert_array_equal(lm.status, s[t > 30])
    assert lm.n_ended_before == int(np.sum(t <= 30))


def test_exactly_at_landmark_is_excluded() -> None:
    """An event or censoring exactly at the landmark removes the subject."""
    lm = landmark([10.0, 10.0, 10.5], [1, 0, 1], 10.0)
    np.testing.assert_array_equal(lm.index, [2])
    assert lm.time[0] == pytest.approx(0.5)


def test_late_entrants_excluded() -> None:
    """Subjects entering after the landmark are dropped and counted."""
    lm = landmark([20.0, 20.0, 20.0], [1, 1, 0], 10.0, entry=[0.0, 10.0, 12.0])
    np.testing.assert_array_equal(lm.index, [0, 1])
    assert lm.n_late_entry == 1


def test_conditional_survival() -> None:
    """KM after landmarking equals the conditional KM S(at + u) / S(at)."""
    rng = np.random.default_rng(2)
    t = rng.integers(1, 60, 200).astype(float)
    e = rng.integers(0, 2, 200)
    lm = landmark(t, e, 20.0)
    cond = kaplan_meier(lm.time, lm.status)
    full = kaplan_meier(t, e)
    u = np.array([1.0, 5.0, 17.0, 30.0])
    np.testing.assert_allclose(cond.at(u), full.at(20.0 + u) / full.at(20.0), rtol=1e-12)


def test_to_dict() -> None:
    """to_dict is JSON-serialisable."""
    json.dumps(landmark([1.0, 5.0], [1, 0], 2.0).to_dict())


@pytest.mark.parametrize("at", [-1.0, np.nan, np.inf])
def test_invalid_landmark(at: float) -> None:
    """A negative or non-finite landmark is rejected."""
    with pytest.raises(InputError):
        landmark([1.0, 2.0], [1, 0], at)


def test_invalid_status() -> None:
    """Negative status codes are rejected."""
    with pytest.raises(InputError):
        landmark([1.0, 2.0], [1, -1], 0.5)
