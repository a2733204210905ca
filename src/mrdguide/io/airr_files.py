"""Read AIRR Rearrangement TSV files (IgBLAST, MiXCR, Vidjil, Change-O) for NGS MRD.

The file is read with the ``airr`` package (``airr.RearrangementReader`` with validation on).

* **Required columns**: the AIRR Rearrangement schema's required fields (``sequence_id``,
  ``sequence``, ``rev_comp``, ``productive``, ``v_call``, ``d_call``, ``j_call``,
  ``sequence_alignment``, ``germline_alignment``, ``junction``, ``junction_aa``, ``v_cigar``,
  ``d_cigar``, ``j_cigar``; values may be empty where AIRR allows) plus one count column. A
  missing column raises :class:`~mrdguide.errors.AssayError` naming every missing column.
* **Counts**: ``umi_count`` (unique molecules: templates) if present, else ``duplicate_count``
  (reads), else ``consensus_count`` (reads).
* **Locus**: the ``locus`` column if present, else the first three letters of ``v_call``.
* **Optional non-AIRR columns**: ``spike_in`` (``T``/``F``): rows that are the spike-in
  calibrator; their counts are summed to ``spike_in_reads`` and excluded from clonotypes.
  ``cell_equivalents``: a reference-gene nucleated-cell count for the sample (the same value on
  every row where it is given).
* Rows with an empty ``junction`` are skipped (they cannot be tracked). Junctions must be
  nucleotides (``ACGTN``). Row problems are collected into :class:`~mrdguide.errors.IngestError`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import airr
from airr.schema import RearrangementSchema

from mrdguide.errors import AssayError, IngestError, IngestIssue
from mrdguide.mrd.ngs import Clonotype, CountBasis, NGSSample

#: Count columns in order of preference, with what they measure.
COUNT_COLUMNS: tuple[tuple[str, CountBasis], ...] = (
    ("umi_count", CountBasis.TEMPLATES),
    ("duplicate_count", CountBasis.READS),
    ("consensus_count", CountBasis.READS),
)
_NUCLEOTIDES = re.compile(r"^[ACGTN]+$", re.IGNORECASE)
_TRUE = {"t", "true", "1", "yes"}


def required_columns() -> tuple[str, ...]:
    """The AIRR Rearrangement required fields, from the installed ``airr`` schema."""
    return tuple(RearrangementSchema.required)


def _count_column(name: str, fields: list[str]) -> tuple[str, CountBasis]:
    missing = [c for c in required_columns() if c not in fields]
    count = next(((c, b) for c, b in COUNT_COLUMNS if c in fields), None)
    if count is None:
        missing.append(" | ".join(c for c, _ in COUNT_COLUMNS))
    if missing:
        raise AssayError(
            f"{name}: not a usable AIRR Rearrangement file; missing column(s): "
            f"{', '.join(missing)}.",
            field="columns",
            value=missing,
            rule="AIRR required fields plus a count column",
        )
    assert count is not None
    return count


def _row_count(row: dict[str, Any], col: str) -> float | None:
    v = row.get(col)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
        return None
    return float(v)


def _locus(row: dict[str, Any]) -> str:
    loc = str(row.get("locus") or "").strip().upper()
    return loc or str(row.get("v_call") or "")[:3].upper()


class _Collector:
    """Accumulates rows of one file."""

    def __init__(self, name: str, col: str) -> None:
        self.name, self.col = name, col
        self.issues: list[IngestIssue] = []
        self.clones: list[Clonotype] = []
        self.spike_reads = 0.0
        self.has_spike = False
        self.cells: set[float] = set()

    def bad(self, i: int, fld: str, value: object, rule: str) -> None:
        self.issues.append(IngestIssue(file=self.name, row=i, field=fld, value=value, rule=rule))

    def add(self, i: int, row: dict[str, Any]) -> None:
        n = _row_count(row, self.col)
        if n is None:
            self.bad(i, self.col, row.get(self.col), "count must be a number >= 0")
            return
        ce = str(row.get("cell_equivalents") or "").strip()
        if ce:
            try:
                self.cells.add(float(ce))
            except ValueError:
                self.bad(i, "cell_equivalents", ce, "must be a number")
        if str(row.get("spike_in") or "").strip().lower() in _TRUE:
            self.has_spike = True
            self.spike_reads += n
            return
        junction = str(row.get("junction") or "").strip()
        if not junction:
            return
        if not _NUCLEOTIDES.match(junction):
            self.bad(i, "junction", junction, "junction must be nucleotides (ACGTN)")
            return
        self.clones.append(
            Clonotype(
                junction=junction.upper(),
                count=n,
                locus=_locus(row),
                v_call=str(row.get("v_call") or ""),
                j_call=str(row.get("j_call") or ""),
                sequence_id=str(row.get("sequence_id") or ""),
            )
        )


def read_airr_sample(path: str | Path) -> NGSSample:
    """Read one AIRR Rearrangement TSV into an :class:`~mrdguide.mrd.NGSSample`.

    Parameters
    ----------
    path : str or Path
        Tab-separated AIRR Rearrangement file.

    Returns
    -------
    NGSSample

    Raises
    ------
    AssayError
        Required columns are missing (all are named).
    IngestError
        Rows fail validation (every problem is listed).
    FileNotFoundError
        The file does not exist.
    """
    p = Path(path)
    with p.open(newline="", encoding="utf-8") as fh:
        reader = airr.RearrangementReader(fh, validate=True)
        col, basis = _count_column(p.name, list(reader.fields or []))
        acc = _Collector(p.name, col)
        i = 0
        while True:
            i += 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except (airr.ValidationError, ValueError) as exc:
                acc.bad(i, "", None, f"AIRR validation: {exc}")
                continue
            acc.add(i, row)
    if len(acc.cells) > 1:
        acc.bad(0, "cell_equivalents", sorted(acc.cells), "must be the same on every row")
    if acc.issues:
        raise IngestError(acc.issues)
    return NGSSample(
        clonotypes=tuple(acc.clones),
        count_basis=basis,
        spike_in_reads=acc.spike_reads if acc.has_spike else None,
        cell_equivalents=next(iter(acc.cells)) if acc.cells else None,
        name=p.name,
    )
