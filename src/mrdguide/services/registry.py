"""Registry workflows: initialise, import cohort files, export the cohort.

Every function takes a :class:`~mrdguide.store.Registry` (a unit of work) or plain values and
returns data; the caller chooses every path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mrdguide.domain import Case
from mrdguide.errors import IngestIssue
from mrdguide.io import read_cohort, write_cohort
from mrdguide.services.files import private_dir
from mrdguide.services.workspace import Workspace
from mrdguide.store import ImportSummary, Registry, head_revision

#: Table kinds a cohort file may be read as (``--kind``).
TABLE_KINDS: tuple[str, ...] = ("wide", "patients", "genetics", "mrd", "events", "case")
OnInvalid = Literal["raise", "skip"]
Progress = Callable[[int, int], None]

__all__ = [
    "TABLE_KINDS",
    "ExportResult",
    "ImportResult",
    "RegistryInfo",
    "ValidatedImport",
    "export_cohort",
    "import_files",
    "issue_dict",
    "registry_info",
    "store_import",
    "validate_files",
]


def issue_dict(i: IngestIssue) -> dict[str, Any]:
    """One validation issue as a JSON-ready dictionary (file, row, field, value, rule)."""
    value = (
        i.value
        if i.value is None or isinstance(i.value, str | int | float | bool)
        else str(i.value)
    )
    return {"file": i.file, "row": i.row, "field": i.field, "value": value, "rule": i.rule}


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryInfo:
    """Where the registry is and what it holds."""

    url: str
    revision: str
    patients: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"url": self.url, "revision": self.revision, "patients": self.patients}


def registry_info(ws: Workspace) -> RegistryInfo:
    """The registry's URL, schema revision and patient count."""
    reg = ws.registry(actor="-")
    return RegistryInfo(url=reg.url, revision=head_revision(), patients=reg.count_patients())


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidatedImport:
    """Validated cases of an import, not yet stored."""

    cases: tuple[Case, ...]
    skipped: tuple[str, ...]
    issues: tuple[IngestIssue, ...]
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    """What an import wrote, and which patients were skipped (``on_invalid="skip"``) and why."""

    summary: ImportSummary
    skipped: tuple[str, ...]
    issues: tuple[IngestIssue, ...]
    source: str

    @property
    def n_cases(self) -> int:
        """Cases read and validated."""
        s = self.summary
        return len(s.added) + len(s.updated) + len(s.unchanged)

    def to_dict(self) -> dict[str, Any]:
        """Counts, id lists, skipped patients and their issues."""
        return self.summary.to_dict() | {
            "skipped": list(self.skipped),
            "issues": [issue_dict(i) for i in self.issues],
            "source": self.source,
        }


def validate_files(
    paths: Sequence[Path],
    *,
    on_invalid: OnInvalid = "raise",
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> ValidatedImport:
    """Read and validate cohort files (nothing is written).

    Parameters
    ----------
    paths : sequence of Path
        CSV/TSV, Excel, Parquet or case JSON files, or folders of them.
    on_invalid : {"raise", "skip"}, optional
        Reject the whole import on any problem (default), or drop the bad patients.
    kinds : sequence of str, optional
        One table kind for every file, or one per file (see :data:`TABLE_KINDS`).
    progress : callable, optional
        ``progress(done, total)`` while cases are validated.

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    IngestError
        Listing every problem.
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    kind: str | list[str] | None = None
    if kinds:
        kind = kinds[0] if len(kinds) == 1 else list(kinds)
    read = read_cohort(list(paths), on_invalid=on_invalid, kind=kind, progress=progress)
    return ValidatedImport(
        cases=read.cases,
        skipped=read.skipped,
        issues=read.issues,
        source=", ".join(p.name for p in paths),
    )


def store_import(
    reg: Registry,
    validated: ValidatedImport,
    *,
    amend_reason: str | None = None,
    as_draft: bool = False,
) -> ImportResult:
    """Store validated cases as versions in one transaction (idempotent on unchanged cases).

    Imported records are authorised (historical data, recorded with the importing actor and the
    source file) unless ``as_draft``. A stored record the import would change needs an
    ``amend_reason``; otherwise :class:`~mrdguide.errors.ConflictError` lists them all and
    nothing is written.
    """
    summary = reg.add_cases(
        validated.cases, source=validated.source, amend_reason=amend_reason, as_draft=as_draft
    )
    return ImportResult(
        summary=summary, skipped=validated.skipped, issues=validated.issues,
        source=validated.source,
    )  # fmt: skip


def import_files(
    reg: Registry,
    paths: Sequence[Path],
    *,
    on_invalid: OnInvalid = "raise",
    kinds: Sequence[str] | None = None,
    progress: Progress | None = None,
    amend_reason: str | None = None,
    as_draft: bool = False,
) -> ImportResult:
    """:func:`validate_files` then :func:`store_import`: nothing is written unless all is valid.

    Raises
    ------
    FileNotFoundError
        If a path does not exist (nothing is written).
    IngestError
        Listing every problem (nothing is written).
    """
    validated = validate_files(paths, on_invalid=on_invalid, kinds=kinds, progress=progress)
    return store_import(reg, validated, amend_reason=amend_reason, as_draft=as_draft)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportResult:
    """The file written and how many cases it holds."""

    path: Path
    cases: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"out": str(self.path), "cases": self.cases}


def export_cohort(reg: Registry, out: Path) -> ExportResult:
    """Write every registered case to ``out`` (``.json``, ``.csv`` or ``.parquet``), mode 0600.

    Raises
    ------
    InputError
        If the suffix is unsupported or a case does not fit the wide layout.
    """
    cases = list(reg.iter_cases())
    private_dir(out.parent)
    path = write_cohort(cases, out)
    path.chmod(0o600)
    return ExportResult(path=path, cases=len(cases))
