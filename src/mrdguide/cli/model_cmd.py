"""``mrdguide model``: fit, apply and summarise the genotype-specific MRD relapse model.

Commands::

    mrdguide model fit (--cohort FILE | --db URL) --out MODEL.json
        [--timepoint eoi] [--method fine_gray|cause_specific] [--interaction/--no-interaction]
        [--log-wbc] [--age] [--kinetics none|eoc_level|log_reduction] [--horizon-years 5]
    mrdguide model predict MODEL.json CASE.json [--format text|json]
    mrdguide model thresholds MODEL.json [--band 0.05 --band 0.15] [--format text|json]
    mrdguide model validate (--cohort FILE | --db URL) [--folds 5 --seed 0 ...]

Results are research estimates of relapse incidence. They are never phrased as treatment
instructions, and every output carries the research-use disclaimer. Exit codes: 3 for invalid
input (nothing written), 4 for a missing file, 5 when a case lacks what the model needs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    option_names,
    table,
    workspace,
)
from mrdguide.cli._common import console as make_console
from mrdguide.domain import DAYS_PER_YEAR, Case, Timepoint
from mrdguide.domain.display import (
    format_decimals,
    format_mrd,
    format_mrd_threshold,
    format_number,
    format_percent,
)
from mrdguide.domain.labels import label
from mrdguide.risk import Method, ModelSpec
from mrdguide.risk.design import Kinetics
from mrdguide.risk.thresholds import DEFAULT_BANDS
from mrdguide.services import assess as assess_service
from mrdguide.services import relapse_model as svc
from mrdguide.services.genotype import genotype_name

#: Python argument names in the risk core's messages -> the options of these commands.
OPTION_NAMES = {
    "n_splits": "--folds",
    "bands": "--band",
    "horizon_days": "--horizon-years",
    "horizon_years": "--horizon-years",
    "mrd_threshold": "--mrd-threshold",
    "log_wbc=True": "the model's --log-wbc term",
    "age=True": "the model's --age term",
}
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
CohortOpt = Annotated[
    Path | None, typer.Option("--cohort", help="Cohort file (case JSON, CSV, Excel, Parquet).")
]
DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL to read the cohort from.")]


def _load_cases(ctx: typer.Context, cohort: Path | None, db: str | None) -> list[Case]:
    if (cohort is None) == (db is None):
        fail("give exactly one of --cohort FILE or --db URL", ExitCode.USAGE)
    if cohort is not None:
        return svc.load_cohort_file(cohort)
    with workspace(ctx, db) as ws:
        return svc.load_registry_cohort(ws.registry())


def _pct(x: float | None) -> str:
    return format_percent(x)


def _print_fit(doc: dict[str, Any]) -> None:
    console = make_console()
    ratio = "sHR" if doc["method"] == "fine_gray" else "HR"
    method = "Fine–Gray" if doc["method"] == "fine_gray" else "cause-specific Cox"
    console.print(f"[bold]{escape(doc['formula'])}[/bold] ({method})")
    t = table(None, ("term", ratio, "95% CI"), numeric=(ratio, "95% CI"))
    for r in doc["terms"]:
        t.add_row(
            escape(r["term"]),
            format_decimals(r["hazard_ratio"], 2),
            f"{format_decimals(r['ci_lower'], 2)}–{format_decimals(r['ci_upper'], 2)}",
        )
    console.print(t)
    console.print(
        f"n = {doc['n']} ({doc['n_relapse']} relapses, {doc['n_competing']} competing events; "
        f"{doc['n_excluded']} cases excluded). Follow-up starts at the MRD sample day. "
        f"Model written to {doc['model_file']}."
    )
    for note in doc["notes"]:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    console.print(disclaimer_footer())


def fit(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Where to write the model JSON.")],
    cohort: CohortOpt = None,
    db: DbOpt = None,
    timepoint: Annotated[
        Timepoint, typer.Option("--timepoint", help="MRD time point.")
    ] = Timepoint.EOI,
    method: Annotated[
        str, typer.Option("--method", help="fine_gray or cause_specific.")
    ] = "fine_gray",
    interaction: Annotated[bool, typer.Option("--interaction/--no-interaction")] = True,
    log_wbc: Annotated[
        bool, typer.Option("--log-wbc", help="Add log10 WBC (PIUKALL-style).")
    ] = False,
    age: Annotated[bool, typer.Option("--age", help="Add age in years.")] = False,
    kinetics: Annotated[
        str, typer.Option("--kinetics", help="none, eoc_level, log_reduction.")
    ] = "none",
    horizon_years: Annotated[
        float, typer.Option("--horizon-years", help="Prediction horizon.")
    ] = 5.0,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Fit the relapse model (competing death in remission) on a cohort and save it."""
    if method not in ("fine_gray", "cause_specific"):
        fail(f"--method must be fine_gray or cause_specific; got {method!r}", ExitCode.USAGE)
    spec_kinetics = _kinetics(kinetics)
    cases = _load_cases(ctx, cohort, db)
    spec = ModelSpec(
        timepoint=timepoint.value, interaction=interaction, log_wbc=log_wbc, age=age,
        kinetics=spec_kinetics,
    )  # fmt: skip
    with option_names(OPTION_NAMES):
        outcome = svc.fit_model(
            cases, spec, method=_method(method), horizon_years=horizon_years,
            version=__version__, fit_date=dt.datetime.now(dt.UTC).date().isoformat(),
        )  # fmt: skip
    svc.save_model(outcome.model, out)
    summary = outcome.summary(out)
    if fmt is OutputFormat.JSON:
        emit_json(summary)
    else:
        _print_fit(summary)


