"""``mrdguide init | import | patients list|show | export``: the cohort registry commands.

Exit codes: 0 OK; 3 the input failed validation and nothing was written (issue report on
stderr, or as JSON on stdout with ``--format json``); 4 a patient or file does not exist;
1 the registry could not be opened or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    print_issues,
    workspace,
)
from mrdguide.services import cohort, registry
from mrdguide.services.cohort import PatientRecord
from mrdguide.services.registry import TABLE_KINDS, ValidatedImport

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Registry URL (default: MRDGUIDE_DATABASE_URL, else user data dir)."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="Name for the audit log (default: MRDGUIDE_ACTOR, else OS user)."),
]

#: Show a progress bar only when at least this many cases are validated.
PROGRESS_MIN_CASES = 200


def _init(ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """Create the registry (or upgrade its schema) and show where it is."""
    with workspace(ctx, db, create=True) as ws:
        info = registry.registry_info(ws)
    if fmt is OutputFormat.JSON:
        emit_json(info.to_dict())
        return
    console = Console()
    console.print(f"Registry ready: {info.url} (schema {info.revision}, "
                  f"{info.patients} patients)", highlight=False)  # fmt: skip
    console.print(disclaimer_footer())


def _validate_with_progress(paths: Sequence[Path], **kw: Any) -> ValidatedImport:
    console = Console(stderr=True)
    columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("validate", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total >= PROGRESS_MIN_CASES and console.is_terminal:
                bar.update(task, completed=done, total=total, visible=True)

        return registry.validate_files(paths, progress=progress, **kw)


def _import(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="CSV/XLSX/Parquet/JSON files or folders.")],
    db: DbOpt = None,
    on_invalid: Annotated[
        str,
        typer.Option("--on-invalid", help="raise: reject the whole import; skip: drop bad rows."),
    ] = "raise",
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="wide|patients|genetics|mrd|events|case (once, or per file)."),
    ] = None,
    actor: ActorOpt = None,
    amend: Annotated[
        bool, typer.Option("--amend", help="Store new versions of changed records (--reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why records change.")] = None,
    as_draft: Annotated[
        bool, typer.Option("--as-draft", help="Record as drafts to review (default: authorised).")
    ] = False,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Validate cohort files and import them; nothing is written unless all is valid.

    Imported records are historical, already-authorised data (recorded with the importing actor
    and the file name) unless --as-draft. A re-import that changes a stored record is refused
    (exit 6) unless --amend --reason TEXT; an unchanged re-import changes nothing.
    """
    if on_invalid not in ("raise", "skip"):
        fail(f"--on-invalid must be 'raise' or 'skip'; got {on_invalid!r}", ExitCode.USAGE)
    kinds = list(kind or [])
    bad = [k for k in kinds if k not in TABLE_KINDS]
    if bad:
        fail(f"--kind {bad[0]!r}: must be one of {', '.join(TABLE_KINDS)}", ExitCode.USAGE)
    if amend != bool(reason and reason.strip()):
        fail("--amend and --reason TEXT go together", ExitCode.USAGE)
    if len(kinds) > 1 and len(kinds) != len(paths):
        fail(f"give one --kind for all files or one per file ({len(paths)})", ExitCode.USAGE)
    validated = _validate_with_progress(paths, on_invalid=on_invalid, kinds=kinds or None)
    with workspace(ctx, db, create=True) as ws:
        result = registry.store_import(
            ws.registry(actor), validated, amend_reason=reason if amend else None,
            as_draft=as_draft,
        )  # fmt: skip
    if fmt is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    if result.issues:
        print_issues(result.issues, title=f"Skipped {len(result.skipped)} patient(s):")
    s = result.summary
    Console().print(
        f"Imported {result.n_cases} case(s): {len(s.added)} added, {len(s.updated)} updated, "
        f"{len(s.unchanged)} unchanged.", highlight=False,
    )  # fmt: skip
    Console().print(disclaimer_footer())


def _list(ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """List registered patients."""
    with workspace(ctx, db) as ws:
        rows = cohort.list_patients(ws.registry())
    if fmt is OutputFormat.JSON:
        emit_json([r.to_dict() for r in rows])
        return
    table = Table(title=f"{len(rows)} patient(s)", title_justify="left")
    for col in ("patient", "age (y)", "sex", "lineage", "WBC /µL", "NCI", "genetics", "MRD"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.patient_id, _num(r.age_years), r.sex or "-", r.immunophenotype or "-",
            _num(r.wbc_per_ul, ",.0f"), r.nci_risk or "-", "yes" if r.has_genetics else "-",
            ", ".join(r.mrd_timepoints) or "-",
        )  # fmt: skip
    console = Console()
    console.print(table)
    console.print(disclaimer_footer())


def _num(v: float | None, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def _show(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Show one patient's case document."""
    with workspace(ctx, db) as ws:
        record = cohort.patient_record(ws.registry(), patient_id)
    if fmt is OutputFormat.JSON:
        emit_json(record.to_dict())
        return
    _print_record(record)


def _print_record(record: PatientRecord) -> None:
    doc = record.to_dict()
    console = Console()
    fields = Table(title=f"Patient {record.case.patient_id}", show_header=False,
                   title_justify="left")  # fmt: skip
    for k, v in doc.items():
        if k not in {"mrd", "treatments", "outcomes", "genetics", "assignments"}:
            fields.add_row(k, str(v))
    for k, v in doc.get("genetics", {}).items():
        fields.add_row(f"genetics.{k}", str(v))
    fields.add_row("stored risk assignments", str(len(record.assignments)))
    console.print(fields)
    for key in ("mrd", "treatments", "outcomes"):
        items = doc.get(key, [])
        if items:
            cols = list(dict.fromkeys(k for it in items for k in it))
            t = Table(title=key, title_justify="left")
            for c in cols:
                t.add_column(c)
            for it in items:
                t.add_row(*(str(it.get(c, "")) for c in cols))
            console.print(t)
    console.print(disclaimer_footer())


def _export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="FILE.json, FILE.csv or FILE.parquet.")],
    db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Export every registered case (JSON is lossless; CSV/Parquet use the wide layout)."""
    with workspace(ctx, db) as ws:
        res = registry.export_cohort(ws.registry(), out)
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict())
        return
    Console().print(f"Exported {res.cases} case(s) to {res.path}", highlight=False)
    Console().print(disclaimer_footer())


def register(app: typer.Typer) -> None:
    """Add ``init``, ``import``, ``patients`` and ``export`` to ``app``."""
    app.command("init")(_init)
    app.command("import")(_import)
    patients = typer.Typer(help="List or show registered patients.", no_args_is_help=True)
    patients.command("list")(_list)
    patients.command("show")(_show)
    app.add_typer(patients, name="patients")
    app.command("export")(_export)
