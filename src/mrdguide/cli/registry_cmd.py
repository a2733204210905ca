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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    TableFormat,
    WideOpt,
    console,
    disclaimer_footer,
    emit_csv,
    emit_json,
    fail,
    print_issues,
    table,
    workspace,
)
from mrdguide.cli._patient_text import show_record
from mrdguide.domain import TIMEPOINT_ORDER
from mrdguide.domain.display import format_number
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.services import cohort, patient_query, registry
from mrdguide.services.patient_query import PatientSummary
from mrdguide.services.registry import TABLE_KINDS, ValidatedImport

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Registry URL (default: MRDGUIDE_DATABASE_URL, else user data dir)."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
TableFormatOpt = Annotated[
    TableFormat, typer.Option("--format", help="text, json or csv (codes and fractions).")
]
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


#: Rows a text listing shows when no --limit is given (JSON and CSV list every match).
TEXT_LIMIT = 50
_SUMMARY_FIELDS = ("patient_id", "age_years", "sex", "immunophenotype", "wbc_per_ul", "nci_risk",
                   "has_genetics", "mrd_timepoints", "n_outcomes", "n_drafts")  # fmt: skip


def _list(
    ctx: typer.Context,
    db: DbOpt = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=0, help=f"At most N patients (text default {TEXT_LIMIT}; 0: all)."
        ),
    ] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip the first N matches.")] = 0,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="Filter FIELD=VALUE, FIELD!=VALUE, FIELD>VALUE (<, <=, >=; id~TEXT), repeatable "
            "(all must hold). Fields: id, age, sex, lineage, wbc, nci, genetics, mrd, outcomes, "
            "drafts; e.g. --where age>=10 --where mrd=eoc.",
        ),
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option("--protocol", help="Show each patient's risk group under this protocol."),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", help="Only this risk group of --protocol (code or label)."),
    ] = None,
    wide: WideOpt = False,
    fmt: TableFormatOpt = TableFormat.TEXT,
) -> None:
    """List registered patients (authorised data), ordered by id, with filters and paging."""
    query = _query(where, protocol, group, limit, offset, fmt)
    with workspace(ctx, db) as ws:
        page = patient_query.query_patients(ws.registry(), query)
    if fmt is TableFormat.JSON:
        emit_json(page.records())
    elif fmt is TableFormat.CSV:
        header = (*_SUMMARY_FIELDS, *(("risk_group",) if protocol else ()))
        emit_csv(header, (_csv_row(r, header) for r in page.records()))
    else:
        _print_patients(page, query, wide=wide)


def _query(
    where: list[str] | None, protocol: str | None, group: str | None, limit: int | None,
    offset: int, fmt: TableFormat,
) -> patient_query.PatientQuery:  # fmt: skip
    """Parse the options; a bad filter, protocol or group is a usage error (exit 2)."""
    if group is not None and protocol is None:
        fail("--group needs --protocol ID", ExitCode.USAGE)
    try:
        conds = tuple(patient_query.parse_where(w) for w in where or [])
    except InputError as exc:
        fail(f"--where {exc}", ExitCode.USAGE)
    code = None
    if group is not None and protocol is not None:
        try:
            code = patient_query.parse_group(protocol, group)
        except InputError as exc:
            fail(f"--group: {exc}", ExitCode.USAGE)
    if limit is None and fmt is TableFormat.TEXT:
        limit = TEXT_LIMIT
    return patient_query.PatientQuery(
        where=conds, protocol=protocol, group=code, limit=limit or None, offset=offset
    )


def _csv_row(d: dict[str, Any], header: Sequence[str]) -> list[object]:
    row = dict(d, mrd_timepoints=";".join(d["mrd_timepoints"]))
    return [str(v).lower() if isinstance(v, bool) else v for v in (row.get(k) for k in header)]


def _print_patients(
    page: patient_query.PatientPage, q: patient_query.PatientQuery, *, wide: bool
) -> None:
    cols = ["patient", "age (y)", "sex", "lineage", "WBC /µL", "NCI risk", "genetics",
            "MRD time points"]  # fmt: skip
    if q.protocol is not None:
        cols.append(f"risk group ({label('protocol', q.protocol)})")
    drafts = any(r.n_drafts for r in page.rows)
    if drafts:
        cols.append("drafts")
    t = table(
        _title(page, q), cols, numeric=("age (y)", "WBC /µL", "drafts"),
        no_wrap=("patient", "age (y)", "sex", "WBC /µL", "NCI risk", "genetics", "drafts"),
    )  # fmt: skip
    for r in page.rows:
        cells = [
            escape(r.patient_id), format_number(r.age_years, 3), label("sex", r.sex),
            label("immunophenotype", r.immunophenotype), format_number(r.wbc_per_ul, 3),
            label("nci_risk", r.nci_risk), "yes" if r.has_genetics else "–", _timepoints(r),
        ]  # fmt: skip
        if q.protocol is not None:
            cells.append(escape(label("group", page.groups.get(r.patient_id), protocol=q.protocol)))
        if drafts:
            cells.append(str(r.n_drafts))
        t.add_row(*cells)
    out = console(wide=wide)
    out.print(t)
    if len(page.rows) < page.matched:
        out.print("[dim]Use --limit and --offset for more (--limit 0 lists all).[/dim]")
    out.print(disclaimer_footer())


def _title(page: patient_query.PatientPage, q: patient_query.PatientQuery) -> str:
    n = len(page.rows)
    shown = f"{q.offset + 1}–{q.offset + n} of " if n and n < page.matched else ""
    filtered = bool(q.where) or q.group is not None
    noun = "patient" if page.matched == 1 else "patients"
    what = f"matching {noun}" if filtered else noun
    of = f" ({format_number(page.registered)} registered)" if filtered else ""
    if not n:
        return f"No matching patients (of {format_number(page.registered)} registered)"
    return f"{shown}{format_number(page.matched)} {what}{of}"


def _timepoints(r: PatientSummary) -> str:
    """MRD time points in treatment order (TIMEPOINT_ORDER), by their short labels."""
    rank = {tp.value: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    ordered = sorted(r.mrd_timepoints, key=lambda tp: rank.get(tp, len(rank)))
    return ", ".join(label("timepoint_short", tp) for tp in ordered) or "–"


def _show(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    db: DbOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Show one patient's case document and stored risk assignments."""
    with workspace(ctx, db) as ws:
        record = cohort.patient_record(ws.registry(), patient_id)
    if fmt is OutputFormat.JSON:
        emit_json(record.to_dict())
        return
    show_record(record, console(wide=wide))


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
