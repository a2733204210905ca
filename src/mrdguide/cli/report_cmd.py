"""``mrdguide report cohort|patient``: reports from the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail, settings_of, workspace
from mrdguide.protocols import available_protocols
from mrdguide.services import report as report_service

report_app = typer.Typer(help="Write cohort and patient reports (self-contained HTML).")

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Output folder (default: MRDGUIDE_REPORT_DIR or mrdguide-report)."),
]
ProtoOpt = Annotated[
    list[str] | None,
    typer.Option("--protocol", help="Protocol id (repeatable; 'all' for every protocol)."),
]
FmtOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]


def _protocols(values: list[str] | None, default: str) -> list[str]:
    known = available_protocols()
    chosen = list(values or [default])
    if "all" in chosen:
        return list(known)
    bad = [p for p in chosen if p not in known]
    if bad:
        fail(f"unknown protocol {bad[0]!r}; available: {', '.join(known)}", ExitCode.USAGE)
    return chosen


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@report_app.command("cohort")
def _cohort(
    ctx: typer.Context,
    db: DbOpt = None,
    out: OutOpt = None,
    protocol: ProtoOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write a PDF.")] = False,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Cohort outcome report; the first --protocol is primary, the rest form the what-if."""
    settings = settings_of(ctx)
    protos = _protocols(protocol, settings.default_protocol)
    with workspace(ctx, db) as ws:
        report = report_service.cohort_report(
            ws.registry(), primary=protos[0], protocols=protos, generated=_now(),
            version=__version__, pdf=pdf,
        )  # fmt: skip
    written = report_service.write_report(report, (out or settings.report_dir).resolve())
    if fmt is OutputFormat.JSON:
        emit_json(written.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    Console().print(
        f"Cohort report for {written.n_patients} patients: {written.html}\n"
        f"[dim]{SHORT_DISCLAIMER}[/dim]",
        highlight=False,
    )


@report_app.command("patient")
def _patient(
    ctx: typer.Context,
    patient_id: Annotated[str, typer.Argument(help="Registered patient id.")],
    db: DbOpt = None,
    out: OutOpt = None,
    protocol: ProtoOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write a PDF.")] = False,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Patient report: MRD trajectory, assignments with their rule trace, relapse estimate."""
    settings = settings_of(ctx)
    protos = _protocols(protocol, settings.default_protocol)
    with workspace(ctx, db) as ws:
        report = report_service.patient_report(
            ws.registry(), patient_id, protocols=protos, generated=_now(),
            version=__version__, pdf=pdf,
        )  # fmt: skip
    written = report_service.write_report(report, (out or settings.report_dir).resolve())
    if fmt is OutputFormat.JSON:
        emit_json(written.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    Console().print(f"Patient report: {written.html}\n[dim]{SHORT_DISCLAIMER}[/dim]",
                    highlight=False)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""
    app.add_typer(report_app, name="report")
