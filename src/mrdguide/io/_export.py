"""Export cases as case JSON (lossless) or as one wide table (CSV, Excel or Parquet).

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) are written with a leading ``'`` (OWASP's advice on CSV injection); the
importer removes that mark again, so an export still imports back unchanged.

The wide layout is the import layout, so an exported file imports back to the same cases.
Cases the wide layout cannot hold (two results at one time point, repeated events, free-text
descriptions, quality warnings, ``phase_start`` events) raise :class:`InputError`; export
those as JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mrdguide.domain import Case, Timepoint, case_to_dict
from mrdguide.errors import InputError
from mrdguide.io._readers import guard
from mrdguide.io._tables import GENETICS_COLUMNS, PATIENT_COLUMNS, WIDE_OUTCOMES, WIDE_TREATMENTS

_MRD_KEYS = (
    "day", "tissue", "method", "status", "level", "sensitivity", "quantitative_range",
    "markers", "cells_analysed", "dna_ng",
)  # fmt: skip
_EXTRA = {
    ("relapse", "relapse_site"): "relapse_site",
    ("death", "in_remission"): "death_in_remission",
    ("intensification", "triggered_by"): "intensification_triggered_by",
    ("intensification", "phase"): "intensification_phase",
}


def _unsupported(pid: str, what: str) -> InputError:
    return InputError(
        f"Case {pid!r} cannot be written as a wide table: {what}. Export as .json instead.",
        field="format",
        value=pid,
        rule="wide tables hold one result per time point and one event per kind",
    )


def case_to_wide(case: Case) -> dict[str, Any]:
    """One wide row (column -> value) for ``case``."""
    doc = case_to_dict(case)
    pid = case.patient_id
    row: dict[str, Any] = {k: doc[k] for k in PATIENT_COLUMNS if k in doc}
    g = doc.get("genetics", {})
    for k in GENETICS_COLUMNS:
        if k in g:
            row[k] = ";".join(map(str, g[k])) if isinstance(g[k], list) else g[k]
    for gene, status in g.get("copy_number", {}).items():
        row[f"cn_{gene}"] = status
    for m in doc.get("mrd", []):
        prefix = f"mrd_{m['timepoint']}_"
        if f"{prefix}status" in row:
            raise _unsupported(pid, f"two MRD results at {m['timepoint']!r}")
        if m.get("warnings"):
            raise _unsupported(pid, "MRD quality warnings")
        row.update({prefix + k: m[k] for k in _MRD_KEYS if k in m})
    for ev in [*doc.get("outcomes", []), *doc.get("treatments", [])]:
        _event_columns(pid, ev, row)
    return row


def _event_columns(pid: str, ev: dict[str, Any], row: dict[str, Any]) -> None:
    kind = ev["kind"]
    if kind not in (*WIDE_OUTCOMES, *WIDE_TREATMENTS):
        raise _unsupported(pid, f"a {kind!r} event")
    if f"{kind}_day" in row:
        raise _unsupported(pid, f"more than one {kind!r} event")
    if "description" in ev:
        raise _unsupported(pid, "an event description")
    row[f"{kind}_day"] = ev["day"]
    for (k, key), col in _EXTRA.items():
        if kind == k and key in ev:
            row[col] = ev[key]


def _column_order(rows: Sequence[dict[str, Any]]) -> list[str]:
    present = {c for r in rows for c in r}
    order = [*PATIENT_COLUMNS, *GENETICS_COLUMNS]
    order += sorted(c for c in present if c.startswith("cn_"))
    for tp in Timepoint:
        order += [f"mrd_{tp.value}_{k}" for k in _MRD_KEYS]
    for kind in (*WIDE_OUTCOMES, *WIDE_TREATMENTS):
        order.append(f"{kind}_day")
        order += [col for (k, _), col in _EXTRA.items() if k == kind]
    return [c for c in order if c in present]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return guard(str(v))  # text that a spreadsheet would run as a formula is neutralised


def write_cohort(cases: Iterable[Case], path: str | Path) -> Path:
    """Write ``cases`` to ``path``: ``.json`` (case documents), ``.csv``, ``.xlsx`` or
    ``.parquet`` (wide).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        If the suffix is unsupported, or a case does not fit the wide layout.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    cases = list(cases)
    if suffix == ".json":
        docs = [case_to_dict(c) for c in cases]
        out.write_text(json.dumps(docs, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return out
    if suffix not in {".csv", ".parquet", ".xlsx"}:
        raise InputError(
            f"Unsupported export format {suffix!r}; use .json, .csv, .xlsx or .parquet.",
            field="out", value=str(out), rule="suffix in {.json, .csv, .xlsx, .parquet}",
        )  # fmt: skip
    rows = [case_to_wide(c) for c in cases]
    columns = _column_order(rows) or ["patient_id"]
    if suffix == ".csv":
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        return out
    if suffix == ".xlsx":
        return _write_xlsx(out, columns, rows)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    pq.write_table(table, out)
    return out


def _write_xlsx(out: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    """One sheet, typed cells; text that a spreadsheet would run as a formula is neutralised."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "cohort"
    ws.append(columns)
    for r in rows:
        ws.append([_xlsx_cell(r.get(c)) for c in columns])
    wb.save(out)
    return out


def _xlsx_cell(v: Any) -> Any:
    if isinstance(v, str):
        return guard(v)
    return v
