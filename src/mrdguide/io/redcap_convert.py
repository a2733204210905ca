"""REDCap records to case parts, through a site mapping (see :mod:`mrdguide.io.redcap_mapping`).

* Patient and genetics fields come from the record's non-repeating rows (in a longitudinal
  project, whichever event holds them); two different values are an error.
* Each MRD block reads the rows of its form: the instances of a repeating instrument, or the
  event rows in which the form is filled; each row is one MRD result.
* A row whose form is not complete (``<form>_complete`` other than 2) is flagged and not
  imported; a record whose patient form is not complete is flagged as a whole.
* Every problem names the records file, its row, the REDCap field, the value and the rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrdguide.domain import OutcomeKind, Timepoint
from mrdguide.domain.case import OUTCOME_KEYS, TREATMENT_KEYS
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io import _fields as f
from mrdguide.io._tables import (
    EVENT_COLUMNS,
    GENETICS_COLUMNS,
    MRD_ATTRIBUTES,
    PATIENT_COLUMNS,
)
from mrdguide.io.redcap_files import (
    CODED_TYPES,
    DictField,
    Dictionary,
    Record,
    RecordRow,
    read_dictionary,
    read_records,
)
from mrdguide.io.redcap_mapping import (
    EXTRA_PATIENT,
    LEVELS,
    FieldSpec,
    MRDBlock,
    SiteMapping,
    check_against_dictionary,
)

COMPLETE = "2"
OUTCOMES = frozenset(k.value for k in OutcomeKind)
_STATE = {"0": "incomplete", "1": "unverified", "2": "complete"}

__all__ = ["RedcapPatient", "RedcapRead", "RedcapResult", "read_redcap"]


@dataclass(slots=True, kw_only=True)
class RedcapResult:
    """One MRD result in case-document form (``date`` still to be turned into a day)."""

    doc: dict[str, Any]
    date: dt.date | None
    file: str
    row: int
    fields: dict[str, str]


@dataclass(slots=True, kw_only=True)
class RedcapPatient:
    """One record: its case fields (and genetics) and MRD results."""

    patient_id: str
    doc: dict[str, Any]
    file: str
    row: int
    fields: dict[str, str]
    mrd: list[RedcapResult] = field(default_factory=list)


@dataclass(slots=True)
class RedcapRead:
    """Patients, flagged (incomplete) rows, and notes on every unit conversion."""

    patients: list[RedcapPatient] = field(default_factory=list)
    flagged: list[IngestIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, d: Dictionary, file: str) -> None:
        self.d, self.file = d, file
        self.issues: list[IngestIssue] = []
        self.conversions: Counter[tuple[str, str, str]] = Counter()

    def fail(self, row: RecordRow, name: str, value: Any, rule: str) -> None:
        self.issues.append(
            IngestIssue(file=self.file, row=row.line(name), field=name, value=value, rule=rule)
        )

    def raw(self, row: RecordRow, fd: DictField) -> str | list[str] | None:
        """The cell of ``fd`` (a checkbox gives its checked codes)."""
        if fd.type == "checkbox":
            prefix = f"{fd.name}___"
            codes = list(fd.choices) or [
                k[len(prefix) :] for k in row.cells if k.startswith(prefix)
            ]
            checked = [c for c in codes if row.cells.get(f"{prefix}{c}", "").strip() == "1"]
            return checked or None
        value = row.cells.get(fd.name, "").strip()
        return value or None

    def decode(self, s: FieldSpec, fd: DictField, row: RecordRow, raw: str) -> list[str] | None:
        """Readings of a coded value, best first: the mapping's values; else the raw code, then
        the dictionary's choice label."""
        if s.values:
            if raw not in s.values:
                self.fail(
                    row,
                    fd.name,
                    raw,
                    f"not in the mapping's values for {s.where} ({', '.join(s.values)})",
                )
                return None
            return [s.values[raw]]
        label = fd.choices.get(raw) if fd.type in CODED_TYPES else None
        return [raw] if label is None or label == raw else [raw, label]


