"""``mrdguide analyze``: outcome tables (EFS, OS, CIR) by risk group or MRD band.

Text output labels groups ("standard risk", "detected, < 0.01%") in risk order and writes
p-values as the reports do (``p < 0.001``, ``p = 0.012``). ``--plot FILE`` draws the curves with
the numbers at risk (the reports' figure code); ``--out FILE.csv`` and ``--format csv`` give
the table with codes and fractions, like JSON.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    TableFormat,
    WideOpt,
    console,
    disclaimer_footer,
    emit_csv,
    emit_json,
    fail,
    settings_of,
    table,
    workspace,
    write_csv,
)
from mrdguide.domain import DAYS_PER_YEAR, Timepoint
from mrdguide.domain.display import format_number, format_percent
from mrdguide.domain.labels import label
from mrdguide.services.analyze import (
    Endpoint,
    OutcomeTable,
    comparison_words,
    group_name,
    grouping_words,
    outcome_figure,
    outcome_table,
)

#: CSV columns: one row per group, the test repeated (codes and fractions, as in JSON).
CSV_HEADER = ("endpoint", "grouping", "group", "group_label", "n", "events", "estimate",
              "ci_lower", "ci_upper", "horizon_days", "landmark_day", "test", "statistic",
              "p_value")  # fmt: skip
_NAMES = {"efs": "Event-free survival", "os": "Overall survival",
          "cir": "Cumulative incidence of relapse"}  # fmt: skip


def csv_rows(res: OutcomeTable) -> list[tuple[object, ...]]:
    """The table as CSV rows (see :data:`CSV_HEADER`)."""
    test = (res.horizon_days, res.landmark_day, res.test, res.statistic, res.p_value)
    rows: list[tuple[object, ...]] = []
    for r in res.rows:
        group = (res.endpoint, res.grouping, r.group, group_name(res, r.group))
        rows.append((*group, r.n, r.events, r.estimate, r.ci_lower, r.ci_upper, *test))
    return rows


def _title(res: OutcomeTable, years: float) -> str:
    start = ""
    if res.landmark_day is not None and res.mrd_timepoint is not None:
        tp = label("timepoint_adjective", res.mrd_timepoint)
        start = f", from the {tp} landmark (day {format_number(res.landmark_day, 3)})"
    return (
        f"{_NAMES[res.endpoint]} ({res.endpoint.upper()}) at {format_number(years, 3)} years "
        f"by {grouping_words(res)}{start}"
    )


def print_outcomes(res: OutcomeTable, years: float, *, wide: bool = False) -> None:
    """The outcome table for people, with the test in the reports' p-value convention."""
    est = f"{format_number(years, 3)}-year {res.endpoint.upper()} (95% CI)"
    t = table(None, ("group", "n", "events", est), numeric=("n", "events"))
    for r in res.rows:
        t.add_row(
            escape(group_name(res, r.group)),
            format_number(r.n),
            format_number(r.events),
            f"{format_percent(r.estimate)} ({format_percent(r.ci_lower)}–"
            f"{format_percent(r.ci_upper)})",
        )
    out = console(wide=wide)
    out.print(f"[bold]{escape(_title(res, years))}[/bold]")
    out.print(t)
    out.print(escape(comparison_words(res)))
    out.print(disclaimer_footer())


class EndpointChoice(StrEnum):
    """The endpoints ``analyze`` estimates."""

    EFS = "efs"
    OS = "os"
    CIR = "cir"


def _analyze(
    ctx: typer.Context,
    endpoint: Annotated[
        EndpointChoice, typer.Argument(help="efs, os or cir.")
    ] = EndpointChoice.EFS,
    db: Annotated[str | None, typer.Option("--db", help="Registry URL.")] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="Group by this protocol's risk groups.")
    ] = None,
    mrd: Annotated[
        Timepoint | None,
        typer.Option("--mrd", help="Group by MRD band at this time point, from its landmark."),
    ] = None,
    years: Annotated[float, typer.Option("--years", min=0.1, help="Horizon in years.")] = 5.0,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw the curves with numbers at risk (.png/.pdf/.svg)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the table as CSV to this file.")
    ] = None,
    wide: WideOpt = False,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="text, json or csv (codes and fractions).")
    ] = TableFormat.TEXT,
) -> None:
    """Outcome estimates by group with log-rank (EFS/OS) or Gray's test (CIR)."""
    chosen = _endpoint(endpoint.value)
    if protocol is not None and mrd is not None:
        fail("use --protocol or --mrd, not both", ExitCode.USAGE)
    if plot is not None and plot.suffix.lower() not in (".png", ".pdf", ".svg"):
        fail(f"--plot {plot.name!r}: use a .png, .pdf or .svg file", ExitCode.USAGE)
    if mrd is None and protocol is None:
        protocol = settings_of(ctx).default_protocol
    with workspace(ctx, db) as ws:
        res = outcome_table(
            ws.registry(),
            endpoint=chosen,
            protocol=protocol,
            mrd_timepoint=mrd,
            horizon_days=years * DAYS_PER_YEAR,
        )
    if plot is not None:
        outcome_figure(res, plot)
    if out is not None:
        write_csv(out, CSV_HEADER, csv_rows(res))
    if fmt is TableFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
    elif fmt is TableFormat.CSV:
        emit_csv(CSV_HEADER, csv_rows(res))
    else:
        print_outcomes(res, years, wide=wide)
        for what, path in (("Figure", plot), ("Table (CSV)", out)):
            if path is not None:
                console().print(f"{what}: {escape(str(path))}", soft_wrap=True)


def _endpoint(value: str) -> Endpoint:
    if value == "efs":
        return "efs"
    if value == "os":
        return "os"
    if value == "cir":
        return "cir"
    return fail(f"endpoint must be efs, os or cir; got {value!r}", ExitCode.USAGE)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the app."""
    app.command("analyze")(_analyze)
