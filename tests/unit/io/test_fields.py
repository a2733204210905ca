"""Cell parsers: units, ranges, vocabularies and dates are checked, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from mrdguide.domain import Sex
from mrdguide.io import _fields as f


def test_fraction_rejects_percent_with_named_rule() -> None:
    """A level above 1 is rejected with the percent rule, not rescaled."""
    with pytest.raises(f.CellError, match=r"fraction in \[0,1\]; percent is not accepted"):
        f.fraction("5")


def test_fraction_accepts_scientific_notation() -> None:
    """1e-4 is read exactly."""
    assert f.fraction("1e-4") == 1e-4


def test_percent_column_converts_explicitly() -> None:
    """A *_percent value converts with MRDLevel.from_percent (0.01 % -> 1e-4)."""
    assert f.percent("0.01") == pytest.approx(1e-4, rel=1e-12)
    with pytest.raises(f.CellError):
        f.percent("150")


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("N", False), ("1", True)])
def test_boolean_spellings(raw: str, expected: bool) -> None:
    """Common boolean spellings are accepted."""
    assert f.boolean(raw) is expected


def test_boolean_rejects_other_text() -> None:
    """Anything else is an error."""
    with pytest.raises(f.CellError):
        f.boolean("maybe")


def test_vocab_is_case_insensitive_but_closed() -> None:
    """Vocabulary matches ignore case; unknown values list the allowed ones."""
    parse = f.vocab(Sex)
    assert parse("Female") == "female"
    with pytest.raises(f.CellError, match="must be one of: male, female"):
        parse("unknown")


def test_integer_rejects_fractions_and_range() -> None:
    """Whole numbers only, within range."""
    parse = f.integer(0, 10)
    assert parse("7.0") == 7
    with pytest.raises(f.CellError):
        parse("7.5")
    with pytest.raises(f.CellError):
        parse("11")


def test_iso_date_and_spreadsheet_timestamps() -> None:
    """ISO dates parse; a midnight time part is dropped; other formats fail."""
    assert f.iso_date("2020-01-31") == dt.date(2020, 1, 31)
    assert f.iso_date("2020-01-31T00:00:00") == dt.date(2020, 1, 31)
    with pytest.raises(f.CellError):
        f.iso_date("31/01/2020")


def test_lists() -> None:
    """;-separated lists drop blanks; integer lists check each item."""
    assert f.str_list("ETV6::RUNX1; ;IKZF1-del") == ["ETV6::RUNX1", "IKZF1-del"]
    assert f.int_list(1, 22)("4;10") == [4, 10]
    with pytest.raises(f.CellError):
        f.int_list(1, 22)("4;23")


def test_number_rejects_non_finite() -> None:
    """NaN and text are not numbers."""
    with pytest.raises(f.CellError):
        f.number()("nan")
    with pytest.raises(f.CellError):
        f.number()("abc")
