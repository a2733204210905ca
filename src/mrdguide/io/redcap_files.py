"""REDCap files: the data dictionary (18-column CSV) and records exports (flat or EAV).

Data dictionary: the 18 columns REDCap writes, in order (``Variable / Field Name`` …
``Field Annotation``); the API's ``content=metadata`` CSV (snake_case headers such as
``field_name``) is read too. Choices are ``"1, Female | 2, Male"``.

Records, flat: one row per record × event × repeating instance, with ``record_id`` (the
dictionary's first field), optional ``redcap_event_name``, ``redcap_repeat_instrument``,
``redcap_repeat_instance`` and ``redcap_data_access_group``, one ``field___code`` 0/1 column per
checkbox choice and ``<form>_complete`` (0 incomplete, 1 unverified, 2 complete).

Records, EAV: ``record, [redcap_event_name,] field_name, value`` (and the repeat columns when
the project has repeating instruments); a checked checkbox is one row whose value is the code.
EAV rows are gathered into flat rows; each flat cell remembers its EAV row for error reports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io._readers import RawTable, read_csv

#: The data dictionary's columns, in REDCap's order.
DICTIONARY_COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
#: The API's metadata names of the same columns.
API_COLUMNS = (
    "field_name",
    "form_name",
    "section_header",
    "field_type",
    "field_label",
    "select_choices_or_calculations",
    "field_note",
    "text_validation_type_or_show_slider_number",
    "text_validation_min",
    "text_validation_max",
    "identifier",
    "branching_logic",
    "required_field",
    "custom_alignment",
    "question_number",
    "matrix_group_name",
    "matrix_ranking",
    "field_annotation",
)
EVENT = "redcap_event_name"
REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
DAG = "redcap_data_access_group"
SPECIAL = (EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE, DAG)
CODED_TYPES = frozenset({"radio", "dropdown", "checkbox"})

__all__ = [
    "DICTIONARY_COLUMNS",
    "DictField",
    "Dictionary",
    "Record",
    "RecordRow",
    "read_dictionary",
    "read_records",
    "write_csv",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DictField:
    """One field of the data dictionary."""

    name: str
    form: str
    type: str
    label: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    validation: str = ""
    vmin: str = ""
    vmax: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Dictionary:
    """The data dictionary: fields in order, by name."""

    file: str
    fields: tuple[DictField, ...]

    @property
    def record_id(self) -> str:
        """The record id field (the first field, as REDCap requires)."""
        return self.fields[0].name

    def get(self, name: str) -> DictField | None:
        """The field called ``name``."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def forms(self) -> tuple[str, ...]:
        """Form (instrument) names in dictionary order."""
        return tuple(dict.fromkeys(f.form for f in self.fields))


@dataclass(slots=True, kw_only=True)
class RecordRow:
    """One flat row: its cells, the line of each cell (EAV) or of the row (flat)."""

    record: str
    event: str
    instrument: str
    instance: str
    cells: dict[str, str]
    row: int
    cell_rows: dict[str, int] = field(default_factory=dict)

    def line(self, name: str) -> int:
        """The file row of ``name``'s cell."""
        return self.cell_rows.get(name, self.row)


@dataclass(slots=True, kw_only=True)
class Record:
    """Every row of one record, in file order."""

    record_id: str
    rows: list[RecordRow] = field(default_factory=list)


def _issue(file: str, row: int | None, fld: str | None, value: object, rule: str) -> IngestIssue:
    return IngestIssue(file=file, row=row, field=fld, value=value, rule=rule)


def _table(path: Path) -> RawTable:
    tables, issues = read_csv(path)
    if issues or not tables:
        raise IngestError([_issue(path.name, i.row, i.field, i.value, i.rule) for i in issues])
    table = tables[0]
    table.file = path.name
    return table


def parse_choices(text: str) -> dict[str, str]:
    """``"1, Female | 2, Male"`` -> ``{"1": "Female", "2": "Male"}``."""
    out = {}
    for part in text.split("|"):
        code, sep, label = part.partition(",")
        if sep and code.strip():
            out[code.strip()] = label.strip()
    return out


#: Dictionary attributes, in the order of the data dictionary's (or the API's) first columns.
_KEYS = (
    "name",
    "form",
    "section",
    "type",
    "label",
    "choices",
    "note",
    "validation",
    "vmin",
    "vmax",
)


