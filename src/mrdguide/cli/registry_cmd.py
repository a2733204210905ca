"""``mrdguide init | import | patients list|show | export``: the cohort registry commands.

Exit codes: 0 OK; 3 the input failed validation and nothing was written (issue report on
stderr, or as JSON on stdout with ``--format json``); 4 a patient or file does not exist;
1 the registry could not be opened or written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

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
)
from mrdguide.domain import Case, case_to_dict
from mrdguide.errors import IngestError, IngestIssue, InputError, NotFoundError, StoreError

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Registry URL (default: MRDGUIDE_DATABASE_URL, else user data dir)."),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Name recorded in the audit log (default: OS user).")
]

#: Show a progress bar only when at least this many cases are validated.
PROGRESS_MIN_CASES = 200


def _stderr() -> Console:
    return Console(stderr=True)


@contextmanager
def registry_errors() -> Iterator[None]:
    """Map registry errors to exit codes."""
    try:
        yield
    except NotFoundError as exc:
        fail(str(exc), ExitCode.NOT_FOUND)
    except StoreError as exc:
        fail(str(exc), ExitCode.FAILURE)


def issues_json(issues: Sequence[IngestIssue]) -> list[dict[str, Any]]:
    """Issues as JSON-ready dictionaries."""
    return [
        {
            "file": i.file,
            "row": i.row,
            "field": i.field,
            "value": _jsonable(i.value),
            "rule": i.rule,
        }
        for i in issues
    ]


def _jsonable(v: Any) -> Any:
    return v if v is None or isinstance(v, str | int | float | bool) else str(v)


def print_issues(issues: Sequence[IngestIssue], *, title: str) -> None:
    """Print an issue report as a table on stderr."""
    table = Table(title=title, title_justify="left")
    for col in ("file", "row", "field", "value", "rule"):
        table.add_column(col, overflow="fold")
    for i in issues:
        table.add_row(
            Path(i.file).name, "-" if i.row is None else str(i.row), i.field or "-",
            "-" if i.value is None else str(i.value), i.rule,
        )  # fmt: skip
    _stderr().print(table)


def read_with_progress(
    paths: Sequence[Path], *, on_invalid: str, kind: Sequence[str] | None
) -> Any:
    """:func:`mrdguide.io.read_cohort` with a progress bar on long imports (terminals only)."""
    from mrdguide.io import read_cohort

    console = _stderr()
    columns = (TextColumn("validating"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("validate", total=None, visible=False)

        def progress(done: int, total: int) -> None:
            if total >= PROGRESS_MIN_CASES and console.is_terminal:
                bar.update(task, completed=done, total=total, visible=True)

        kinds = None if not kind else (kind[0] if len(kind) == 1 else list(kind))
        return read_cohort(paths, on_invalid=on_invalid, kind=kinds, progress=progress)  # type: ignore[arg-type]


def _init(db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """Create the registry (or upgrade its schema) and show where it is."""
    from mrdguide.store import open_registry
    from mrdguide.store._migrate import head_revision

    with registry_errors(), open_registry(db, create=True) as reg:
        info = {"url": reg.url, "revision": head_revision(), "patients": reg.count_patients()}
    if fmt is OutputFormat.JSON:
        emit_json(info)
        return
    console = Console()
    console.print(f"Registry ready: {info['url']} (schema {info['revision']}, "
                  f"{info['patients']} patients)", highlight=False)  # fmt: skip
    console.print(disclaimer_footer())


def _import(
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
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Validate cohort files and import them; nothing is written unless all is valid."""
    from mrdguide.store import open_registry

    if on_invalid not in ("raise", "skip"):
        fail(f"--on-invalid must be 'raise' or 'skip'; got {on_invalid!r}", ExitCode.USAGE)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file: {', '.join(missing)}", ExitCode.NOT_FOUND)
    try:
        result = read_with_progress(paths, on_invalid=on_invalid, kind=kind)
    except IngestError as exc:
        _report_rejected(exc.issues, fmt)
    except ValueError as exc:
        fail(str(exc), ExitCode.USAGE)
    source = ", ".join(p.name for p in paths)
    with registry_errors(), open_registry(db, create=True, actor=actor) as reg:
        summary = reg.add_cases(result.cases, source=source)
    out = summary.to_dict() | {
        "skipped": list(result.skipped),
        "issues": issues_json(result.issues),
    }
    if fmt is OutputFormat.JSON:
        emit_json(out)
        return
    if result.issues:
        print_issues(result.issues, title=f"Skipped {len(result.skipped)} patient(s):")
    Console().print(
        f"Imported {len(result.cases)} case(s): {out['added']} added, {out['updated']} updated, "
        f"{out['unchanged']} unchanged.", highlight=False,
    )  # fmt: skip
    Console().print(disclaimer_footer())


def _report_rejected(issues: Sequence[IngestIssue], fmt: OutputFormat) -> NoReturn:
    if fmt is OutputFormat.JSON:
        emit_json({"error": "invalid input; nothing was written", "issues": issues_json(issues)})
    else:
        print_issues(issues, title=f"{len(issues)} problem(s) found; nothing was written")
    fail("", ExitCode.INVALID_INPUT)


def _list(db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """List registered patients."""
    from mrdguide.store import open_registry

    with registry_errors(), open_registry(db, create=False) as reg:
        rows = reg.list_patients()
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
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Show one patient's case document."""
    from mrdguide.store import open_registry

    with registry_errors(), open_registry(db, create=False) as reg:
        case = reg.get_case(patient_id)
        assignments = reg.list_assignments(patient_id)
    if fmt is OutputFormat.JSON:
        emit_json(case_to_dict(case) | {"assignments": assignments})
        return
    _print_case(case, n_assignments=len(assignments))


def _print_case(case: Case, *, n_assignments: int) -> None:
    doc = case_to_dict(case)
    console = Console()
    fields = Table(title=f"Patient {case.patient_id}", show_header=False, title_justify="left")
    for k, v in doc.items():
        if k not in {"mrd", "treatments", "outcomes", "genetics"}:
            fields.add_row(k, str(v))
    for k, v in doc.get("genetics", {}).items():
        fields.add_row(f"genetics.{k}", str(v))
    fields.add_row("stored risk assignments", str(n_assignments))
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
    out: Annotated[Path, typer.Option("--out", help="FILE.json, FILE.csv or FILE.parquet.")],
    db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Export every registered case (JSON is lossless; CSV/Parquet use the wide layout)."""
    from mrdguide.io import write_cohort
    from mrdguide.store import open_registry

    with registry_errors(), open_registry(db, create=False) as reg:
        cases = list(reg.iter_cases())
    try:
        path = write_cohort(cases, out)
    except InputError as exc:
        fail(str(exc), ExitCode.INVALID_INPUT)
    except OSError as exc:
        fail(f"cannot write {out}: {exc}", ExitCode.FAILURE)
    if fmt is OutputFormat.JSON:
        emit_json({"out": str(path), "cases": len(cases)})
        return
    Console().print(f"Exported {len(cases)} case(s) to {path}", highlight=False)
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
