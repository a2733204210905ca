"""Column vocabularies of the import formats and the conversion of rows into case parts.

Two layouts are read (see ``docs/import-format.md``):

* **wide**: one row per patient, MRD as ``mrd_<timepoint>_<attribute>`` columns and outcomes
  as ``<event>_day`` (or ``<event>_date``) columns;
* **linked long**: ``patients``, ``genetics`` (one row per patient), ``mrd`` (one row per
  sample) and ``events`` (one row per outcome or treatment event), joined on ``patient_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mrdguide.domain import (
    CNSStatus,
    CopyNumber,
    Immunophenotype,
    InductionOutcome,
    MRDMethod,
    MRDStatus,
    OutcomeKind,
    RelapseSite,
    Sex,
    Timepoint,
    Tissue,
    TreatmentKind,
)
from mrdguide.errors import IngestIssue
from mrdguide.io import _fields as f
from mrdguide.io._readers import RawTable

LONG_KINDS = ("patients", "genetics", "mrd", "events")
KINDS = ("wide", *LONG_KINDS, "case")

PATIENT_COLUMNS: dict[str, f.Parser] = {
    "patient_id": f.text,
    "age_years": f.number(0, 30),
    "sex": f.vocab(Sex),
    "immunophenotype": f.vocab(Immunophenotype),
    "wbc_per_ul": f.number(0, 2_000_000),
    "cns_status": f.vocab(CNSStatus),
    "testicular_involvement": f.boolean,
    "steroid_pretreatment": f.boolean,
    "down_syndrome": f.boolean,
    "day8_pb_blasts_per_ul": f.number(0, 2_000_000),
    "induction_outcome": f.vocab(InductionOutcome),
    "diagnosis_date": f.iso_date,
}
GENETICS_COLUMNS: dict[str, f.Parser] = {
    "lesions": f.str_list,
    "modal_chromosome_number": f.integer(20, 100),
    "dna_index": f.number(0.3, 3.0),
    "karyotype": f.text,
    "trisomies": f.int_list(1, 22),
}
#: Copy-number columns are ``cn_<GENE>``, e.g. ``cn_IKZF1``.
CN_PREFIX = "cn_"
MRD_ATTRIBUTES: dict[str, f.Parser] = {
    "day": f.integer(-30, 3650),
    "date": f.iso_date,
    "tissue": f.vocab(Tissue),
    "method": f.vocab(MRDMethod),
    "status": f.vocab(MRDStatus),
    "level": f.fraction,
    "sensitivity": f.fraction,
    "quantitative_range": f.fraction,
    "markers": f.integer(0),
    "cells_analysed": f.integer(0),
    "dna_ng": f.number(0),
}
#: Levels may be given explicitly in percent in columns with one of these suffixes.
PERCENT_SUFFIXES = ("_percent", "_pct")
LEVEL_ATTRIBUTES = ("level", "sensitivity", "quantitative_range")
EVENT_KINDS = tuple(k.value for k in OutcomeKind) + tuple(k.value for k in TreatmentKind)
EVENT_COLUMNS: dict[str, f.Parser] = {
    "patient_id": f.text,
    "kind": f.vocab_of(EVENT_KINDS),
    "day": f.integer(0),
    "date": f.iso_date,
    "relapse_site": f.vocab(RelapseSite),
    "in_remission": f.boolean,
    "phase": f.text,
    "triggered_by": f.vocab(Timepoint),
    "description": f.text,
}
WIDE_OUTCOMES = tuple(k.value for k in OutcomeKind)
WIDE_TREATMENTS = ("intensification", "hsct", "off_protocol")
WIDE_EXTRA: dict[str, f.Parser] = {
    "relapse_site": f.vocab(RelapseSite),
    "death_in_remission": f.boolean,
    "intensification_triggered_by": f.vocab(Timepoint),
    "intensification_phase": f.text,
}


def _with_percent(attrs: Mapping[str, f.Parser], prefix: str = "") -> dict[str, f.Parser]:
    out = {prefix + k: v for k, v in attrs.items()}
    for a in LEVEL_ATTRIBUTES:
        for suf in PERCENT_SUFFIXES:
            out[f"{prefix}{a}{suf}"] = f.percent
    return out


def _wide_columns() -> dict[str, f.Parser]:
    cols = {**PATIENT_COLUMNS, **GENETICS_COLUMNS, **WIDE_EXTRA}
    for tp in Timepoint:
        cols.update(_with_percent(MRD_ATTRIBUTES, f"mrd_{tp.value}_"))
    for k in (*WIDE_OUTCOMES, *WIDE_TREATMENTS):
        cols[f"{k}_day"] = f.integer(0)
        cols[f"{k}_date"] = f.iso_date
    return cols


SPECS: dict[str, dict[str, f.Parser]] = {
    "wide": _wide_columns(),
    "patients": dict(PATIENT_COLUMNS),
    "genetics": {"patient_id": f.text, **GENETICS_COLUMNS},
    "mrd": {"patient_id": f.text, "timepoint": f.vocab(Timepoint), **_with_percent(MRD_ATTRIBUTES)},
    "events": dict(EVENT_COLUMNS),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "wide": ("patient_id",),
    "patients": ("patient_id",),
    "genetics": ("patient_id",),
    "mrd": ("patient_id", "timepoint", "method", "status"),
    "events": ("patient_id", "kind"),
}


def parser_for(kind: str, column: str) -> f.Parser | None:
    """The parser of ``column`` in a table of ``kind`` (``None`` for an unknown column)."""
    spec = SPECS[kind]
    if column in spec:
        return spec[column]
    if kind in {"wide", "genetics"} and column.startswith(CN_PREFIX) and len(column) > 3:
        return f.vocab(CopyNumber)
    return None


def check_columns(table: RawTable, kind: str) -> list[IngestIssue]:
    """File-level problems: missing required columns, unknown columns, ambiguous units."""
    cols = set(table.columns)
    issues = [
        _file_issue(table, c, f"missing required column {c!r} for a {kind!r} table")
        for c in REQUIRED[kind]
        if c not in cols
    ]
    if kind == "events" and not cols & {"day", "date"}:
        issues.append(_file_issue(table, "day", "an events table needs a 'day' or 'date' column"))
    for c in table.columns:
        if parser_for(kind, c) is None and not c.startswith("x_"):
            issues.append(
                _file_issue(table, c, f"unknown column {c!r} for a {kind!r} table "
                            "(prefix extra columns with 'x_' to ignore them)")
            )  # fmt: skip
    issues.extend(_unit_conflicts(table, cols))
    if kind == "wide":
        issues.extend(_wide_mrd_columns(table, cols))
    return issues


def _file_issue(table: RawTable, column: str | None, rule: str) -> IngestIssue:
    return IngestIssue(file=table_name(table), row=None, field=column, value=None, rule=rule)


def table_name(table: RawTable) -> str:
    return table.file if table.sheet is None else f"{table.file}[{table.sheet}]"


def _unit_conflicts(table: RawTable, cols: set[str]) -> list[IngestIssue]:
    out = []
    for c in sorted(cols):
        for suf in PERCENT_SUFFIXES:
            if c.endswith(suf) and c[: -len(suf)] in cols:
                out.append(
                    _file_issue(table, c, f"both {c[: -len(suf)]!r} (fraction) and {c!r} "
                                "(percent) given; keep one")
                )  # fmt: skip
    return out


def _wide_mrd_columns(table: RawTable, cols: set[str]) -> list[IngestIssue]:
    out = []
    for tp in Timepoint:
        prefix = f"mrd_{tp.value}_"
        if any(c.startswith(prefix) for c in cols):
            for need in ("status", "method"):
                if prefix + need not in cols:
                    out.append(
                        _file_issue(table, prefix + need,
                                    f"missing required column {prefix + need!r}: MRD at "
                                    f"{tp.value!r} needs status and method")
                    )  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------
# rows -> parts
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Part:
    """A piece of a case document with its origin, for error reporting.

    ``prefix`` maps document keys back to column names in wide files (``mrd_eoi_``).
    ``date`` is a calendar date still to be converted into days since diagnosis.
    """

    doc: dict[str, Any]
    file: str
    row: int
    prefix: str = ""
    date: dt.date | None = None


@dataclass(slots=True)
class Draft:
    """Everything read so far about one patient."""

    patient_id: str
    patient: Part
    genetics: Part | None = None
    mrd: list[Part] = field(default_factory=list)
    treatments: list[Part] = field(default_factory=list)
    outcomes: list[Part] = field(default_factory=list)


def parse_row(
    table: RawTable, kind: str, row: int, cells: Mapping[str, str]
) -> tuple[dict[str, Any], list[IngestIssue]]:
    """Parse every non-empty cell of a row; collect one issue per bad cell."""
    values: dict[str, Any] = {}
    issues = []
    for col, cell in cells.items():
        raw = cell.strip()
        parse = parser_for(kind, col)
        if not raw or parse is None:
            continue
        try:
            values[col] = parse(raw)
        except f.CellError as exc:
            issues.append(
                IngestIssue(file=table_name(table), row=row, field=col, value=raw, rule=str(exc))
            )
    return values, issues


def patient_doc(values: Mapping[str, Any]) -> dict[str, Any]:
    """Patient fields of a case document."""
    out = {k: values[k] for k in PATIENT_COLUMNS if k in values}
    if "diagnosis_date" in out:
        out["diagnosis_date"] = out["diagnosis_date"].isoformat()
    return out


def genetics_doc(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """Genetics of a case document, or ``None`` when no genetics cell is filled."""
    g = {k: values[k] for k in GENETICS_COLUMNS if k in values}
    cn = {k[len(CN_PREFIX) :].upper(): v for k, v in values.items() if k.startswith(CN_PREFIX)}
    if cn:
        g["copy_number"] = cn
    return g or None


def mrd_part(values: Mapping[str, Any], file: str, row: int, prefix: str = "") -> Part | None:
    """An MRD item from attributes named ``prefix + attribute``; ``None`` if all are empty."""
    got = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
    if prefix and not got:
        return None
    doc: dict[str, Any] = {}
    for k, v in got.items():
        base = next((k[: -len(s)] for s in PERCENT_SUFFIXES if k.endswith(s)), k)
        if k != "date":
            doc[base] = v
    if "timepoint" not in doc and prefix.startswith("mrd_"):
        doc["timepoint"] = prefix[len("mrd_") : -1]
    doc.pop("patient_id", None)
    return Part(doc=doc, file=file, row=row, prefix=prefix, date=got.get("date"))


def wide_parts(
    table: RawTable, row: int, values: Mapping[str, Any]
) -> tuple[Draft, list[IngestIssue]]:
    """A draft case from one wide row."""
    name = table_name(table)
    draft = Draft(
        patient_id=values["patient_id"],
        patient=Part(doc=patient_doc(values), file=name, row=row),
    )
    g = genetics_doc(values)
    if g is not None:
        draft.genetics = Part(doc=g, file=name, row=row)
    for tp in Timepoint:
        part = mrd_part(values, name, row, prefix=f"mrd_{tp.value}_")
        if part is not None:
            draft.mrd.append(part)
    issues: list[IngestIssue] = []
    for k in WIDE_OUTCOMES:
        part = _event_part(values, k, name, row)
        if part is not None:
            draft.outcomes.append(part)
    for k in WIDE_TREATMENTS:
        part = _event_part(values, k, name, row)
        if part is not None:
            draft.treatments.append(part)
    issues.extend(_attach_extras(draft, values, name, row))
    return draft, issues


def _event_part(values: Mapping[str, Any], kind: str, file: str, row: int) -> Part | None:
    day, date = values.get(f"{kind}_day"), values.get(f"{kind}_date")
    if day is None and date is None:
        return None
    doc: dict[str, Any] = {"kind": kind}
    if day is not None:
        doc["day"] = day
    return Part(doc=doc, file=file, row=row, prefix=f"{kind}_", date=date)


def _attach_extras(
    draft: Draft, values: Mapping[str, Any], file: str, row: int
) -> list[IngestIssue]:
    issues = []
    links = (
        ("relapse_site", draft.outcomes, "relapse", "relapse_site"),
        ("death_in_remission", draft.outcomes, "death", "in_remission"),
        ("intensification_triggered_by", draft.treatments, "intensification", "triggered_by"),
        ("intensification_phase", draft.treatments, "intensification", "phase"),
    )
    for col, parts, kind, key in links:
        if col not in values:
            continue
        target = next((p for p in parts if p.doc["kind"] == kind), None)
        if target is None:
            issues.append(
                IngestIssue(file=file, row=row, field=col, value=values[col],
                            rule=f"{col!r} given without a {kind} day or date")
            )  # fmt: skip
        else:
            target.doc[key] = values[col]
    return issues


def event_part(values: Mapping[str, Any], file: str, row: int) -> tuple[str, Part]:
    """An event from a long ``events`` row, with its target list ``outcomes``/``treatments``."""
    doc = {k: v for k, v in values.items() if k not in {"patient_id", "date"}}
    target = "outcomes" if doc.get("kind") in WIDE_OUTCOMES else "treatments"
    return target, Part(doc=doc, file=file, row=row, date=values.get("date"))
