"""Baseline characteristics table (counts and percentages; missing values shown, not hidden)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mrdguide.domain import Case, Timepoint
from mrdguide.domain.display import format_mrd_threshold
from mrdguide.domain.labels import label

MISSING = "missing"


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineRow:
    """One level of one variable: counts overall and per column group."""

    variable: str
    level: str
    counts: tuple[int, ...]
    percents: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineTable:
    """Rows of a baseline table; ``columns[0]`` is ``"All"``."""

    columns: tuple[str, ...]
    column_n: tuple[int, ...]
    rows: tuple[BaselineRow, ...]


def _age_band(c: Case) -> str:
    a = c.patient.age_years
    if a is None:
        return MISSING
    return "<1" if a < 1 else "1–<10" if a < 10 else "≥10"


def _wbc_band(c: Case) -> str:
    w = c.patient.wbc_per_ul
    if w is None:
        return MISSING
    return "<50,000/µL" if w < 50_000 else "≥50,000/µL"


def _enum_or_missing(v: object) -> str:
    return MISSING if v is None else str(v)


def _lesion(c: Case) -> str:
    if c.genetics is None:
        return MISSING
    les = c.genetics.lesions
    m = c.genetics.modal_chromosome_number
    if les:
        return les[0]
    if m is not None and m >= 51:
        return "high hyperdiploid"
    if m is not None and m < 44:
        return "hypodiploid <44"
    return "B-other / none detected"


def _mrd_method(tp: Timepoint) -> Callable[[Case], str]:
    def f(c: Case) -> str:
        m = c.mrd_at(tp)
        if m is None:
            return MISSING
        method = label("method", m.method)
        if not m.sensitivity:
            return f"{method}, sensitivity unknown"
        return f"{method} at {format_mrd_threshold(m.sensitivity.fraction)}"

    return f


VARIABLES: tuple[tuple[str, Callable[[Case], str]], ...] = (
    ("Age (years)", _age_band),
    ("Sex", lambda c: _enum_or_missing(c.patient.sex)),
    ("WBC", _wbc_band),
    ("Immunophenotype", lambda c: _enum_or_missing(c.patient.immunophenotype)),
    ("NCI risk", lambda c: c.patient.nci_risk or MISSING),
    ("Primary genetic lesion", _lesion),
    ("CNS status", lambda c: _enum_or_missing(c.patient.cns_status)),
    ("EOI MRD method, sensitivity", _mrd_method(Timepoint.EOI)),
    ("EOC MRD method, sensitivity", _mrd_method(Timepoint.EOC)),
)


def baseline_table(
    cases: Sequence[Case],
    groups: Sequence[str] | None = None,
    *,
    extra: Sequence[tuple[str, Sequence[str]]] = (),
) -> BaselineTable:
    """Build a baseline table overall and by ``groups`` (one label per case).

    ``extra`` adds precomputed categorical variables (name, one label per case), e.g. a genetic
    risk tier computed by :mod:`mrdguide.genetics`.
    """
    labels = np.asarray(groups if groups is not None else ["All"] * len(cases), dtype=object)
    cols = ["All", *sorted({str(x) for x in labels})] if groups is not None else ["All"]
    masks = [np.ones(len(cases), bool)] + [labels == c for c in cols[1:]]
    col_n = tuple(int(m.sum()) for m in masks)
    variables = [(name, np.asarray([f(c) for c in cases], dtype=object)) for name, f in VARIABLES]
    variables += [(name, np.asarray(list(vals), dtype=object)) for name, vals in extra]
    rows: list[BaselineRow] = []
    for name, vals in variables:
        levels = sorted({str(v) for v in vals}, key=lambda s: (s == MISSING, s))
        for lev in levels:
            hit = vals == lev
            counts = tuple(int((hit & m).sum()) for m in masks)
            pct = tuple(100.0 * k / n if n else 0.0 for k, n in zip(counts, col_n, strict=True))
            rows.append(BaselineRow(variable=name, level=lev, counts=counts, percents=pct))
    return BaselineTable(columns=tuple(cols), column_n=col_n, rows=tuple(rows))