def _parser(s: FieldSpec, group: str) -> f.Parser:
    if group == "mrd":
        if s.target == "timepoint":
            return f.vocab(Timepoint)
        if s.target in LEVELS:
            return f.percent if s.unit == "percent" else f.fraction
        return MRD_ATTRIBUTES[s.target]
    if group == "genetics":
        return GENETICS_COLUMNS[s.target]
    if group == "events":
        return EVENT_COLUMNS[s.target]
    return PATIENT_COLUMNS.get(s.target) or EXTRA_PATIENT[s.target]


def _value(r: _Reader, s: FieldSpec, row: RecordRow, group: str) -> tuple[bool, Any]:
    """``(present, value)`` of ``s`` in ``row``; problems are recorded."""
    if s.const is not None:
        return True, _parse(r, s, row, [s.const], group, s.target)
    if s.events:
        if row.event not in s.events:
            r.fail(row, "redcap_event_name", row.event, f"event not in the mapping's {s.where}")
            return True, None
        return True, s.events[row.event]
    fd = r.d.get(str(s.field))
    assert fd is not None  # checked against the dictionary
    raw = r.raw(row, fd)
    if raw is None:
        return False, None
    if isinstance(raw, list):
        readings = [r.decode(s, fd, row, x) for x in raw]
        if s.target == "lesions":
            return True, [x[-1] for x in readings if x]
        if len(readings) != 1:
            r.fail(row, fd.name, ";".join(raw), f"{s.where} takes one value; {len(raw)} checked")
            return True, None
        found = readings[0]
    else:
        found = r.decode(s, fd, row, raw)
    return True, None if not found else _parse(r, s, row, found, group, fd.name)


def _parse(
    r: _Reader, s: FieldSpec, row: RecordRow, readings: list[str], group: str, name: str
) -> Any:
    rule = ""
    for raw in readings:
        try:
            value = _parser(s, group)(raw)
        except f.CellError as exc:
            rule = rule or str(exc)
            continue
        if s.unit in ("percent", "10^9/L"):
            r.conversions[(s.where, name, str(s.unit))] += 1
        return value * 1000.0 if s.unit == "10^9/L" else value
    if rule == f.PERCENT_RULE:
        rule += '; if the site records percent, declare unit = "percent" in the mapping'
    r.fail(row, name, readings[0], rule)
    return None


def _complete(r: _Reader, row: RecordRow, form: str, flagged: list[IngestIssue]) -> bool:
    state = row.cells.get(f"{form}_complete")
    if state is None or state.strip() == COMPLETE:
        return True
    flagged.append(
        IngestIssue(
            file=r.file,
            row=row.line(f"{form}_complete"),
            field=f"{form}_complete",
            value=state,
            rule=f"form {form!r} is {_STATE.get(state.strip(), 'not complete')} (not 2, complete): "
            "not imported",
        )
    )
    return False