def _kinetics(value: str) -> Kinetics:
    if value == "none":
        return "none"
    if value == "eoc_level":
        return "eoc_level"
    if value == "log_reduction":
        return "log_reduction"
    return fail(
        f"--kinetics must be none, eoc_level or log_reduction; got {value!r}", ExitCode.USAGE
    )


def _method(value: str) -> Method:
    return "cause_specific" if value == "cause_specific" else "fine_gray"


def predict(
    model_file: Annotated[Path, typer.Argument(help="Model JSON written by `model fit`.")],
    case_file: Annotated[Path, typer.Argument(help="One case document (JSON).")],
    horizon_years: Annotated[float | None, typer.Option("--horizon-years")] = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Estimate one patient's cumulative incidence of relapse, with a confidence interval."""
    model = svc.load_model(model_file)
    case = assess_service.read_case(case_file)
    with option_names(OPTION_NAMES):
        p = svc.predict_case(model, case, horizon_years=horizon_years)
    if fmt is OutputFormat.JSON:
        emit_json(p.to_dict())
        return
    console = make_console()
    est = p.estimate
    mrd = "negative" if p.mrd == 0 else format_mrd(p.mrd)
    tp = label("timepoint_adjective", model.spec.timepoint)
    method = "Fine–Gray" if model.method == "fine_gray" else "cause-specific Cox"
    console.print(
        f"Patient {escape(p.patient_id)} ({escape(genotype_name(p.group))}, {tp} MRD {mrd}): "
        f"estimated {format_number(p.horizon_years, 3)}-year cumulative incidence of relapse "
        f"{_pct(est.risk)} ({format_number(100 * est.conf_level, 3)}% CI "
        f"{_pct(est.ci_lower)}–{_pct(est.ci_upper)}), by the {method} model."
    )
    console.print(f"[dim]{est.note}[/dim]")
    console.print(disclaimer_footer())


def thresholds(
    model_file: Annotated[Path, typer.Argument(help="Model JSON written by `model fit`.")],
    band: Annotated[
        list[float] | None,
        typer.Option("--band", help="Risk band, repeatable (default 0.05 and 0.15)."),
    ] = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Genotype-specific MRD levels at which the estimated relapse risk reaches each band."""
    model = svc.load_model(model_file)
    with option_names(OPTION_NAMES):
        found = svc.threshold_table(model, tuple(band) if band else DEFAULT_BANDS)
    doc = found.to_dict()
    doc["disclaimer"] = SHORT_DISCLAIMER
    if fmt is OutputFormat.JSON:
        emit_json(doc)
        return
    console = make_console()
    years = format_number(found.horizon_days / DAYS_PER_YEAR, 3)
    console.print(f"[bold]MRD at which the estimated {years}-year relapse risk reaches[/bold]")
    bands = [f"{format_percent(b, 0)} risk" for b in found.bands]
    t = table(None, ("genetic group", *bands))
    for g in found.group_order:
        cells = [found.get(g, b).statement for b in found.bands]
        t.add_row(escape(genotype_name(g)), *(escape(c) for c in cells))
    console.print(t)
    for c in found.caveats:
        console.print(f"[yellow]caveat:[/yellow] {escape(c)}")
    console.print(disclaimer_footer())


def validate(
    ctx: typer.Context,
    cohort: CohortOpt = None,
    db: DbOpt = None,
    timepoint: Annotated[Timepoint, typer.Option("--timepoint")] = Timepoint.EOI,
    method: Annotated[str, typer.Option("--method")] = "fine_gray",
    interaction: Annotated[bool, typer.Option("--interaction/--no-interaction")] = True,
    folds: Annotated[int, typer.Option("--folds")] = 5,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    mrd_threshold: Annotated[
        float, typer.Option("--mrd-threshold", help="Reference cut-off.")
    ] = 1e-4,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Cross-validated C-index, AUC, Brier score, calibration and NRI vs one MRD cut-off."""
    cases = _load_cases(ctx, cohort, db)
    spec = ModelSpec(timepoint=timepoint.value, interaction=interaction)
    with option_names(OPTION_NAMES):
        res = svc.validate_model(
            cases, spec, method=_method(method), folds=folds, seed=seed,
            mrd_threshold=mrd_threshold,
        )  # fmt: skip
    doc = res.to_dict()
    doc["disclaimer"] = SHORT_DISCLAIMER
    if fmt is OutputFormat.JSON:
        emit_json(doc)
        return
    console = make_console()
    t = table(
        f"{folds}-fold cross-validation (seed {seed})",
        ("model", "C-index", "AUC", "Brier score"),
        numeric=("C-index", "AUC", "Brier score"),
    )
    reference = f"single threshold, MRD ≥ {format_mrd_threshold(mrd_threshold)}"
    for name, m in (("genetic group × MRD", res.model), (reference, res.reference)):
        t.add_row(
            name,
            format_decimals(m.c_index, 3),
            format_decimals(m.auc, 3),
            format_decimals(m.brier, 4),
        )
    console.print(t)
    bands = ", ".join(format_percent(b, 0) for b in res.nri.bands)
    console.print(f"Categorical NRI (risk bands {bands}): {res.nri.nri:+.3f}")
    console.print(disclaimer_footer())


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group to ``app``."""
    sub = typer.Typer(
        name="model",
        help=f"Genotype-specific MRD relapse-risk model. {SHORT_DISCLAIMER}",
        no_args_is_help=True,
    )
    sub.command("fit")(fit)
    sub.command("predict")(predict)
    sub.command("thresholds")(thresholds)
    sub.command("validate")(validate)
    app.add_typer(sub, name="model")
