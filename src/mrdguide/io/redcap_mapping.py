"""A REDCap site mapping (TOML): which REDCap field fills which case field, in which unit.

Format (``version = 1``; unknown keys are rejected)::

    version = 1
    [record]
    id_field = "record_id"                 # default: the dictionary's first field

    [patient]                              # case fields from non-repeating forms
    sex = { field = "sex" }                # coded: the choice label, or a values table
    immunophenotype = { field = "lineage", values = { "1" = "B", "2" = "T" } }
    wbc_per_ul = { field = "wbc", unit = "10^9/L" }   # per_ul (default) or 10^9/L
    diagnosis_date = { field = "dx_date" }

    [genetics]
    lesions = { field = "cyto" }           # a checkbox gives a list; text is ';'-separated

    [[events]]                             # outcome and treatment events (optional)
    form = "events"
    kind = { field = "ev_kind" }           # relapse, death, hsct, last_follow_up, ...
    date = { field = "ev_date" }           # or day = { field = ... }

    [[mrd]]                                # one table per MRD instrument
    form = "mrd"                           # repeating instrument, or a form in several events
    timepoint = { field = "mrd_tp", values = { "1" = "day15", "2" = "eoi" } }
    # timepoint = { events = { "eoi_arm_1" = "eoi" } }, or timepoint = "eoi"
    method = "flow"                        # a constant, or { field = ... }
    status = { field = "mrd_status" }
    level = { field = "mrd_level", unit = "percent" }  # fraction | percent

MRD levels (``level``, ``sensitivity``, ``quantitative_range``) are fractions unless the mapping
says ``unit = "percent"``; then they are divided by 100 and every conversion is reported.
Without a unit a value above 1 is rejected. A field the data dictionary marks as percent (``%``
or "percent" in its label or note, or a validation maximum above 1) must say
``unit = "percent"``: a mapping without it is rejected before any record is read.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io import _fields as f
from mrdguide.io._tables import (
    EVENT_COLUMNS,
    GENETICS_COLUMNS,
    MRD_ATTRIBUTES,
    PATIENT_COLUMNS,
)
from mrdguide.io.redcap_files import DictField, Dictionary

FORMAT_VERSION = 1
#: Patient fields of the case format beyond the cohort importer's columns.
EXTRA_PATIENT: dict[str, f.Parser] = {
    "etp": f.boolean,
    "eoi_marrow_blasts_percent": f.number(0, 100),
}
PATIENT_TARGETS = (*(k for k in PATIENT_COLUMNS if k != "patient_id"), *EXTRA_PATIENT)
GENETICS_TARGETS = tuple(GENETICS_COLUMNS)
MRD_TARGETS = ("timepoint", *MRD_ATTRIBUTES)
EVENT_TARGETS = tuple(k for k in EVENT_COLUMNS if k != "patient_id")
LEVELS = ("level", "sensitivity", "quantitative_range")
LEVEL_UNITS = ("fraction", "percent")
WBC_UNITS = ("per_ul", "10^9/L")
_SPEC_KEYS = frozenset({"field", "values", "unit", "events"})
_PERCENT_WORD = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)

__all__ = [
    "FieldSpec",
    "MRDBlock",
    "SiteMapping",
    "check_against_dictionary",
    "load_site_mapping",
    "parse_site_mapping",
    "percent_evidence",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """How one case field is filled: a REDCap field (with coded values and a unit), an event
    table (time points) or a constant."""

    target: str
    where: str  # the mapping key, e.g. "mrd[0].level"
    field: str | None = None
    const: str | None = None
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)
    unit: str | None = None
    events: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class MRDBlock:
    """One MRD instrument and its field specs."""

    form: str
    specs: tuple[FieldSpec, ...]
    where: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteMapping:
    """A validated site mapping."""

    source: str
    id_field: str | None
    patient: tuple[FieldSpec, ...]
    genetics: tuple[FieldSpec, ...]
    mrd: tuple[MRDBlock, ...]
    events: tuple[MRDBlock, ...] = ()


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[IngestIssue] = []

    def add(self, where: str, value: Any, rule: str) -> None:
        shown = (
            value if isinstance(value, str | int | float | bool) or value is None else str(value)
        )
        self.issues.append(
            IngestIssue(file=self.source, row=None, field=where, value=shown, rule=rule)
        )


def _str_table(p: _Problems, raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        p.add(where, raw, "must be a table of text values")
        return {}
    return {str(k): v for k, v in raw.items()}


def _spec(p: _Problems, target: str, raw: Any, where: str) -> FieldSpec | None:
    if isinstance(raw, str):
        return FieldSpec(target=target, where=where, const=raw)
    if not isinstance(raw, dict):
        p.add(where, raw, "must be a constant or a table { field, values, unit }")
        return None
    for k in sorted(set(raw) - _SPEC_KEYS):
        p.add(f"{where}.{k}", k, f"unknown key; allowed: {', '.join(sorted(_SPEC_KEYS))}")
    events = _str_table(p, raw["events"], f"{where}.events") if "events" in raw else {}
    if events and target != "timepoint":
        p.add(f"{where}.events", None, "events map only to time points")
    fld = raw.get("field")
    if (fld is None) == (not events):
        p.add(where, fld, "give a REDCap field (or, for a time point, events)")
        return None
    if fld is not None and not isinstance(fld, str):
        p.add(f"{where}.field", fld, "must be a REDCap field name")
        return None
    unit = raw.get("unit")
    allowed = LEVEL_UNITS if target in LEVELS else WBC_UNITS if target == "wbc_per_ul" else ()
    if unit is not None and unit not in allowed:
        rule = f"unit must be one of: {', '.join(allowed)}" if allowed else "takes no unit"
        p.add(f"{where}.unit", unit, rule)
    values = _str_table(p, raw["values"], f"{where}.values") if "values" in raw else {}
    return FieldSpec(target=target, where=where, field=fld, values=values, unit=unit, events=events)


def _specs(p: _Problems, raw: Any, targets: tuple[str, ...], where: str) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, dict):
        p.add(where, raw, "must be a table")
        return ()
    out = []
    for key, value in raw.items():
        if key not in targets:
            p.add(f"{where}.{key}", key, f"unknown case field; allowed: {', '.join(targets)}")
            continue
        s = _spec(p, key, value, f"{where}.{key}")
        if s is not None:
            out.append(s)
    return tuple(out)


_REQUIRED = {"mrd": ("timepoint", "method", "status"), "events": ("kind",)}


def _blocks(p: _Problems, raw: Any, group: str) -> tuple[MRDBlock, ...]:
    if not isinstance(raw, list):
        p.add(group, raw, f"must be an array of tables ([[{group}]])")
        return ()
    targets = MRD_TARGETS if group == "mrd" else EVENT_TARGETS
    blocks = []
    for i, item in enumerate(raw):
        where = f"{group}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("form"), str):
            p.add(
                f"{where}.form",
                None if not isinstance(item, dict) else item.get("form"),
                f"each [[{group}]] table names its REDCap form",
            )
            continue
        specs = _specs(p, {k: v for k, v in item.items() if k != "form"}, targets, where)
        have = {s.target for s in specs}
        for need in _REQUIRED[group]:
            if need not in have:
                p.add(f"{where}.{need}", None, f"a {group} entry needs a {need}")
        if group == "events" and not have & {"day", "date"}:
            p.add(f"{where}.day", None, "an event needs a day or a date")
        blocks.append(MRDBlock(form=item["form"], specs=specs, where=where))
    return tuple(blocks)


def parse_site_mapping(doc: Mapping[str, Any], *, source: str = "mapping") -> SiteMapping:
    """Validate a parsed mapping document.

    Raises
    ------
    IngestError
        Listing every problem (file, field, value, rule).
    """
    p = _Problems(source)
    allowed = ("version", "record", "patient", "genetics", "mrd", "events")
    for k in sorted(set(doc) - set(allowed)):
        p.add(k, k, f"unknown key; allowed: {', '.join(allowed)}")
    if doc.get("version") != FORMAT_VERSION:
        p.add("version", doc.get("version"), f"must be {FORMAT_VERSION}")
    record = doc.get("record", {})
    id_field = record.get("id_field") if isinstance(record, dict) else None
    if not isinstance(record, dict) or set(record) - {"id_field"}:
        p.add("record", record, "must be a table with only id_field")
    mapping = SiteMapping(
        source=source,
        id_field=id_field,
        patient=_specs(p, doc.get("patient", {}), PATIENT_TARGETS, "patient"),
        genetics=_specs(p, doc.get("genetics", {}), GENETICS_TARGETS, "genetics"),
        mrd=_blocks(p, doc.get("mrd", []), "mrd"),
        events=_blocks(p, doc.get("events", []), "events"),
    )
    if p.issues:
        raise IngestError(p.issues)
    return mapping


def load_site_mapping(path: Path) -> SiteMapping:
    """Read and validate a mapping file.

    Raises
    ------
    FileNotFoundError, IngestError
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(
            [
                IngestIssue(
                    file=path.name,
                    row=None,
                    field=None,
                    value=None,
                    rule=f"not a valid UTF-8 TOML file: {exc}",
                )
            ]
        ) from None
    return parse_site_mapping(doc, source=path.name)


