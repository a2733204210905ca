"""Report view-models: plain frozen values with every number already formatted.

Templates only place these strings; they do no arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """A table with a header row and string cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FigureItem:
    """An embedded PNG figure (``src`` is a data: URI) and its caption."""

    title: str
    src: str
    caption: str = ""
    n_curves: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A report section."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[FigureItem, ...] = ()
    warnings: tuple[str, ...] = ()


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


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """``0.905 -> '90.5%'``; ``None``/NaN -> ``'–'``."""
    if x is None or math.isnan(x):
        return "–"
    return f"{100 * x:.{digits}f}%"


def fmt_est(value: float | None, lo: float | None, hi: float | None) -> str:
    """``'90.5% (85.1–94.0)'``."""
    if value is None or math.isnan(value):
        return "–"
    return f"{fmt_pct(value)} ({fmt_pct(lo)[:-1]}–{fmt_pct(hi)[:-1]})"


def fmt_p(p: float | None) -> str:
    """P-values as journals print them."""
    if p is None or math.isnan(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_num(x: float | None, digits: int = 2) -> str:
    """A number with fixed decimals, or ``'–'``."""
    if x is None or math.isnan(x):
        return "–"
    return f"{x:.{digits}f}"
