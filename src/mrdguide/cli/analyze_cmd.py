"""``mrdguide analyze``: outcome tables (EFS, OS, CIR) by risk group or MRD band."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail
from mrdguide.cli.registry_cmd import registry_errors
from mrdguide.domain import Timepoint
from mrdguide.errors import RuleSetError


def _analyze(
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
    from mrdguide.services.analyze import outcome_table

    if endpoint not in ("efs", "os", "cir"):
        fail(f"endpoint must be efs, os or cir; got {endpoint!r}", ExitCode.USAGE)
    if protocol is not None and mrd is not None:
        fail("use --protocol or --mrd, not both", ExitCode.USAGE)
    try:
        with registry_errors():
            res = outcome_table(
                db,
                endpoint=endpoint,  # type: ignore[arg-type]  # checked above
                protocol=protocol,
                mrd_timepoint=mrd,
                horizon_days=years * 365.25,
            )
    except RuleSetError as exc:
        fail(str(exc), ExitCode.USAGE)
    if fmt is OutputFormat.JSON:
        emit_json(dataclasses.asdict(res) | {"disclaimer": SHORT_DISCLAIMER})
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


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the app."""
    app.command("analyze")(_analyze)
