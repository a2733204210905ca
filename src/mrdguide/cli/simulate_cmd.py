"""``mrdguide simulate``: synthetic cohorts, the calibration check and in-silico trials.

Everything produced here is SYNTHETIC (ids ``SIM-000001`` ...), for research and testing only.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    settings_of,
)
from mrdguide.cli._common import console as make_console
from mrdguide.cli._common import table as new_table
from mrdguide.services import simulate as sim_service
from mrdguide.services.simulate import TrialRequest
from mrdguide.simulate import CalibrationReport, TrialResult, calibration_check


def _console() -> Console:
    return make_console()


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{100 * x:.1f}"


def _calibration_table(report: CalibrationReport) -> Table:
    table = new_table(
        f"Calibration: simulated (n={report.n}, seed={report.seed}) vs published",
        ("target", "tag", "published % (95% CI)", "simulated % (95% CI)", "n sim", ""),
        numeric=("n sim",),
    )
    for r in report.rows:
        t = r.target
        ci = "derived" if t.ci_kind == "derived" else t.ci_kind
        table.add_row(
            t.id,
            t.tag,
            f"{_pct(t.value)} ({_pct(t.ci_lower)}–{_pct(t.ci_upper)}) [{ci}]",
            f"{_pct(r.simulated)} ({_pct(r.sim_lower)}–{_pct(r.sim_upper)})",
            str(r.n_group),
            ("[green]hit[/green]" if r.inside else "[yellow]hit (CI overlap)[/yellow]")
            if r.hit
            else "[red]MISS[/red]",
        )
    return table


def _trial_table(res: TrialResult) -> Table:
    d = res.design
    title = (
        f"{d.kind} design: {res.replicates} replicates of {d.patients} patients, "
        f"true HR {d.true_hr:g} (null {d.null_hr:g})"
    )
    cols = ("analysis", "mean log HR", "bias", "emp. SE", "mean SE", "coverage", "power", "type I")
    table = new_table(title, cols, numeric=cols[1:])
    for a in res.analyses:
        table.add_row(
            a.name,
            f"{a.mean_log_hr:+.3f}",
            f"{a.bias:+.3f}",
            f"{a.empirical_se:.3f}",
            f"{a.mean_se:.3f} ({a.variance})",
            f"{a.coverage:.3f}",
            f"{a.rejection_rate:.3f}",
            "—" if math.isnan(a.type_i_error) else f"{a.type_i_error:.3f}",
        )
    return table


def _print_trial(res: TrialResult, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict())
        return
    console = _console()
    console.print(_trial_table(res))
    console.print(
        f"eligible {res.mean_eligible:.1f}, treated {res.mean_treated:.1f} per replicate; "
        f"naive 5-y EFS treated {_pct(res.mean_efs5_treated)}% vs untreated "
        f"{_pct(res.mean_efs5_untreated)}%"
    )
    console.print(disclaimer_footer())


def _run_trial(req: TrialRequest, console: Console, *, quiet: bool) -> TrialResult:
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=quiet) as bar:
        task = bar.add_task(f"{req.design} on {req.executor}", total=req.total_runs)
        return sim_service.run_trial_request(
            req, progress=lambda done, _n: bar.update(task, completed=done)
        )


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` command group to ``app``."""
    sim = typer.Typer(help="Synthetic cohorts, calibration check and in-silico trials.")
    app.add_typer(sim, name="simulate")
    _register_cohort(sim)
    _register_calibrate(sim)
    _register_trial(sim)


