"""MRDLevel: fractions only; percent appears only through explicit conversion."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.domain import MRDLevel, at_least, strictly_above
from mrdguide.errors import UnitError


@pytest.mark.parametrize("bad", [-1e-9, 1.0000001, 5.0, math.nan, math.inf])
def test_level_rejects_values_outside_unit_interval(bad: float) -> None:
    """A fraction outside [0, 1] or non-finite raises UnitError naming the rule."""
    with pytest.raises(UnitError, match=r"fraction|finite"):
        MRDLevel(bad)


def test_level_rejects_bool() -> None:
    """True is not silently read as 1.0."""
    with pytest.raises(UnitError):
        MRDLevel(True)  # type: ignore[arg-type]


def test_percent_conversion_is_explicit() -> None:
    """0.01 % is 1e-4 as a fraction."""
    assert MRDLevel.from_percent(0.01).fraction == pytest.approx(1e-4, rel=1e-15)
    assert MRDLevel(1e-3).to_percent() == pytest.approx(0.1, rel=1e-15)


def test_percent_above_100_is_rejected() -> None:
    """A percentage above 100 is impossible."""
    with pytest.raises(UnitError, match="percentage"):
        MRDLevel.from_percent(150.0)


def test_log10_of_zero_is_minus_infinity() -> None:
    """A zero level has log10 of -inf rather than raising."""
    assert MRDLevel(0.0).log10 == -math.inf
    assert MRDLevel(1e-4).log10 == pytest.approx(-4.0)


@given(st.floats(min_value=0.0, max_value=100.0, allow_nan=False))
def test_percent_round_trip(pct: float) -> None:
    """from_percent(x).to_percent() == x."""
    assert MRDLevel.from_percent(pct).to_percent() == pytest.approx(pct, rel=1e-12, abs=1e-300)


@given(st.floats(min_value=-12.0, max_value=0.0, allow_nan=False))
def test_log10_round_trip(e: float) -> None:
    """from_log10(e).log10 == e."""
    assert MRDLevel.from_log10(e).log10 == pytest.approx(e, rel=1e-12, abs=1e-12)


def test_threshold_tolerance_treats_csv_roundoff_as_equal() -> None:
    """1e-3 parsed from text equals 10**-3 for >= and is not > it."""
    parsed = float("0.001")
    computed = 10.0**-3 * (1 + 1e-15)
    assert at_least(parsed, computed)
    assert not strictly_above(computed, parsed)
    assert strictly_above(1.1e-3, 1e-3)
    assert not at_least(0.99e-3, 1e-3)
