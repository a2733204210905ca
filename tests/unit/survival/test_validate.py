"""Unit tests for the shared input validators."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival._validate import as_causes, as_events, as_labels, as_times, check_lengths


def test_fast_integer_labels_match_unique() -> None:
    """The sort-free integer factorisation equals np.unique's levels and inverse."""
    x = np.random.default_rng(1).integers(-3, 7, 500)
    levels, codes = as_labels(x, x.size, "g")
    ref_levels, ref_codes = np.unique(x, return_inverse=True)
    np.testing.assert_array_equal(levels, ref_levels)
    np.testing.assert_array_equal(codes, ref_codes)


def test_wide_integer_labels_fall_back() -> None:
    """Labels with a huge range still factorise correctly."""
    x = np.array([10**12, 5, 10**12, -(10**12)])
    levels, codes = as_labels(x, x.size, "g")
    np.testing.assert_array_equal(levels[codes], x)


def test_string_and_bool_labels() -> None:
    """String and boolean labels are sorted like R factors."""
    levels, codes = as_labels(["b", "a", "b"], 3, "g")
    assert list(levels) == ["a", "b"]
    assert list(codes) == [1, 0, 1]
    levels, codes = as_labels(np.array([True, False]), 2, "g")
    assert list(codes) == [1, 0]


def test_missing_labels_rejected() -> None:
    """None labels are rejected."""
    with pytest.raises(InputError):
        as_labels(np.array(["a", None], dtype=object), 2, "g")


def test_column_vector_accepted() -> None:
    """A (n, 1) column is flattened; a matrix is rejected."""
    assert as_times(np.ones((3, 1))).shape == (3,)
    with pytest.raises(InputError):
        as_times(np.ones((3, 2)))
    with pytest.raises(InputError):
        as_times(1.0)


def test_codes() -> None:
    """Events accept booleans and whole floats; causes reject negatives."""
    np.testing.assert_array_equal(as_events([True, False]), [1, 0])
    np.testing.assert_array_equal(as_events([1.0, 0.0]), [1, 0])
    with pytest.raises(InputError):
        as_causes([0, -1])
    with pytest.raises(InputError):
        as_events(["a", "b"])


def test_non_numeric_times() -> None:
    """Non-numeric times raise InputError."""
    with pytest.raises(InputError, match="numeric"):
        as_times(["a", "b"])


def test_check_lengths() -> None:
    """Equal lengths pass, unequal raise."""
    check_lengths(a=2, b=2)
    with pytest.raises(InputError):
        check_lengths(a=2, b=3)