def _register_cohort(sim: typer.Typer) -> None:
    @sim.command("cohort")
    def cohort_cmd(
        n: int = typer.Option(1000, "--n", help="Number of patients."),
        seed: int = typer.Option(1, "--seed", help="Seed (SeedSequence entropy)."),
        out: Path = typer.Option(  # noqa: B008
            ..., "--out", help="FILE.json (case documents), FILE.csv or FILE.parquet (wide)."
        ),
        method: str = typer.Option("flow", "--method", help="MRD assay: flow, pcr or ngs."),
        asan: bool = typer.Option(False, "--asan", help="Asan-like preset (209 patients)."),
    ) -> None:
        """Write a SYNTHETIC cohort in the import format (it imports back with `import`)."""
        if out.suffix.lower() not in sim_service.COHORT_SUFFIXES:
            fail(f"--out must end in {', '.join(sim_service.COHORT_SUFFIXES)}", ExitCode.USAGE)
        c = sim_service.make_cohort(n=n, seed=seed, method=method, asan=asan)
        sim_service.write_cohort_file(c, out)
        Console(stderr=True).print(f"wrote {c.n} synthetic patients to {out}")


def _register_calibrate(sim: typer.Typer) -> None:
    @sim.command("calibrate")
    def calibrate_cmd(
        n: int = typer.Option(20_000, "--n", help="Simulated cohort size."),
        seed: int = typer.Option(20_240_601, "--seed", help="Seed."),
        fmt: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="text or json."),  # noqa: B008
    ) -> None:
        """Print simulated and published figures side by side, with 95% CIs and hit/miss."""
        report = calibration_check(n=n, seed=seed)
        if fmt is OutputFormat.JSON:
            emit_json(report.to_dict())
            return
        console = _console()
        console.print(_calibration_table(report))
        console.print(
            f"{report.hits}/{len(report.rows)} targets hit (95% CIs overlap). "
            "See docs/simulation.md for why each miss misses."
        )
        console.print(disclaimer_footer())


def _register_trial(sim: typer.Typer) -> None:
    @sim.command("trial")
    def trial_cmd(
        ctx: typer.Context,
        design: str = typer.Option("asan", "--design", help="asan, randomised or deescalation."),
        replicates: int = typer.Option(200, "--replicates", help="Number of replicates."),
        patients: int = typer.Option(1000, "--patients", help="Patients per replicate."),
        seed: int = typer.Option(1, "--seed", help="Seed of SeedSequence(seed).spawn(R)."),
        executor_kind: str = typer.Option(
            "processes", "--executor", help="serial, processes, dask."
        ),
        workers: int | None = typer.Option(None, "--workers", help="Worker count."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="Dask tcp://host:8786."),
        chunk_size: int = typer.Option(50, "--chunk-size", help="Replicates per task."),
        true_hr: float | None = typer.Option(None, "--true-hr", help="True treatment HR."),
        confounding: float | None = typer.Option(None, "--confounding", help="Log OR per SD."),
        delay_days: int | None = typer.Option(None, "--delay-days", help="Sample-to-start days."),
        no_null: bool = typer.Option(False, "--no-null", help="Skip the null (type-I) run."),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
        fmt: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="text or json."),  # noqa: B008
    ) -> None:
        """Run an in-silico trial: power, type-I error, bias and coverage of three analyses."""
        if design not in sim_service.DESIGNS or executor_kind not in sim_service.EXECUTOR_KINDS:
            fail(
                f"--design one of {sim_service.DESIGNS}; "
                f"--executor one of {sim_service.EXECUTOR_KINDS}",
                ExitCode.USAGE,
            )
        changes: dict[str, Any] = {"patients": patients}
        if true_hr is not None:
            changes["true_hr"] = true_hr
        if confounding is not None:
            changes["confounding_log_or"] = confounding
        if delay_days is not None:
            changes["delay_days"] = delay_days
        req = TrialRequest(
            design=design,
            replicates=replicates,
            seed=seed,
            changes=changes,
            executor=executor_kind,
            workers=workers,
            scheduler=scheduler or settings_of(ctx).dask_scheduler,
            chunk_size=chunk_size,
            include_null=not no_null,
        )
        res = _run_trial(req, Console(stderr=True), quiet=quiet)
        _print_trial(res, fmt)
