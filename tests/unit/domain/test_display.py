"""MRD, p-value and number formatting for people: percent, powers of ten, never e-notation."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.domain import (
    format_mrd,
    format_mrd_band,
    format_mrd_negative,
    format_mrd_result,
    format_mrd_threshold,
    format_number,
    format_p,
    format_p_value,
    parse_mrd,
    replace_e_notation,
)
from mrdguide.domain.display import format_decimals, format_percent, power_of_ten
from mrdguide.errors import InputError

E_NOTATION = re.compile(r"\d[eE][-+]?\d")


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (3e-5, "0.003% (3 × 10⁻⁵)"),
        (1e-4, "0.01% (10⁻⁴)"),
        (1e-3, "0.1% (10⁻³)"),
        (2.1e-3, "0.21% (2.1 × 10⁻³)"),
        (1.8e-4, "0.018% (1.8 × 10⁻⁴)"),
        (0.2097837521655685, "21% (2.1 × 10⁻¹)"),
        (0.665, "67% (6.7 × 10⁻¹)"),  # half-up on the decimal form
        (7.62e-6, "0.00076% (7.6 × 10⁻⁶)"),
        (1.0, "100%"),
        (0.0, "0%"),
    ],
)
def test_mrd_reads_as_percent_with_the_power_of_ten(fraction: float, text: str) -> None:
    """Two significant digits in percent, the power of ten beside it."""
    assert format_mrd(fraction) == text


def test_missing_mrd_is_a_dash() -> None:
    """None and NaN are shown as a dash, not 'nan'."""
    assert format_mrd(None) == "–"
    assert format_mrd(math.nan) == "–"


def test_negatives_are_shown_below_their_sensitivity() -> None:
    """A negative at sensitivity 1e-5 reads '< 0.001%'; without a sensitivity it says so."""
    assert format_mrd_negative(1e-5) == "< 0.001%"
    assert format_mrd_negative(1e-4) == "< 0.01%"
    assert format_mrd_negative(None) == "negative (sensitivity not recorded)"
    assert format_mrd_result("negative", None, 1e-5) == "< 0.001%"


def test_results_by_status() -> None:
    """Quantifiable, not quantifiable and not evaluable results each read differently."""
    assert format_mrd_result("positive", 2.1e-3, 1e-5) == "0.21% (2.1 × 10⁻³)"
    assert format_mrd_result("positive_nq", 5e-5, 1e-5) == "≈ 0.005% (5 × 10⁻⁵), not quantifiable"
    assert format_mrd_result("positive_nq", 5e-5, 1e-5, describe=False) == "≈ 0.005% (5 × 10⁻⁵)"
    assert format_mrd_result("positive_nq", None, 1e-5) == "detected, not quantifiable"
    assert format_mrd_result("not_evaluable", None, None) == "not evaluable"


def test_thresholds_are_exact() -> None:
    """Thresholds keep their digits: 5e-4 is 0.05%, 1e-2 is 1%."""
    assert format_mrd_threshold(1e-4) == "0.01%"
    assert format_mrd_threshold(5e-4) == "0.05%"
    assert format_mrd_threshold(1e-2) == "1%"
    assert format_mrd_threshold(0.1) == "10%"


def test_percent_and_fraction_both_ways() -> None:
    """0.01% is 1e-4 and 1e-4 is 0.01%; the bracketed power and a comparator are accepted."""
    assert parse_mrd("0.01%") == 1e-4
    assert format_mrd_threshold(1e-4) == "0.01%"
    assert parse_mrd("< 0.001%") == 1e-5
    assert parse_mrd("0.003% (3 × 10⁻⁵)") == 3e-5
    assert parse_mrd("3 × 10⁻⁵") == 3e-5
    assert parse_mrd("10⁻⁴") == 1e-4
    assert parse_mrd("100%") == 1.0


@pytest.mark.parametrize("bad", ["", "0.01", "1e-4", "abc%", "150%", "2 × 10¹"])
def test_unreadable_mrd_text_raises_input_error(bad: str) -> None:
    """Text without a unit, in e-notation, or above 100% is rejected with the field named."""
    with pytest.raises(InputError) as err:
        parse_mrd(bad)
    assert err.value.field == "mrd"


@given(st.integers(min_value=-7, max_value=0), st.sampled_from([1, 2, 2.5, 3, 5, 7.5]))
def test_threshold_text_round_trips(exp: int, mant: float) -> None:
    """Every threshold written by format_mrd_threshold parses back to the same fraction."""
    x = float(f"{mant}e{exp}")
    if x > 1:
        return
    assert parse_mrd(format_mrd_threshold(x)) == x


@pytest.mark.parametrize(
    ("p", "sentence", "cell"),
    [
        (8.72e-52, "p < 0.001", "< 0.001"),
        (0.0009, "p < 0.001", "< 0.001"),
        (0.001, "p = 0.001", "0.001"),
        (0.00149, "p = 0.001", "0.001"),
        (0.0123, "p = 0.012", "0.012"),
        (0.05, "p = 0.050", "0.050"),
        (0.0999, "p = 0.10", "0.10"),
        (0.456, "p = 0.46", "0.46"),
        (0.99, "p = 0.99", "0.99"),
        (0.995, "p > 0.99", "> 0.99"),
        (None, "p not estimable", "–"),
        (math.nan, "p not estimable", "–"),
    ],
)
def test_p_values(p: float | None, sentence: str, cell: str) -> None:
    """p < 0.001 (never 'p = <0.001'); else two significant digits, at most three decimals."""
    assert format_p(p) == sentence
    assert format_p_value(p) == cell


@pytest.mark.parametrize(
    ("x", "sig", "text"),
    [
        (0.2097837521655685, 2, "0.21"),
        (0.2097837521655685, 3, "0.21"),
        (6.0, 3, "6"),
        (8000, 3, "8000"),
        (12000, 3, "12,000"),
        (12700.000000001, 3, "12,700"),
        (1.23456e-7, 3, "0.000000123"),
        (56, 3, "56"),
        (True, 3, "yes"),
        (None, 3, "–"),
    ],
)
def test_plain_numbers(x: float | None, sig: int, text: str) -> None:
    """Rounded to a few significant digits, positional, thousands separated from 10,000."""
    assert format_number(x, sig) == text


def test_fixed_decimals_and_percent() -> None:
    """Fixed decimals keep trailing zeros; percentages from fractions."""
    assert format_decimals(2.0, 2) == "2.00"
    assert format_decimals(1e-9, 2) == "0.00"
    assert format_percent(0.905) == "90.5%"
    assert format_percent(None) == "–"


def test_power_of_ten() -> None:
    """Mantissa and superscript exponent; exact powers without '1 ×'."""
    assert power_of_ten(3e-5) == "3 × 10⁻⁵"
    assert power_of_ten(1e-4) == "10⁻⁴"
    assert power_of_ten(9.96e-4) == "10⁻³"  # rounds up to the next power
    assert power_of_ten(2.5e6) == "2.5 × 10⁶"


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_mrd_text_never_uses_e_notation(x: float) -> None:
    """No MRD string contains e-notation, whatever the fraction."""
    for text in (format_mrd(x), format_mrd_threshold(x), format_mrd_negative(x or None)):
        assert not E_NOTATION.search(text), text


@given(st.floats(allow_nan=True, allow_infinity=True, width=64))
def test_numbers_and_p_values_never_use_e_notation(x: float) -> None:
    """Plain numbers and p-values are positional for every float."""
    for text in (format_number(x), format_p(x), format_decimals(x, 2)):
        assert not E_NOTATION.search(text), text


def test_free_text_e_notation_becomes_powers_of_ten() -> None:
    """Numbers in strings built elsewhere are rewritten; other text is left alone."""
    assert replace_e_notation("requires 1e-05 for a negative") == "requires 10⁻⁵ for a negative"
    assert replace_e_notation("thr 1.80e-04, p 8.72e-52") == "thr 1.8 × 10⁻⁴, p 8.72 × 10⁻⁵²"
    assert replace_e_notation("ETV6::RUNX1 at day 29e") == "ETV6::RUNX1 at day 29e"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("<1e-04", "detected, < 0.01%"),
        ("1e-04–1e-03", "0.01% to < 0.1%"),
        ("≥1e-03", "≥ 0.1%"),
        ("negative", "negative"),
    ],
)
def test_mrd_bands_in_percent(code: str, text: str) -> None:
    """Band codes of the landmark analysis read in percent."""
    assert format_mrd_band(code) == text