def _column_names(path: Path, cols: tuple[str, ...]) -> dict[str, str]:
    """Attribute -> column name, for the 18-column CSV or the API's metadata CSV."""
    names = DICTIONARY_COLUMNS if cols[:1] == DICTIONARY_COLUMNS[:1] else API_COLUMNS
    if cols[: len(names)] != names[: len(cols)] or len(cols) < 10:
        rule = (
            "not a REDCap data dictionary: expected the 18 columns "
            f"{DICTIONARY_COLUMNS[0]!r} … {DICTIONARY_COLUMNS[-1]!r}"
        )
        raise IngestError([_issue(path.name, None, cols[0] if cols else None, None, rule)])
    return dict(zip(_KEYS, names, strict=False))


def _field(cells: dict[str, str], key: dict[str, str], row: int) -> DictField:
    ftype = cells[key["type"]]
    return DictField(
        name=cells[key["name"]],
        form=cells[key["form"]],
        type=ftype,
        label=cells[key["label"]],
        choices=parse_choices(cells[key["choices"]]) if ftype in CODED_TYPES else {},
        note=cells[key["note"]],
        validation=cells[key["validation"]],
        vmin=cells[key["vmin"]],
        vmax=cells[key["vmax"]],
        row=row,
    )


def read_dictionary(path: Path) -> Dictionary:
    """Read a REDCap data dictionary (the 18-column CSV, or the API's metadata CSV).

    Raises
    ------
    IngestError
        If the header is not a data dictionary's, or a field is malformed.
    """
    table = _table(path)
    key = _column_names(path, tuple(table.columns))
    fields, issues = [], []
    for row, cells in table.rows:
        name, ftype = cells[key["name"]], cells[key["type"]]
        if not name or not ftype:
            issues.append(_issue(path.name, row, key["name"], name, "field name and type required"))
            continue
        fields.append(_field(cells, key, row))
    if issues or not fields:
        raise IngestError(issues or [_issue(path.name, None, None, None, "no fields")])
    return Dictionary(file=path.name, fields=tuple(fields))


def _flat(table: RawTable, id_field: str) -> list[RecordRow]:
    if id_field not in table.columns:
        raise IngestError(
            [
                _issue(
                    table.file,
                    None,
                    id_field,
                    None,
                    "the record id column (the dictionary's first field) is missing",
                )
            ]
        )
    out = []
    for row, cells in table.rows:
        out.append(
            RecordRow(
                record=cells[id_field],
                event=cells.get(EVENT, ""),
                instrument=cells.get(REPEAT_INSTRUMENT, ""),
                instance=cells.get(REPEAT_INSTANCE, ""),
                cells={k: v for k, v in cells.items() if k not in SPECIAL},
                row=row,
            )
        )
    return out


def _eav(table: RawTable, d: Dictionary) -> list[RecordRow]:
    rows: dict[tuple[str, str, str, str], RecordRow] = {}
    for row, cells in table.rows:
        key = (
            cells["record"],
            cells.get(EVENT, ""),
            cells.get(REPEAT_INSTRUMENT, ""),
            cells.get(REPEAT_INSTANCE, ""),
        )
        flat = rows.setdefault(
            key,
            RecordRow(
                record=key[0],
                event=key[1],
                instrument=key[2],
                instance=key[3],
                cells={d.record_id: key[0]},
                row=row,
            ),
        )
        name, value = cells["field_name"], cells["value"]
        f = d.get(name)
        if f is not None and f.type == "checkbox":
            name, value = f"{name}___{value}", "1"
        flat.cells[name] = value
        flat.cell_rows[name] = row
    return list(rows.values())


def read_records(path: Path, d: Dictionary) -> list[Record]:
    """Read a flat or EAV records export, grouped by record (file order).

    Raises
    ------
    IngestError
        If the file cannot be read or has no record id column.
    """
    table = _table(path)
    eav = {"record", "field_name", "value"} <= set(table.columns)
    rows = _eav(table, d) if eav else _flat(table, d.record_id)
    out: dict[str, Record] = {}
    for r in rows:
        out.setdefault(r.record, Record(record_id=r.record)).rows.append(r)
    return list(out.values())


def write_csv(header: Sequence[str], rows: Sequence[Mapping[str, object]]) -> str:
    """CSV text with ``header`` (missing cells empty, ``None`` empty)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    return buf.getvalue()
