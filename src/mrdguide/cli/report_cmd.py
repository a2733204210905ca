"""``mrdguide report cohort|patient``: reports from the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail
from mrdguide.cli.registry_cmd import registry_errors
from mrdguide.protocols import available_protocols

report_app = typer.Typer(help="Write cohort and patient reports (self-contained HTML).")

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder.")]
ProtoOpt = Annotated[
    list[str] | None,
    typer.Option("--protocol", help="Protocol id (repeatable; 'all' for every protocol)."),
]
FmtOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]


def _protocols(values: list[str] | None) -> list[str]:
    known = available_protocols()
    chosen = list(values or ["aieop-bfm-all-2000"])
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
    db: DbOpt = None,
    out: OutOpt = Path("mrdguide-report"),
    protocol: ProtoOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write a PDF.")] = False,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Cohort outcome report; the first --protocol is primary, the rest form the what-if."""
    from mrdguide.services.reporting import cohort_report

    protos = _protocols(protocol)
    with registry_errors():
        res = cohort_report(
            db,
            primary=protos[0],
            protocols=protos,
            out_dir=out.resolve(),
            generated=_now(),
            version=__version__,
            pdf=pdf,
        )
    if res.n_patients == 0:
        fail("the registry has no patients; import a cohort first", ExitCode.NOT_FOUND)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "html": str(res.html),
                "pdf": None if res.pdf is None else str(res.pdf),
                "patients": res.n_patients,
                "primary": res.primary,
                "disclaimer": SHORT_DISCLAIMER,
            }
        )
        return
    Console().print(
        f"Cohort report for {res.n_patients} patients: {res.html}\n[dim]{SHORT_DISCLAIMER}[/dim]",
        highlight=False,
    )


@report_app.command("patient")
def _patient(
    patient_id: Annotated[str, typer.Argument(help="Registered patient id.")],
    db: DbOpt = None,
    out: OutOpt = Path("mrdguide-report"),
    protocol: ProtoOpt = None,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Patient report: MRD trajectory, assignments with their rule trace, relapse estimate."""
    from mrdguide.services.reporting import patient_report

    protos = _protocols(protocol)
    with registry_errors():
        path = patient_report(
            db,
            patient_id,
            protocols=protos,
            out_dir=out.resolve(),
            generated=_now(),
            version=__version__,
        )
    if fmt is OutputFormat.JSON:
        emit_json({"html": str(path), "disclaimer": SHORT_DISCLAIMER})
        return
    Console().print(f"Patient report: {path}\n[dim]{SHORT_DISCLAIMER}[/dim]", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""
    app.add_typer(report_app, name="report")
