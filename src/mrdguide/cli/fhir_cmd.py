"""``mrdguide fhir export | import``: FHIR R4B/R5 Bundles of MRD results, reports and risk.

Exit codes: 0 OK; 2 bad options or unknown protocol; 3 the file failed validation and nothing
was written (file/row/field/value/rule table); 4 unknown patient or missing file; 6 the import
would change a stored result (re-run with --amend --reason TEXT).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    settings_of,
    workspace,
)
from mrdguide.protocols import available_protocols
from mrdguide.services import fhir as fhir_service

fhir_app = typer.Typer(help="Exchange MRD results with hospital systems as FHIR R4B/R5 Bundles.")

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
FmtOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
MapOpt = Annotated[
    Path | None,
    typer.Option("--mapping", help="The laboratory's coding map (TOML): extra codes, e.g. LOINC."),
]
ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Name for the audit log (default: MRDGUIDE_ACTOR).")
]
VERSIONS = {"R4B": fhir_service.FHIRVersion.R4B, "R5": fhir_service.FHIRVersion.R5}
REPORTS = ("pdf", "html", "none")


def _protocols(values: list[str] | None, default: str) -> tuple[str, ...]:
    known = available_protocols()
    chosen = list(values or [default])
    if "all" in chosen:
        return tuple(known)
    bad = [p for p in chosen if p not in known]
    if bad:
        fail(f"unknown protocol {bad[0]!r}; available: {', '.join(known)}", ExitCode.USAGE)
    return tuple(dict.fromkeys(chosen))


def _version(value: str) -> fhir_service.FHIRVersion:
    found = VERSIONS.get(value.upper())
    if found is None:
        fail(f"--version must be R4B or R5; got {value!r}", ExitCode.USAGE)
    return found


def _need_fhir() -> None:
    if not fhir_service.fhir_available():
        fail(
            "FHIR needs the 'fhir' extra (fhir.resources): pip install 'mrdguide[fhir]'",
            ExitCode.FAILURE,
        )


@fhir_app.command("export")
def _export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="FILE.json (one patient) or FILE.ndjson.")],
    patient_id: Annotated[
        str | None, typer.Argument(help="Registered patient id (or --cohort for everyone).")
    ] = None,
    version: Annotated[str, typer.Option("--version", help="FHIR release: R4B or R5.")] = "R4B",
    cohort: Annotated[
        bool, typer.Option("--cohort", help="Every registered patient, one Bundle a line (NDJSON).")
    ] = False,
    db: DbOpt = None,
    protocol: Annotated[
        list[str] | None,
        typer.Option("--protocol", help="RiskAssessment per protocol (repeatable; 'all')."),
    ] = None,
    mapping: MapOpt = None,
    include_drafts: Annotated[
        bool,
        typer.Option("--include-drafts", help="Newest versions, drafts as 'preliminary'."),
    ] = False,
    report: Annotated[
        str | None,
        typer.Option(
            "--report", help="presentedForm: pdf|html|none (default pdf; none: --cohort)."
        ),
    ] = None,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Write a patient's FHIR Bundle (type collection): Patient, Specimens, one Observation per
    MRD result, the DiagnosticReport with the patient report, a RiskAssessment per protocol and
    the Provenance of every review step. With --cohort, one Bundle per patient as NDJSON."""
    if cohort == (patient_id is not None):
        fail("give a PATIENT_ID or --cohort (not both)", ExitCode.USAGE)
    chosen = report or ("none" if cohort else "pdf")
    if chosen not in REPORTS:
        fail(f"--report must be one of {', '.join(REPORTS)}; got {chosen!r}", ExitCode.USAGE)
    settings = settings_of(ctx)
    opts = fhir_service.ExportOptions(
        version=_version(version),
        protocols=_protocols(protocol, settings.default_protocol),
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0),
        app_version=__version__,
        coding_map=fhir_service.load_coding_map(mapping),
        include_drafts=include_drafts,
        report=chosen,  # type: ignore[arg-type]
    )
    _need_fhir()
    with workspace(ctx, db) as ws:
        reg = ws.registry()
        if cohort:
            res = fhir_service.export_cohort(reg, out, opts)
        else:
            res = fhir_service.export_patient(reg, str(patient_id), out, opts)
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    console = Console()
    what = "Bundles" if cohort else "Bundle"
    console.print(
        f"FHIR {res.version.value} {what} for {res.patients} patient(s), {res.results} MRD "
        f"result(s), presentedForm {res.report}: {res.path}",
        highlight=False,
    )
    for note in res.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(disclaimer_footer())


@fhir_app.command("import")
def _import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A Bundle (.json) or bulk NDJSON (.ndjson).")],
    db: DbOpt = None,
    mapping: MapOpt = None,
    version: Annotated[
        str, typer.Option("--version", help="Validate as R4B, R5, or auto (R5, then R4B).")
    ] = "auto",
    actor: ActorOpt = None,
    amend: Annotated[
        bool, typer.Option("--amend", help="Store new versions of changed results (--reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why results change.")] = None,
    as_draft: Annotated[
        bool, typer.Option("--as-draft", help="Record every result as a draft to review.")
    ] = False,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Import the MRD Observations of a Bundle (mrdguide's, or another system's with a coding
    map) through the validated, versioned import; nothing is written on any problem.

    'final'/'amended' results are stored as authorised, 'preliminary' ones as drafts. A value
    in % is converted to a fraction only when its unit says %, and the conversion is listed.
    """
    if amend != bool(reason and reason.strip()):
        fail("--amend and --reason TEXT go together", ExitCode.USAGE)
    _need_fhir()
    versions = tuple(VERSIONS.values()) if version.lower() == "auto" else (_version(version),)
    cmap = fhir_service.load_coding_map(mapping)
    with workspace(ctx, db, create=True) as ws:
        res = fhir_service.import_fhir(
            ws.registry(actor),
            file,
            coding_map=cmap,
            versions=versions,
            amend_reason=reason if amend else None,
            as_draft=as_draft,
        )
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    console = Console()
    s = res.summary
    console.print(
        f"Imported from {res.source}: {res.authorised} authorised and {res.drafts} draft MRD "
        f"result(s); patients {len(s.added)} added, {len(s.updated)} updated, "
        f"{len(s.unchanged)} unchanged.",
        highlight=False,
    )
    for note in res.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(disclaimer_footer())


def register(app: typer.Typer) -> None:
    """Add ``fhir`` to the app."""
    app.add_typer(fhir_app, name="fhir")