def percent_evidence(fd: DictField) -> str | None:
    """Why the dictionary says ``fd`` is recorded in percent (``None``: it does not)."""
    for what, text in (("label", fd.label), ("note", fd.note)):
        if _PERCENT_WORD.search(text):
            return f"its {what} {text!r} says percent"
    try:
        if fd.vmax and float(fd.vmax) > 1:
            return f"its validation maximum is {fd.vmax}"
    except ValueError:
        return None
    return None


def _all_specs(m: SiteMapping) -> list[tuple[FieldSpec, str | None]]:
    out: list[tuple[FieldSpec, str | None]] = [(s, None) for s in (*m.patient, *m.genetics)]
    out += [(s, b.form) for b in (*m.mrd, *m.events) for s in b.specs]
    return out


def check_against_dictionary(m: SiteMapping, d: Dictionary) -> None:
    """Every mapped field exists (in the MRD block's form), and every level field the
    dictionary marks as percent is declared ``unit = "percent"``.

    Raises
    ------
    IngestError
        Listing every problem, with the mapping file as the file.
    """
    p = _Problems(m.source)
    if m.id_field is not None and d.get(m.id_field) is None:
        p.add("record.id_field", m.id_field, f"no such field in {d.file}")
    forms = set(d.forms)
    for b in (*m.mrd, *m.events):
        if b.form not in forms:
            p.add(f"{b.where}.form", b.form, f"no such form in {d.file}")
    for s, form in _all_specs(m):
        if s.field is None:
            continue
        f = d.get(s.field)
        if f is None:
            p.add(f"{s.where}.field", s.field, f"no such field in {d.file}")
            continue
        if form is not None and f.form != form:
            p.add(f"{s.where}.field", s.field, f"field is on form {f.form!r}, not {form!r}")
        evidence = percent_evidence(f) if s.target in LEVELS else None
        if evidence and s.unit != "percent":
            p.add(
                s.where,
                s.field,
                f"{d.file} records {s.field!r} in percent ({evidence}); declare "
                'unit = "percent" so the conversion to a fraction is explicit',
            )
    if p.issues:
        raise IngestError(p.issues)
