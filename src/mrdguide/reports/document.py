"""Report view-models: plain frozen values with every number already formatted.

Templates only place these strings; they do no arithmetic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from mrdguide.domain.display import format_decimals, format_p, format_p_value, format_percent

Severity = Literal["info", "caution", "warning"]
TraceState = Literal["met", "not-met", "unknown"]


_NUMERIC_CELL = re.compile(r"^[\s<>≤≥≈–−+-]*(\d|–$)")


def numeric_columns(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> tuple[bool, ...]:
    """Which columns hold numbers (right-aligned); text columns are left-aligned.

    A column is numeric when every non-empty cell starts with a digit, optionally after a sign
    or comparator (``< 0.001``), or is a dash.
    """
    out = []
    for j in range(len(header)):
        cells = [r[j] for r in rows if j < len(r) and r[j].strip()]
        out.append(bool(cells) and all(_NUMERIC_CELL.match(c) for c in cells))
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table with a header row and string cells.

    ``numeric`` flags right-aligned (number) columns; by default it is inferred from the cells,
    so text columns are left-aligned.
    """

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    numeric: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.numeric:
            object.__setattr__(self, "numeric", numeric_columns(self.header, self.rows))


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureItem:
    """An embedded PNG figure (``src`` is a data: URI) and its caption."""

    title: str
    src: str
    caption: str = ""
    n_curves: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A caveat or flag shown once, with its severity and the protocols that raised it.

    ``info`` is context (e.g. outside a protocol's scope), ``caution`` qualifies a result
    (sample outside its window, unverified evidence), ``warning`` may invalidate it
    (insufficient sensitivity, genetics not used).
    """

    text: str
    severity: Severity = "caution"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceLine:
    """One evaluated condition in words; ``state`` is ``met``, ``not-met`` or ``unknown``."""

    rule: str
    text: str
    state: TraceState


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolResult:
    """A protocol's result first (group and deciding rule in words), then its full trace."""

    protocol: str
    name: str
    version: str
    group: str
    group_code: str
    decision: str
    trace: tuple[TraceLine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A report section."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[FigureItem, ...] = ()
    warnings: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    results: tuple[ProtocolResult, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportModel:
    """A whole report; ``generated`` and ``version`` are injected by the caller."""

    title: str
    subtitle: str
    generated: str
    version: str
    sections: tuple[Section, ...]
    caveats: tuple[str, ...]
    provenance: tuple[tuple[str, str], ...]
    disclaimer: str
    summary: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    summary_title: str = ""


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """``0.905 -> '90.5%'``; ``None``/NaN -> ``'–'``."""
    return format_percent(x, digits)


def fmt_est(value: float | None, lo: float | None, hi: float | None) -> str:
    """``'90.5% (85.1–94.0)'``; ``'0.0% (no CI)'`` when the interval is not estimable."""
    if value is None or math.isnan(value):
        return "–"
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return f"{fmt_pct(value)} (no CI)"
    return f"{fmt_pct(value)} ({fmt_pct(lo)[:-1]}–{fmt_pct(hi)[:-1]})"


def fmt_p(p: float | None) -> str:
    """A p-value for a table cell: ``< 0.001``, ``0.012`` (see :mod:`mrdguide.domain.display`)."""
    return format_p_value(p)


def fmt_p_phrase(p: float | None) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.012``."""
    return format_p(p)


def fmt_num(x: float | None, digits: int = 2) -> str:
    """A number with fixed decimals, or ``'–'``."""
    return format_decimals(x, digits)
