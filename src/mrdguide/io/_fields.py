"""Cell parsers for tabular import. Each takes a stripped string and returns a typed value.

A parser raises :class:`CellError` with the rule in words; the caller turns it into an
:class:`~mrdguide.errors.IngestIssue` with file, row, field and value. Empty cells are
``None`` and never reach a parser.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from mrdguide.domain import MRDLevel
from mrdguide.errors import UnitError

#: The rule reported when an MRD value above 1 is given where a fraction is expected.
PERCENT_RULE = "MRD level is a fraction in [0,1]; percent is not accepted"

Parser = Callable[[str], Any]

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class CellError(ValueError):
    """A cell value breaks a rule (the message is the rule)."""


def text(value: str) -> str:
    """Free text, returned as is."""
    return value


def _float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise CellError("must be a number") from None
    if not math.isfinite(x):
        raise CellError("must be a finite number")
    return x


def number(lo: float | None = None, hi: float | None = None) -> Parser:
    """A finite number in ``[lo, hi]``."""

    def parse(value: str) -> float:
        x = _float(value)
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise CellError(f"must be in [{_fmt(lo)}, {_fmt(hi)}]")
        return x

    return parse


def integer(lo: int | None = None, hi: int | None = None) -> Parser:
    """A whole number in ``[lo, hi]`` (``33`` and ``33.0`` are accepted, ``33.5`` is not)."""

    def parse(value: str) -> int:
        x = _float(value)
        if not x.is_integer():
            raise CellError("must be a whole number")
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise CellError(f"must be a whole number in [{_fmt(lo)}, {_fmt(hi)}]")
        return int(x)

    return parse


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def boolean(value: str) -> bool:
    """``true/false``, ``yes/no``, ``y/n``, ``t/f`` or ``1/0`` (any case)."""
    v = value.lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise CellError("must be true or false (also yes/no, y/n, 1/0)")


def vocab(cls: type[StrEnum]) -> Parser:
    """A value of the controlled vocabulary ``cls`` (matched without regard to case)."""
    by_lower = {m.value.lower(): m.value for m in cls}

    def parse(value: str) -> str:
        found = by_lower.get(value.lower())
        if found is None:
            allowed = ", ".join(m.value for m in cls)
            raise CellError(f"unknown value; must be one of: {allowed}")
        return found

    return parse


def vocab_of(values: tuple[str, ...]) -> Parser:
    """One of ``values`` (matched without regard to case)."""
    by_lower = {v.lower(): v for v in values}

    def parse(value: str) -> str:
        found = by_lower.get(value.lower())
        if found is None:
            raise CellError(f"unknown value; must be one of: {', '.join(values)}")
        return found

    return parse


def fraction(value: str) -> float:
    """An MRD level as a fraction in ``[0, 1]``. Values above 1 are rejected, never rescaled."""
    x = _float(value)
    if x > 1:
        raise CellError(PERCENT_RULE)
    if x < 0:
        raise CellError("MRD level must be >= 0")
    return x


def percent(value: str) -> float:
    """An MRD level given explicitly in percent (a ``*_percent``/``*_pct`` column).

    Converted with :meth:`MRDLevel.from_percent`, so ``0.01`` becomes ``1e-4``.
    """
    x = _float(value)
    try:
        return MRDLevel.from_percent(x).fraction
    except UnitError:
        raise CellError("MRD percentage must be in [0, 100]") from None


def iso_date(value: str) -> dt.date:
    """A calendar date ``YYYY-MM-DD`` (a time part ``T00:00:00`` from spreadsheets is dropped)."""
    v = value[:10] if len(value) > 10 and value[10] in "T " else value
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise CellError("must be an ISO date YYYY-MM-DD") from None


def str_list(value: str) -> list[str]:
    """A ``;``-separated list of names (blank items are dropped)."""
    return [x.strip() for x in value.split(";") if x.strip()]


def int_list(lo: int, hi: int) -> Parser:
    """A ``;``-separated list of whole numbers in ``[lo, hi]``."""
    item = integer(lo, hi)

    def parse(value: str) -> list[int]:
        try:
            return [item(x) for x in str_list(value)]
        except CellError as exc:
            raise CellError(f"must be a ';'-separated list of whole numbers: {exc}") from None

    return parse