def _patient_doc(
    r: _Reader, m: SiteMapping, rec: Record, base: list[RecordRow]
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    doc: dict[str, Any] = {}
    names: dict[str, str] = {}
    forms: set[str] = set()
    for group, specs in (("patient", m.patient), ("genetics", m.genetics)):
        for s in specs:
            key = s.target if group == "patient" else f"genetics.{s.target}"
            names[key] = s.field or s.where
            seen: list[tuple[RecordRow, Any]] = []
            for row in base:
                present, value = _value(r, s, row, group)
                if present and value is not None:
                    seen.append((row, value))
            if s.field is not None and seen:
                fd = r.d.get(s.field)
                forms.add(fd.form if fd else "")
            if len({repr(v) for _, v in seen}) > 1:
                r.fail(
                    seen[1][0],
                    s.field or s.where,
                    seen[1][1],
                    f"record {rec.record_id}: a different value in another event",
                )
            elif seen:
                target = doc.setdefault("genetics", {}) if group == "genetics" else doc
                v = seen[0][1]
                target[s.target] = v.isoformat() if isinstance(v, dt.date) else v
    return doc, names, forms


def _block_rows(rec: Record, b: MRDBlock, base: list[RecordRow]) -> list[RecordRow]:
    repeating = [row for row in rec.rows if row.instrument == b.form]
    if repeating:
        return repeating
    fields = [s.field for s in b.specs if s.field]
    return [
        row
        for row in base
        if any(row.cells.get(n, "").strip() for n in fields)
        or any(
            k.startswith(tuple(f"{n}___" for n in fields)) and v == "1"
            for k, v in row.cells.items()
        )
    ]


def _results(
    r: _Reader, b: MRDBlock, rows: list[RecordRow], out: RedcapRead, group: str = "mrd"
) -> list[RedcapResult]:
    results = []
    for row in rows:
        if not _complete(r, row, b.form, out.flagged):
            continue
        doc: dict[str, Any] = {}
        names: dict[str, str] = {}
        for s in b.specs:
            names[s.target] = s.field or ("redcap_event_name" if s.events else s.where)
            present, value = _value(r, s, row, group)
            if present and value is not None:
                doc[s.target] = value
        date = doc.pop("date", None)
        results.append(RedcapResult(doc=doc, date=date, file=r.file, row=row.row, fields=names))
    return results


def _events(r: _Reader, patient: RedcapPatient, events: list[RedcapResult]) -> None:
    """Outcome and treatment events into the patient's case fields (dates to days since the
    record's diagnosis date)."""
    dx = patient.doc.get("diagnosis_date")
    outcomes: list[dict[str, Any]] = []
    treatments: list[dict[str, Any]] = []
    for e in events:
        if e.date is not None:
            if not isinstance(dx, str):
                r.issues.append(
                    IngestIssue(
                        file=r.file,
                        row=e.row,
                        field=e.fields.get("date"),
                        value=e.date.isoformat(),
                        rule="an event date needs the record's diagnosis_date to become a day",
                    )
                )
                continue
            e.doc["day"] = (e.date - dt.date.fromisoformat(dx)).days
        kind = str(e.doc.get("kind"))
        target = outcomes if kind in OUTCOMES else treatments
        target.append(
            {
                k: v
                for k, v in e.doc.items()
                if k in (OUTCOME_KEYS if kind in OUTCOMES else TREATMENT_KEYS)
            }
        )
    if outcomes:
        patient.doc["outcomes"] = outcomes
    if treatments:
        patient.doc["treatments"] = treatments
    for key, name in events[0].fields.items():
        patient.fields.setdefault(f"events.{key}", name)


def _notes(r: _Reader) -> list[str]:
    out = []
    for (where, name, unit), n in sorted(r.conversions.items()):
        how = (
            "from percent to fractions (÷ 100)"
            if unit == "percent"
            else "from 10^9/L to /µL (× 1000)"
        )
        out.append(f"{r.file}: {n} value(s) of {name!r} ({where}) converted {how}")
    return out


def read_redcap(dictionary: Path, records: Path, mapping: SiteMapping) -> RedcapRead:
    """Read a REDCap dictionary and records export through ``mapping``.

    Raises
    ------
    FileNotFoundError
        If a file does not exist.
    IngestError
        Mapping problems (checked against the dictionary first), then every record problem.
    """
    for p in (dictionary, records):
        if not p.exists():
            raise FileNotFoundError(f"no such file: {p}")
    d = read_dictionary(dictionary)
    check_against_dictionary(mapping, d)
    r = _Reader(d, records.name)
    out = RedcapRead()
    id_field = mapping.id_field or d.record_id
    for rec in read_records(records, d):
        base = [row for row in rec.rows if not row.instrument]
        doc, names, forms = _patient_doc(r, mapping, rec, base)
        if not all(
            _complete(r, row, form, out.flagged)
            for row in base
            for form in sorted(forms)
            if any(row.cells.get(n, "").strip() for n in names.values())
        ):
            continue
        pid = next((row.cells[id_field] for row in base if row.cells.get(id_field)), rec.record_id)
        first = rec.rows[0]
        patient = RedcapPatient(
            patient_id=pid,
            doc=doc,
            file=r.file,
            row=first.row,
            fields=names | {"patient_id": id_field},
        )
        for b in mapping.mrd:
            patient.mrd.extend(_results(r, b, _block_rows(rec, b, base), out))
        events = [
            e
            for b in mapping.events
            for e in _results(r, b, _block_rows(rec, b, base), out, "events")
        ]
        if events:
            _events(r, patient, events)
        out.patients.append(patient)
    if r.issues:
        raise IngestError(r.issues)
    out.notes = _notes(r)
    return out
