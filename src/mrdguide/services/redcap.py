"""REDCap workflows: import a dictionary and records through a site mapping; export a
REDCap-ready project for a registry cohort; pull the files from a REDCap API with PyCap.

Imported records are historical trial data: stored as authorised (unless ``as_draft``) through
:func:`mrdguide.services.interchange.import_drafts`, the versioned, transactional import every
cohort file uses. Rows whose form is not complete are flagged: skipped and listed (default), or
with ``incomplete="reject"`` the whole import is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mrdguide.errors import IngestError, InputError
from mrdguide.io.redcap_convert import read_redcap
from mrdguide.io.redcap_export import redcap_project
from mrdguide.io.redcap_mapping import load_site_mapping
from mrdguide.services.files import private_dir, write_private
from mrdguide.services.interchange import (
    InterchangeResult,
    MRDDraft,
    PatientDraft,
    import_drafts,
)
from mrdguide.store import Registry

Incomplete = Literal["skip", "reject"]
DICTIONARY_FILE = "redcap_dictionary.csv"
RECORDS_FILE = "redcap_records.csv"
MAPPING_FILE = "redcap_mapping.toml"
TOKEN_LENGTH = 32

__all__ = ["ExportedProject", "PulledFiles", "export_redcap", "import_redcap", "pull_redcap"]


def import_redcap(
    reg: Registry,
    dictionary: Path,
    records: Path,
    mapping: Path,
    *,
    amend_reason: str | None = None,
    as_draft: bool = False,
    incomplete: Incomplete = "skip",
) -> InterchangeResult:
    """Import REDCap records (flat or EAV) through a site mapping; nothing is written on error.

    Raises
    ------
    FileNotFoundError
        If a file does not exist.
    IngestError
        Every mapping or record problem (file, row, field, value, rule), or, with
        ``incomplete="reject"``, the rows whose form is not complete.
    ConflictError
        If a stored record would change and no ``amend_reason`` is given.
    """
    if not mapping.exists():
        raise FileNotFoundError(f"no such file: {mapping}")
    read = read_redcap(dictionary, records, load_site_mapping(mapping))
    if incomplete == "reject" and read.flagged:
        raise IngestError(read.flagged)
    drafts = [
        PatientDraft(
            patient_id=p.patient_id,
            doc=p.doc,
            file=p.file,
            row=p.row,
            fields=p.fields,
            mrd=[
                MRDDraft(doc=r.doc, date=r.date, file=r.file, row=r.row, fields=r.fields)
                for r in p.mrd
            ],
        )
        for p in read.patients
    ]
    notes = list(read.notes)
    if read.flagged:
        notes.append(f"{len(read.flagged)} row(s) not imported: their form is not complete")
    return import_drafts(
        reg,
        drafts,
        source=f"{dictionary.name} + {records.name}",
        amend_reason=amend_reason,
        as_draft=as_draft,
        notes=notes,
        flagged=read.flagged,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportedProject:
    """The files written and what they hold."""

    dictionary: Path
    records: Path
    mapping: Path
    patients: int
    mrd_results: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "dictionary": str(self.dictionary),
            "records": str(self.records),
            "mapping": str(self.mapping),
            "patients": self.patients,
            "mrd_results": self.mrd_results,
        }


def export_redcap(reg: Registry, out_dir: Path) -> ExportedProject:
    """Write a REDCap data dictionary, flat records and the matching site mapping for every
    registered case (authorised versions) into ``out_dir`` (files 0600, folder 0700)."""
    project = redcap_project(list(reg.iter_cases()))
    private_dir(out_dir)
    return ExportedProject(
        dictionary=write_private(out_dir / DICTIONARY_FILE, project.dictionary),
        records=write_private(out_dir / RECORDS_FILE, project.records),
        mapping=write_private(out_dir / MAPPING_FILE, project.mapping),
        patients=project.patients,
        mrd_results=project.mrd_results,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PulledFiles:
    """A REDCap project's dictionary and records, pulled through the API."""

    dictionary: Path
    records: Path
    forms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "dictionary": str(self.dictionary),
            "records": str(self.records),
            "forms": list(self.forms),
        }


def _check_api(url: str, token: str) -> None:
    # PyCap checks these with assert, which python -O removes: check them here.
    if not url.startswith(("https://", "http://")) or not url.endswith("/api/"):
        raise InputError(
            "the REDCap API URL must end with /api/",
            field="url",
            value=url,
            rule="http(s)://…/api/",
        )
    if len(token) != TOKEN_LENGTH or not token.isalnum():
        raise InputError(
            "a REDCap API token is 32 letters and digits",
            field="token",
            value=None,
            rule=f"{TOKEN_LENGTH} alphanumeric characters",
        )


def pull_redcap(url: str, token: str, out_dir: Path) -> PulledFiles:
    """Export the data dictionary and the flat raw records of a REDCap project (PyCap, the
    ``redcap`` extra) into ``out_dir`` (files 0600), for :func:`import_redcap`.

    Raises
    ------
    InputError
        If the URL or token is malformed.
    ImportError
        If PyCap is not installed.
    StoreError
        If the server refuses the request.
    """
    _check_api(url, token)
    try:
        from redcap.project import Project
        from redcap.request import RedcapError
    except ImportError as exc:
        msg = "REDCap API pulls need the 'redcap' extra (PyCap): pip install 'mrdguide[redcap]'"
        raise ImportError(msg) from exc
    from mrdguide.errors import StoreError

    try:
        project = Project(url, token)
        metadata = project.export_metadata(format_type="csv")
        records = project.export_records(format_type="csv", raw_or_label="raw", event_name="unique")
        forms = tuple(sorted(project.forms))  # PyCap builds forms from a set: sort it
    except (RedcapError, OSError, TypeError, KeyError, ValueError) as exc:
        raise StoreError(f"REDCap API request failed: {exc}") from exc
    # PyCap does not look at the HTTP status: check that the answers are what was asked for.
    meta, recs = str(metadata), str(records)
    if not meta.startswith("field_name,"):
        raise StoreError(f"REDCap API request failed: not a data dictionary: {meta[:200]!r}")
    first = meta.splitlines()[1].split(",", 1)[0] if meta.count("\n") >= 1 else ""
    if not first or not recs.startswith(first):
        raise StoreError(f"REDCap API request failed: not a records export: {recs[:200]!r}")
    private_dir(out_dir)
    return PulledFiles(
        dictionary=write_private(out_dir / DICTIONARY_FILE, meta),
        records=write_private(out_dir / RECORDS_FILE, recs),
        forms=forms,
    )
