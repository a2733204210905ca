"""``mrdguide demo``: the main job, end to end.

Simulates a seeded, calibrated virtual cohort (3,000 patients) and an Asan-sized cohort,
imports both into the registry, assesses every patient under every shipped protocol, fits the
genotype-specific MRD model and writes the cohort, Asan and patient reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shlex
import time
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mrdguide._disclaimer import DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode, OutputFormat, emit_json, fail, table
from mrdguide.cli._common import console as make_console
from mrdguide.domain.display import format_number, format_p, format_percent
from mrdguide.domain.labels import label, risk_order
from mrdguide.protocols import available_protocols
from mrdguide.services.genotype import REPORT_BAND, threshold_statements
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


def registry_line(db_url: str) -> str:
    """The shell line that points the CLI at ``db_url`` (quoted for POSIX shells)."""
    return f"export MRDGUIDE_DATABASE_URL={shlex.quote(db_url)}"


def _outcome_rows(res: DemoResult) -> list[tuple[str, str]]:
    a = res.analysis
    pid = a.primary.protocol
    rows = [("Primary protocol", label("protocol", pid))]
    by_code = {g.group: g for g in a.efs.groups}
    for code in risk_order(pid, by_code):
        g, e = by_code[code], by_code[code].at_horizon
        rows.append(
            (
                f"  5-year EFS, {label('group', code, protocol=pid)} (n = {format_number(g.n)})",
                f"{format_percent(e.value)} ({format_percent(e.ci_lower)}–"
                f"{format_percent(e.ci_upper)})",
            )
        )
    if a.efs.p_value is not None:
        rows.append(("  Log-rank test", format_p(a.efs.p_value)))
    return rows


def _threshold_rows(res: DemoResult) -> list[tuple[str, str]]:
    if res.genotype is None:
        return [("Genotype-specific MRD model", "not estimable on this cohort")]
    band = format_percent(REPORT_BAND, 0)
    rows = [(f"MRD at which 5-year relapse risk reaches {band}", "")]
    rows += [(f"  {name}", statement) for name, statement in threshold_statements(res.genotype)]
    return rows


def _summary_table(res: DemoResult, seconds: float, *, pdf_requested: bool) -> Table:
    t = table("mrdguide demo: summary", ("Item", "Value"), box=box.SIMPLE_HEAVY)
    rows = [
        ("Registered patients", format_number(res.n_registered)),
        ("Risk assignments stored", format_number(res.n_assignments)),
        *_outcome_rows(res),
        *_threshold_rows(res),
        ("Cohort report (open this)", str(res.cohort_report)),
        ("Asan-sized cohort report", str(res.asan_report)),
        ("Patient report", str(res.patient_report)),
    ]
    for what, path in (("Cohort report PDF", res.pdf), ("Patient report PDF", res.patient_pdf)):
        if path is not None:
            rows.append((what, str(path)))
        elif pdf_requested:
            rows.append((what, "not written: WeasyPrint or Debian's Pango is not installed"))
    rows.append(("Registry", res.db_url))
    if res.registry_bytes is not None:
        rows.append(("Registry size", f"{res.registry_bytes / 1e6:.1f} MB"))
    rows.append(("Elapsed", f"{seconds:.0f} s"))
    for item, value in rows:
        t.add_row(escape(item), escape(value))
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
            "patient_pdf": None if res.patient_pdf is None else str(res.patient_pdf),
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
        bool, typer.Option("--pdf/--no-pdf", help="Also write PDFs (needs WeasyPrint).")
    ] = False,
    replicates: Annotated[
        int | None,
        typer.Option(
            "--replicates",
            min=0,
            help="Seeded replicates per seed study in the cohort report (0: leave them out).",
        ),
    ] = None,
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
    console = make_console(stderr=fmt is OutputFormat.JSON)
    cfg = DemoConfig(
        out_dir=out.resolve(), db_url=db, n=n, asan_n=asan_n, seed=seed, primary=protocol,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__, pdf=pdf,
    )  # fmt: skip
    if replicates is not None:
        cfg = dataclasses.replace(cfg, replicates=replicates)
    t0 = time.perf_counter()
    res = _run(cfg, console, show_progress=fmt is OutputFormat.TEXT)
    secs = time.perf_counter() - t0
    if fmt is OutputFormat.JSON:
        emit_json(_json(res, secs))
        return
    console.print(_summary_table(res, secs, pdf_requested=pdf))
    console.print(f"\nOpen [bold]{escape(str(res.cohort_report))}[/bold] in a browser.")
    console.print("The demo registry is not your default registry. To point the CLI at it, run:")
    # One unwrapped, unstyled line that can be copied into a shell.
    console.print(f"  {escape(registry_line(res.db_url))}", soft_wrap=True, highlight=False)
    console.print("then, e.g., `mrdguide patients list --limit 10`.")
    console.print(f"[dim]{DISCLAIMER}[/dim]")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the app."""
    app.command("demo")(_demo)
