"""Read an RQ-PCR plate from CSV: one row per well.

Layout (header names are case-insensitive; extra columns are ignored)::

    sample,sample_type,marker,dilution,ct,replicate
    STD,standard,IGH-1,1e-1,24.41,1
    BG,background,IGH-1,,Undetermined,1
    DX,diagnosis,ALB,,25.02,1
    FU-d33,follow_up,IGH-1,,36.12,1
    FU-d33,follow_up,ALB,,25.40,1
    NTC,ntc,IGH-1,,Undetermined,1

=========== ========= =========================================================================
column      required  content
=========== ========= =========================================================================
sample      yes       sample name (the follow-up sample is chosen by this name)
sample_type yes       ``standard``, ``diagnosis``, ``follow_up``, ``background`` or ``ntc``
marker      yes       assay name; the control gene is ``ALB`` unless configured otherwise
dilution    standard  fraction of diagnostic DNA in (0, 1] (``1e-3``); percentages are rejected
ct          yes       threshold cycle in (0, 60], or ``Undetermined`` for no amplification
replicate   no        replicate number (integer)
=========== ========= =========================================================================

Every problem in the file is collected and raised together as
:class:`~mrdguide.errors.IngestError`, each naming file, row, field, value and rule.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from mrdguide.errors import IngestError, IngestIssue
from mrdguide.mrd.pcr import Well, WellType

REQUIRED_COLUMNS: tuple[str, ...] = ("sample", "sample_type", "marker", "ct")
OPTIONAL_COLUMNS: tuple[str, ...] = ("dilution", "replicate")
#: Spelling of "no amplification" accepted in the ``ct`` column (case-insensitive).
NO_AMPLIFICATION = "undetermined"


def _parse_ct(raw: str) -> tuple[float | None, str | None]:
    if raw.strip().lower() == NO_AMPLIFICATION:
        return None, None
    try:
        ct = float(raw)
    except ValueError:
        return None, "ct must be a number or 'Undetermined'"
    if not (math.isfinite(ct) and 0 < ct <= 60):
        return None, "ct must be in (0, 60]"
    return ct, None


def _parse_dilution(raw: str, required: bool) -> tuple[float | None, str | None]:
    text = raw.strip()
    if not text:
        return None, ("a standard needs a dilution" if required else None)
    if text.endswith("%"):
        return None, "dilution must be a fraction (e.g. 1e-3), not a percentage"
    try:
        d = float(text)
    except ValueError:
        return None, "dilution must be a number"
    if not (math.isfinite(d) and 0 < d <= 1):
        return None, "dilution must be a fraction in (0, 1]; a percentage must be divided by 100"
    return d, None


def _parse_row(name: str, i: int, row: dict[str, str], issues: list[IngestIssue]) -> Well | None:
    def bad(fld: str, value: object, rule: str) -> None:
        issues.append(IngestIssue(file=name, row=i, field=fld, value=value, rule=rule))

    kind_raw = row.get("sample_type", "").strip().lower()
    try:
        kind = WellType(kind_raw)
    except ValueError:
        bad("sample_type", kind_raw, f"must be one of {[t.value for t in WellType]}")
        return None
    n_before = len(issues)
    for fld in ("sample", "marker"):
        if not row.get(fld, "").strip():
            bad(fld, row.get(fld), "must not be empty")
    ct, err = _parse_ct(row.get("ct", ""))
    if err:
        bad("ct", row.get("ct"), err)
    dil, err = _parse_dilution(row.get("dilution", "") or "", kind is WellType.STANDARD)
    if err:
        bad("dilution", row.get("dilution"), err)
    rep: int | None = None
    rep_raw = (row.get("replicate", "") or "").strip()
    if rep_raw:
        try:
            rep = int(rep_raw)
        except ValueError:
            bad("replicate", rep_raw, "replicate must be an integer")
    if len(issues) > n_before:
        return None
    return Well(
        sample=row["sample"].strip(),
        sample_type=kind,
        marker=row["marker"].strip(),
        ct=ct,
        dilution=dil,
        replicate=rep,
        row=i,
    )


def read_pcr_plate(path: str | Path) -> tuple[Well, ...]:
    """Read and validate a plate CSV (layout in the module docstring).

    Parameters
    ----------
    path : str or Path
        CSV file, UTF-8, comma separated, with a header row.

    Returns
    -------
    tuple of Well

    Raises
    ------
    IngestError
        Missing columns or invalid rows; every problem is listed.
    FileNotFoundError
        The file does not exist.
    """
    p = Path(path)
    with p.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise IngestError(
                [
                    IngestIssue(
                        file=p.name,
                        row=None,
                        field=None,
                        value=missing,
                        rule=f"missing required column(s) {missing}",
                    )
                ]
            )
        reader.fieldnames = header
        issues: list[IngestIssue] = []
        wells = []
        for i, row in enumerate(reader, start=1):
            w = _parse_row(p.name, i, row, issues)
            if w is not None:
                wells.append(w)
    if issues:
        raise IngestError(issues)
    if not wells:
        raise IngestError(
            [
                IngestIssue(
                    file=p.name, row=None, field=None, value=None, rule="the file has no wells"
                )
            ]
        )
    return tuple(wells)
