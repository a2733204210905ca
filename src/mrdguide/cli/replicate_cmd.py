"""``mrdguide replicate asan|ukall2003``: published figures next to the simulated spread.

Parse -> :func:`mrdguide.simulate.replicate.replicate` -> render. Everything is SYNTHETIC.
"""

from __future__ import annotations

import math
from enum import StrEnum

import typer
from rich.markup import escape
from rich.table import Table

from mrdguide.cli._common import ExitCode, OutputFormat, disclaimer_footer, emit_json, fail
from mrdguide.cli._common import console as make_console
from mrdguide.cli._common import table as new_table
from mrdguide.errors import InputError
from mrdguide.simulate.replicate import ReplicationResult, ReplicationRow, replicate


class Study(StrEnum):
    """The seed studies that can be replicated."""

    ASAN = "asan"
    UKALL2003 = "ukall2003"


def _fmt(x: float, kind: str) -> str:
    if not math.isfinite(x):
        return "–"
    if kind == "count":
        return f"{x:.0f}"
    if kind == "difference":
        return f"{100 * x:+.1f} pts"
    return f"{100 * x:.1f}%"


def _published(r: ReplicationRow) -> str:
    text = _fmt(r.published, r.kind)
    if r.published_lower is not None and r.published_upper is not None:
        text += f" ({_fmt(r.published_lower, r.kind)}–{_fmt(r.published_upper, r.kind)})"
    return text


def rows_table(res: ReplicationResult) -> Table:
    """The published-versus-simulated table."""
    table = new_table(
        f"{escape(res.title)}: {res.replicates} simulated replicates of {res.patients} "
        f"patients (seed {res.seed})",
        ("figure", "published", "simulated median (2.5–97.5%)", "replicates", ""),
        numeric=("replicates",),
    )
    for r in res.rows:
        sim = (
            f"{_fmt(r.simulated_median, r.kind)} ({_fmt(r.simulated_lower, r.kind)}–"
            f"{_fmt(r.simulated_upper, r.kind)})"
        )
        mark = "within" if r.within_spread else "[yellow]outside[/yellow]"
        table.add_row(escape(r.label), _published(r), sim, str(r.n_values), mark)
    return table


def grid_table(res: ReplicationResult) -> Table:
    """The Asan compatibility grid: true HR (rows) x confounding (columns)."""
    confs = sorted({c.confounding_log_or for c in res.grid}, reverse=True)
    table = Table(
        title=f"Which truths make a 71-point naive gap plausible? P(gap >= published), "
        f"{res.grid_replicates} replicates per cell; * = compatible (P >= 0.05)"
    )
    table.add_column("true HR on relapse")
    for c in confs:
        table.add_column(f"confounding log OR {c:g}")
    for hr in sorted({c.true_hr for c in res.grid}, reverse=True):
        cells = {c.confounding_log_or: c for c in res.grid if c.true_hr == hr}
        table.add_row(
            f"{hr:g}",
            *(
                f"{cells[c].p_gap:.3f}{' *' if cells[c].compatible else ''} "
                f"(median {_fmt(cells[c].median_gap, 'difference')})"
                for c in confs
            ),
        )
    return table


def _render(res: ReplicationResult) -> None:
    console = make_console()
    console.print(f"[bold]{escape(res.title)}[/bold]")
    console.print(f"Source: {escape(res.source)}\nSYNTHETIC replicates.")
    console.print(rows_table(res))
    if res.grid:
        console.print(grid_table(res))
    for note in res.notes:
        console.print(f"- {escape(note)}")
    console.print(disclaimer_footer())


def register(app: typer.Typer) -> None:
    """Add the ``replicate`` command to ``app``."""

    @app.command("replicate")
    def replicate_cmd(
        study: Study = typer.Argument(..., help="asan or ukall2003."),  # noqa: B008
        replicates: int = typer.Option(200, "--replicates", min=1, help="Seeded replicates."),
        seed: int | None = typer.Option(None, "--seed", help="Root seed (default per study)."),
        grid_replicates: int | None = typer.Option(
            None, "--grid-replicates", min=0, help="Asan grid: replicates per cell (0: no grid)."
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="text or json."),  # noqa: B008
    ) -> None:
        """Print a seed study's published figures next to the simulated spread."""
        kwargs: dict[str, int] = {"replicates": replicates}
        if seed is not None:
            kwargs["seed"] = seed
        if grid_replicates is not None:
            kwargs["grid_replicates"] = grid_replicates
        try:
            res = replicate(study.value, **kwargs)
        except InputError as exc:
            fail(exc, ExitCode.INVALID_INPUT)
        if fmt is OutputFormat.JSON:
            emit_json(res.to_dict())
            return
        _render(res)
