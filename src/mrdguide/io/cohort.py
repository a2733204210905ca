"""Read and validate a cohort from CSV, Excel, Parquet or case JSON files.

:func:`read_cohort` collects *every* problem as an :class:`~mrdguide.errors.IngestIssue`
(file, row, field, value, rule). With ``on_invalid="raise"`` (the default) any problem raises
:class:`~mrdguide.errors.IngestError` and nothing is returned, so nothing can be written.
With ``on_invalid="skip"`` bad rows, and every patient with a bad row, are dropped and the
issues are returned for the report. File-level problems (a missing required column, an
unreadable or truncated file) cannot be skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mrdguide.domain import Case
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io import _tables as t
from mrdguide.io._casejson import read_case_json
from mrdguide.io._readers import TABLE_SUFFIXES, RawTable, read_table_file
from mrdguide.io._validate import Tagged, build_case

OnInvalid = Literal["raise", "skip"]
Progress = Callable[[int, int], None]

_NAME_KINDS = {
    "patients": frozenset({"patients", "patient"}),
    "genetics": frozenset({"genetics", "genetic", "cytogenetics"}),
    "mrd": frozenset({"mrd"}),
    "events": frozenset({"events", "event", "outcomes"}),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CohortReadResult:
    """Validated cases and the problems found (empty unless ``on_invalid="skip"``)."""

    cases: tuple[Case, ...]
    issues: tuple[IngestIssue, ...]
    skipped: tuple[str, ...] = ()


def detect_kind(path: Path, sheet: str | None = None) -> str:
    """The table kind of a file, from its sheet name or its file name (``wide`` otherwise)."""
    if path.suffix.lower() == ".json":
        return "case"
    if sheet is not None and sheet.strip().lower() in t.KINDS:
        return sheet.strip().lower()
    tokens = set(re.split(r"[^a-z0-9]+", path.stem.lower()))
    for kind, names in _NAME_KINDS.items():
        if tokens & names:
            return kind
    return "wide"


def expand_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Files to read: directories expand to the supported files they contain, sorted."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    out: list[Path] = []
    for p in map(Path, items):
        if p.is_dir():
            out.extend(
                sorted(q for q in p.iterdir() if q.suffix.lower() in TABLE_SUFFIXES | {".json"})
            )
        else:
            out.append(p)
    return out


class _Collector:
    """Drafts keyed by patient id, plus every issue tagged with its patient (if known)."""

    def __init__(self) -> None:
        self.drafts: dict[str, t.Draft] = {}
        self.issues: list[Tagged] = []
        # Patients whose defining row is bad: their other rows are not reported again.
        self.bad_definitions: set[str] = set()

    def file_issues(self, issues: Iterable[IngestIssue]) -> None:
        self.issues.extend((i, None) for i in issues)

    def define(self, draft: t.Draft) -> None:
        first = self.drafts.get(draft.patient_id)
        if first is None:
            self.drafts[draft.patient_id] = draft
            return
        rule = (
            f"duplicate patient_id; first defined in {first.patient.file}, row {first.patient.row}"
        )
        p = draft.patient
        issue = IngestIssue(
            file=p.file, row=p.row, field="patient_id", value=draft.patient_id, rule=rule
        )
        self.issues.append((issue, draft.patient_id))


def _rows(
    c: _Collector, table: RawTable, kind: str
) -> Iterable[tuple[int, str, dict[str, object]]]:
    """Parsed rows with a patient id; bad cells and rows without an id become issues."""
    for row, cells in table.rows:
        values, issues = t.parse_row(table, kind, row, cells)
        pid = str(values.get("patient_id", "")).strip()
        if not pid:
            issues.append(
                IngestIssue(file=t.table_name(table), row=row, field="patient_id", value=None,
                            rule="patient_id is required")
            )  # fmt: skip
        c.issues.extend((i, pid or None) for i in issues)
        if pid and issues and kind in {"wide", "patients"}:
            c.bad_definitions.add(pid)
        if pid and not issues:
            values["patient_id"] = pid
            yield row, pid, values


def _define_from(c: _Collector, table: RawTable, kind: str) -> None:
    for row, _pid, values in _rows(c, table, kind):
        if kind == "wide":
            draft, issues = t.wide_parts(table, row, values)
            c.issues.extend((i, draft.patient_id) for i in issues)
        else:
            part = t.Part(doc=t.patient_doc(values), file=t.table_name(table), row=row)
            draft = t.Draft(patient_id=_pid, patient=part)
        c.define(draft)


def _attach_from(c: _Collector, table: RawTable, kind: str) -> None:
    name = t.table_name(table)
    for row, pid, values in _rows(c, table, kind):
        draft = c.drafts.get(pid)
        if draft is None and pid in c.bad_definitions:
            continue
        if draft is None:
            rule = "patient_id not defined by a patients, wide or case file of this import"
            c.issues.append(
                (IngestIssue(file=name, row=row, field="patient_id", value=pid, rule=rule), pid)
            )
            continue
        if kind == "genetics":
            _attach_genetics(c, draft, values, name, row)
        elif kind == "mrd":
            part = t.mrd_part(values, name, row)
            if part is not None:
                draft.mrd.append(part)
        else:
            target, part = t.event_part(values, name, row)
            getattr(draft, target).append(part)


def _attach_genetics(
    c: _Collector, draft: t.Draft, values: dict[str, object], file: str, row: int
) -> None:
    if draft.genetics is not None:
        first = draft.genetics
        rule = f"genetics given twice for this patient (also {first.file}, row {first.row})"
        c.issues.append(
            (
                IngestIssue(
                    file=file, row=row, field="patient_id", value=draft.patient_id, rule=rule
                ),
                draft.patient_id,
            )
        )
        return
    g = t.genetics_doc(values)
    draft.genetics = t.Part(doc=g or {}, file=file, row=row)


def _collect(paths: Sequence[Path], kinds: Sequence[str | None]) -> _Collector:
    c = _Collector()
    attach: list[tuple[RawTable, str]] = []
    for path, override in zip(paths, kinds, strict=True):
        if (override or detect_kind(path)) == "case":
            drafts, tagged = read_case_json(path)
            c.issues.extend(tagged)
            c.bad_definitions.update(pid for _, pid in tagged if pid is not None)
            for d in drafts:
                c.define(d)
            continue
        tables, issues = read_table_file(path)
        c.file_issues(i for i in issues if i.row is None)
        c.issues.extend((i, None) for i in issues if i.row is not None)
        for table in tables:
            kind = override or detect_kind(path, table.sheet)
            problems = t.check_columns(table, kind)
            if problems:
                c.file_issues(problems)
            elif kind in {"wide", "patients"}:
                _define_from(c, table, kind)
            else:
                attach.append((table, kind))
    for table, kind in attach:
        _attach_from(c, table, kind)
    return c


def _kinds(kind: str | Sequence[str] | None, n: int) -> list[str | None]:
    if kind is None or isinstance(kind, str):
        chosen: list[str | None] = [kind] * n
    else:
        chosen = list(kind)
        if len(chosen) != n:
            msg = f"give one kind for all files or one per file ({n}); got {len(chosen)}"
            raise ValueError(msg)
    for k in chosen:
        if k is not None and k not in t.KINDS:
            msg = f"unknown table kind {k!r}; must be one of {', '.join(t.KINDS)}"
            raise ValueError(msg)
    return chosen


def read_cohort(
    paths: str | Path | Iterable[str | Path],
    *,
    on_invalid: OnInvalid = "raise",
    kind: str | Sequence[str] | None = None,
    progress: Progress | None = None,
) -> CohortReadResult:
    """Read, validate and convert cohort files into :class:`~mrdguide.domain.Case` objects.

    Parameters
    ----------
    paths : path or iterable of paths
        CSV/TSV, Excel (``.xlsx``), Parquet or case JSON files, or directories of them. Linked
        long files are recognised by name (``patients``, ``genetics``, ``mrd``, ``events``);
        any other table is read as one wide file.
    on_invalid : {"raise", "skip"}, optional
        ``"raise"`` (default): any problem raises :class:`~mrdguide.errors.IngestError`
        listing all of them. ``"skip"``: drop bad rows and every patient with a bad row.
    kind : str or sequence of str, optional
        Override the detected kind (``wide``, ``patients``, ``genetics``, ``mrd``,
        ``events``, ``case``) for all files, or one kind per path.
    progress : callable, optional
        Called as ``progress(done, total)`` while cases are validated.

    Returns
    -------
    CohortReadResult
        Cases in order of first appearance; with ``"skip"``, the issues and skipped ids.

    Raises
    ------
    IngestError
        With ``"raise"`` on any problem; with ``"skip"`` on file-level problems.
    """
    if on_invalid not in ("raise", "skip"):
        msg = f"on_invalid must be 'raise' or 'skip'; got {on_invalid!r}"
        raise ValueError(msg)
    files = expand_paths(paths)
    c = _collect(files, _kinds(kind, len(files)))
    cases: list[Case] = []
    total = len(c.drafts)
    for done, draft in enumerate(c.drafts.values(), start=1):
        case, issues = build_case(draft)
        c.issues.extend(issues)
        if case is not None:
            cases.append(case)
        if progress is not None:
            progress(done, total)
    return _apply_policy(cases, c.issues, on_invalid)


def _apply_policy(
    cases: list[Case], tagged: list[Tagged], on_invalid: OnInvalid
) -> CohortReadResult:
    issues = sorted((i for i, _ in tagged), key=lambda i: (i.file, i.row or 0))
    fatal = [i for i, pid in tagged if i.row is None]
    if (on_invalid == "raise" and issues) or fatal:
        raise IngestError(issues)
    bad = {pid for _, pid in tagged if pid is not None}
    kept = tuple(c for c in cases if c.patient_id not in bad)
    return CohortReadResult(cases=kept, issues=tuple(issues), skipped=tuple(sorted(bad)))
