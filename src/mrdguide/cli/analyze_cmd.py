"""``mrdguide analyze``: outcome tables (EFS, OS, CIR) by risk group or MRD band."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail, settings_of, workspace
from mrdguide.domain import DAYS_PER_YEAR, Timepoint
from mrdguide.services.analyze import Endpoint, outcome_table


def _analyze(
    ctx: typer.Context,
    endpoint: Annotated[str, typer.Argument(help="efs, os or cir.")] = "efs",
    db: Annotated[str | None, typer.Option("--db", help="Registry URL.")] = None,
    protocol: Annotated[
        str | None, typer.Option("--protocol", help="Group by this protocol's risk groups.")
    ] = None,
    mrd: Annotated[
        Timepoint | None,
        typer.Option("--mrd", help="Group by MRD band at this time point, from its landmark."),
    ] = None,
    years: Annotated[float, typer.Option("--years", min=0.1, help="Horizon in years.")] = 5.0,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """Outcome estimates by group with log-rank (EFS/OS) or Gray's test (CIR)."""
    chosen = _endpoint(endpoint)
    if protocol is not None and mrd is not None:
        fail("use --protocol or --mrd, not both", ExitCode.USAGE)
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
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    lm = "" if res.landmark_day is None else f", from the landmark at day {res.landmark_day:.0f}"
    t = Table(title=f"{res.endpoint.upper()} at {years:g} years by {res.grouping}{lm}")
    for col in ("Group", "n", "Events", "Estimate (95% CI)"):
        t.add_column(col)
    for r in res.rows:
        t.add_row(
            r.group,
            str(r.n),
            str(r.events),
            f"{r.estimate:.1%} ({r.ci_lower:.1%}–{r.ci_upper:.1%})",
        )
    console = Console()
    console.print(t)
    if res.p_value is not None:
        console.print(f"{res.test} χ² = {res.statistic:.2f}, p = {res.p_value:.3g}")
    console.print(f"[dim]{SHORT_DISCLAIMER}[/dim]")


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
