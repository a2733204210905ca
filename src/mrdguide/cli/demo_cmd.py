"""``mrdguide demo``: the main job, end to end.

Simulates a seeded, calibrated virtual cohort (3,000 patients) and an Asan-sized cohort,
imports both into the registry, assesses every patient under every shipped protocol, fits the
genotype-specific MRD model and writes the cohort, Asan and patient reports.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mrdguide._disclaimer import DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail
from mrdguide.protocols import available_protocols
from mrdguide.services.pipeline import DemoConfig, DemoResult, run_demo

STEP_LABELS = {
    "simulate": "Simulating virtual cohorts",
    "import": "Importing into the registry",
    "assess": "Assessing under every protocol",
    "model": "Fitting the genotype-specific MRD model",
    "report": "Writing reports",
}


def example_cohort_dir() -> Path:
    """The folder of the shipped 40-patient synthetic cohort (``cohort_wide.csv``, ``long/``)."""
    return Path(str(resources.files("mrdguide").joinpath("examples", "cohort")))


def _summary_table(res: DemoResult, seconds: float, *, pdf_requested: bool) -> Table:
    t = Table(title="mrdguide demo: summary", show_lines=False)
    t.add_column("Item")
    t.add_column("Value", overflow="fold")
    a = res.analysis
    t.add_row("Registered patients", f"{res.n_registered:,}")
    t.add_row("Risk assignments stored", f"{res.n_assignments:,}")
    t.add_row("Primary protocol", a.primary.protocol)
    for g in a.efs.groups:
        e = g.at_horizon
        t.add_row(
            f"  5-year EFS, {g.group} (n={g.n})",
            f"{e.value:.1%} ({e.ci_lower:.1%}–{e.ci_upper:.1%})",
        )
    if a.efs.p_value is not None:
        t.add_row("  Log-rank p", "<0.001" if a.efs.p_value < 0.001 else f"{a.efs.p_value:.3f}")
    if res.genotype is not None:
        for grp, thr in res.genotype.view.thresholds.items():
            shown = "—" if thr is None else f"{thr:.1e}"
            t.add_row(f"  MRD at 10% risk, UK {grp}", shown)
    t.add_row("Registry", res.db_url)
    if res.registry_bytes is not None:
        t.add_row("Registry size", f"{res.registry_bytes / 1e6:.1f} MB")
    t.add_row("Cohort report (open this)", str(res.cohort_report))
    t.add_row("Asan-sized cohort report", str(res.asan_report))
    t.add_row("Patient report", str(res.patient_report))
    if res.pdf is not None:
        t.add_row("PDF", str(res.pdf))
    elif pdf_requested:
        t.add_row("PDF", "not written: WeasyPrint or Debian's Pango is not installed")
    t.add_row("Elapsed", f"{seconds:.0f} s")
    return t


def _json(res: DemoResult, seconds: float) -> dict[str, object]:
    return {
        "registry": res.db_url,
        "registry_bytes": res.registry_bytes,
        "registered": res.n_registered,
        "assignments": res.n_assignments,
        "primary_protocol": res.analysis.primary.protocol,
        "efs_5y": {g.group: g.at_horizon.value for g in res.analysis.efs.groups},
        "reports": {
            "cohort": str(res.cohort_report),
            "asan": str(res.asan_report),
            "patient": str(res.patient_report),
            "pdf": None if res.pdf is None else str(res.pdf),
        },
        "seconds": round(seconds, 1),
        "disclaimer": DISCLAIMER,
    }


def _run(cfg: DemoConfig, console: Console, show_progress: bool) -> DemoResult:
    if not show_progress:
        return run_demo(cfg)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, object] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(STEP_LABELS.get(step, step), total=total)
            bar.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        return run_demo(cfg, progress)


def _demo(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Registry URL (default: a fresh registry.sqlite in --out)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Output folder for reports and the registry.")
    ] = Path("mrdguide-demo"),
    n: Annotated[int, typer.Option("--n", min=200, help="Size of the main virtual cohort.")] = 3000,
    asan_n: Annotated[
        int, typer.Option("--asan-n", min=50, help="Size of the Asan-like cohort.")
    ] = 209,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 20251123,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Primary protocol of the cohort report.")
    ] = "aieop-bfm-all-2000",
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write a PDF (needs WeasyPrint).")
    ] = False,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """Run the main job: simulate, import, assess, model and report (research use only)."""
    if protocol not in available_protocols():
        fail(
            f"unknown protocol {protocol!r}; available: {', '.join(available_protocols())}",
            ExitCode.USAGE,
        )
    console = Console(stderr=fmt is OutputFormat.JSON)
    cfg = DemoConfig(
        out_dir=out.resolve(), db_url=db, n=n, asan_n=asan_n, seed=seed, primary=protocol,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__, pdf=pdf,
    )  # fmt: skip
    t0 = time.perf_counter()
    res = _run(cfg, console, show_progress=fmt is OutputFormat.TEXT)
    secs = time.perf_counter() - t0
    if fmt is OutputFormat.JSON:
        emit_json(_json(res, secs))
        return
    console.print(_summary_table(res, secs, pdf_requested=pdf))
    console.print(f"\nOpen [bold]{res.cohort_report}[/bold] in a browser.", highlight=False)
    console.print(f"[dim]{DISCLAIMER}[/dim]")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the app."""
    app.command("demo")(_demo)
