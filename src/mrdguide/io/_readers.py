"""Read CSV, Excel (.xlsx) and Parquet files into raw string tables.

Every cell becomes a stripped string (empty for missing), so a single set of parsers checks
values from every format. Unreadable files (truncated, corrupt, wrong encoding) become
file-level :class:`~mrdguide.errors.IngestIssue` records instead of exceptions.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrdguide.errors import IngestIssue

#: File suffixes read as tables.
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".pq"})


@dataclass(slots=True)
class RawTable:
    """A table of strings. ``rows`` holds ``(row_number, {column: cell})``; rows count from 1."""

    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    sheet: str | None = None


def _issue(file: str, rule: str, row: int | None = None, value: Any = None) -> IngestIssue:
    return IngestIssue(file=file, row=row, field=None, value=value, rule=rule)


def cell_to_str(value: Any) -> str:
    """Canonical string form of a typed cell (Excel/Parquet), ``""`` for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # repr round-trips every float exactly
    return unguard(str(value).strip())


#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ``'`` before a formula character."""
    return "'" + text if text.startswith(FORMULA_START) else text


def unguard(text: str) -> str:
    """Undo :func:`guard` (a leading ``'`` before a formula character), so exports import back."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _header(file: str, header: list[str]) -> tuple[list[str], list[IngestIssue]]:
    cols = [h.strip() for h in header]
    issues = []
    seen: set[str] = set()
    for c in cols:
        if not c:
            issues.append(_issue(file, "empty column name in the header"))
        elif c in seen:
            issues.append(_issue(file, f"duplicate column {c!r} in the header", value=c))
        seen.add(c)
    return cols, issues


def _build(
    file: str, header: list[Any], body: list[list[Any]], sheet: str | None = None
) -> tuple[RawTable | None, list[IngestIssue]]:
    cols, issues = _header(file, [cell_to_str(h) for h in header])
    if issues:
        return None, issues
    table = RawTable(file=file, columns=cols, sheet=sheet)
    for i, raw in enumerate(body, start=1):
        cells = [cell_to_str(v) for v in raw]
        if not any(cells):
            continue  # blank line
        if len(cells) != len(cols):
            issues.append(
                _issue(
                    file,
                    f"row has {len(cells)} fields but the header has {len(cols)} "
                    "(truncated or malformed file)",
                    row=i,
                )
            )
            continue
        table.rows.append((i, dict(zip(cols, cells, strict=True))))
    if not table.rows and not issues:
        # Almost always an operator mistake (the wrong file, or an export that failed).
        issues.append(_issue(file, "the file has a header but no data rows"))
    return table, issues


def read_csv(path: Path) -> tuple[list[RawTable], list[IngestIssue]]:
    """Read a comma- (or, for ``.tsv``, tab-) separated file with a header row."""
    file = str(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=delimiter, strict=True))
    except UnicodeDecodeError:
        return [], [_issue(file, "file is not UTF-8 text")]
    except csv.Error as exc:
        return [], [_issue(file, f"malformed CSV (truncated or bad quoting): {exc}")]
    if not rows or not any(c.strip() for c in rows[0]):
        return [], [_issue(file, "file is empty (no header row)")]
    table, issues = _build(file, list(rows[0]), [list(r) for r in rows[1:]])
    return ([table] if table else []), issues


def read_xlsx(path: Path) -> tuple[list[RawTable], list[IngestIssue]]:
    """Read an Excel workbook: every sheet named after a table kind, else the first sheet."""
    import openpyxl

    file = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return [], [_issue(file, f"not a readable .xlsx workbook (truncated or corrupt): {exc}")]
    try:
        names = list(wb.sheetnames)
        chosen = [n for n in names if n.strip().lower() in _SHEET_KINDS] or names[:1]
        tables: list[RawTable] = []
        issues: list[IngestIssue] = []
        for name in chosen:
            try:
                rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
            except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
                issues.append(_issue(file, f"sheet {name!r} is unreadable: {exc}"))
                continue
            if not rows:
                issues.append(_issue(file, f"sheet {name!r} is empty (no header row)"))
                continue
            header = rows[0]
            width = max((i + 1 for i, h in enumerate(header) if h is not None), default=0)
            body = [r[:width] + [None] * (width - len(r)) for r in rows[1:]]
            table, found = _build(file, list(header[:width]), body, sheet=name)
            issues.extend(found)
            if table:
                tables.append(table)
        return tables, issues
    finally:
        wb.close()


#: Sheet names recognised as linked long tables inside one workbook.
_SHEET_KINDS = frozenset({"patients", "genetics", "mrd", "events", "wide"})


def read_parquet(path: Path) -> tuple[list[RawTable], list[IngestIssue]]:
    """Read a Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    file = str(path)
    try:
        data = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        return [], [_issue(file, f"not a readable Parquet file (truncated or corrupt): {exc}")]
    cols = list(data.column_names)
    body = [[rec[c] for c in cols] for rec in data.to_pylist()]
    table, issues = _build(file, list(cols), body)
    return ([table] if table else []), issues


def read_table_file(path: Path) -> tuple[list[RawTable], list[IngestIssue]]:
    """Read any supported table file (dispatch on the suffix)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        return [], [_issue(str(path), "file does not exist")]
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix in {".parquet", ".pq"}:
        return read_parquet(path)
    return [], [_issue(str(path), f"unsupported file type {suffix!r}", value=suffix)]
