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
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mrdguide._disclaimer import DISCLAIMER, SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
)
from mrdguide.domain import Case, Timepoint, case_from_dict
from mrdguide.errors import EstimationError, InputError, StoreError
from mrdguide.risk import (
    ModelSpec,
    RelapseModel,
    covariates_from_case,
    fit_relapse_model,
    mrd_thresholds,
    predict_risk,
    risk_data_from_cases,
)
from mrdguide.risk.design import Kinetics
from mrdguide.risk.model import Method
from mrdguide.risk.thresholds import DEFAULT_BANDS
from mrdguide.risk.validation import cross_validate

YEAR_DAYS = 365.25
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
CohortOpt = Annotated[
    Path | None, typer.Option("--cohort", help="Cohort file (case JSON, CSV, Excel, Parquet).")
]
DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL to read the cohort from.")]


def _load_cases(cohort: Path | None, db: str | None) -> list[Case]:
    if (cohort is None) == (db is None):
        fail("give exactly one of --cohort FILE or --db URL", ExitCode.USAGE)
    try:
        if cohort is not None:
            if not cohort.exists():
                fail(f"cohort file not found: {cohort}", ExitCode.NOT_FOUND)
            from mrdguide.io import read_cohort

            return list(read_cohort(cohort).cases)
        from mrdguide.store import open_registry

        with open_registry(db, create=False) as reg:
            return list(reg.iter_cases())
    except InputError as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    except StoreError as exc:
        fail(exc, ExitCode.FAILURE)


def _read_json(path: Path, what: str) -> Any:
    if not path.exists():
        fail(f"{what} not found: {path}", ExitCode.NOT_FOUND)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        fail(f"{what} {path} is not valid JSON: {exc}", ExitCode.INVALID_INPUT)


def _load_model(path: Path) -> RelapseModel:
    try:
        return RelapseModel.from_dict(_read_json(path, "model file"))
    except InputError as exc:
        fail(exc, ExitCode.INVALID_INPUT)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _fit_summary(model: RelapseModel, out: Path, n_excluded: int) -> dict[str, Any]:
    z = 1.959963984540054
    terms = [
        {
            "term": name,
            "coef": c,
            "std_err": s,
            "hazard_ratio": float(math.exp(c)),
            "ci_lower": float(math.exp(c - z * s)),
            "ci_upper": float(math.exp(c + z * s)),
        }
        for name, (c, s) in model.coef_table().items()
    ]
    return {
        "model_file": str(out),
        "method": model.method,
        "formula": model.spec.formula(),
        "n": model.n,
        "n_relapse": model.n_relapse,
        "n_competing": model.n_competing,
        "n_excluded": n_excluded,
        "terms": terms,
        "horizon_years": model.horizon_days / YEAR_DAYS,
        "time_origin": "MRD sample day (landmark); earlier events excluded",
        "notes": list(model.notes),
        "provenance": model.to_dict()["provenance"],
        "disclaimer": SHORT_DISCLAIMER,
    }


def _print_fit(doc: dict[str, Any]) -> None:
    console = Console()
    ratio = "sHR" if doc["method"] == "fine_gray" else "HR"
    t = Table(title=escape(f"{doc['formula']}  ({doc['method']})"))
    for col in ("term", ratio, "95% CI"):
        t.add_column(col)
    for r in doc["terms"]:
        t.add_row(
            escape(r["term"]),
            f"{r['hazard_ratio']:.3g}",
            f"{r['ci_lower']:.3g}–{r['ci_upper']:.3g}",
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
    cases = _load_cases(cohort, db)
    try:
        spec = ModelSpec(
            timepoint=timepoint.value,
            interaction=interaction,
            log_wbc=log_wbc,
            age=age,
            kinetics=_kinetics(kinetics),
        )
        data = risk_data_from_cases(cases, spec)
        model = fit_relapse_model(
            data,
            spec,
            method=_method(method),
            horizon_days=horizon_years * YEAR_DAYS,
            mrdguide_version=__version__,
            fit_date=dt.datetime.now(dt.UTC).date().isoformat(),
        )
    except (InputError, EstimationError) as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    doc = model.to_dict()
    doc["disclaimer"] = DISCLAIMER
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    summary = _fit_summary(model, out, len(data.excluded))
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
    model = _load_model(model_file)
    raw = _read_json(case_file, "case file")
    try:
        case = case_from_dict(raw)
    except InputError as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    try:
        cov = covariates_from_case(case, model.spec)
    except InputError as exc:
        fail(exc, ExitCode.NOT_ASSIGNABLE)
    horizon = None if horizon_years is None else horizon_years * YEAR_DAYS
    pred = predict_risk(model, cov, horizon_days=horizon)
    doc = {
        "patient_id": case.patient_id,
        "group": cov.group[0],
        "mrd": float(cov.mrd[0]),
        "mrd_timepoint": model.spec.timepoint,
        "horizon_years": pred.horizon_days / YEAR_DAYS,
        "estimate": pred.to_dict(),
        "model": {
            "method": model.method,
            "formula": model.spec.formula(),
            "cohort_sha256": model.provenance.cohort_sha256,
        },
        "disclaimer": SHORT_DISCLAIMER,
    }
    if fmt is OutputFormat.JSON:
        emit_json(doc)
        return
    console = Console()
    mrd = "negative" if cov.mrd[0] == 0 else f"{cov.mrd[0]:.2g}"
    console.print(
        f"Patient {case.patient_id} (genetic group {cov.group[0]}, {model.spec.timepoint} MRD "
        f"{mrd}): estimated {doc['horizon_years']:.3g}-year cumulative incidence of relapse "
        f"{_pct(pred.risk)} ({100 * pred.conf_level:.0f}% CI {_pct(pred.ci_lower)}–"
        f"{_pct(pred.ci_upper)}), by the {model.method.replace('_', '-')} model."
    )
    console.print(f"[dim]{pred.note}[/dim]")
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
    model = _load_model(model_file)
    try:
        table = mrd_thresholds(model, tuple(band) if band else DEFAULT_BANDS)
    except InputError as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    doc = table.to_dict()
    doc["disclaimer"] = SHORT_DISCLAIMER
    if fmt is OutputFormat.JSON:
        emit_json(doc)
        return
    console = Console()
    years = table.horizon_days / YEAR_DAYS
    t = Table(title=f"MRD at which the estimated {years:.3g}-year relapse risk reaches each band")
    t.add_column("genetic group")
    for b in table.bands:
        t.add_column(f"risk {_pct(b)}")
    for g in table.group_order:
        cells = []
        for b in table.bands:
            th = table.get(g, b)
            cells.append(
                f"{th.mrd:.2g}"
                if th.mrd is not None
                else ("below 1e-6" if th.status == "always_above" else "not reached")
            )
        t.add_row(escape(g), *cells)
    console.print(t)
    for c in table.caveats:
        console.print(f"[yellow]caveat:[/yellow] {escape(c)}")
    console.print(disclaimer_footer())


def validate(
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
    cases = _load_cases(cohort, db)
    try:
        spec = ModelSpec(timepoint=timepoint.value, interaction=interaction)
        data = risk_data_from_cases(cases, spec)
        res = cross_validate(
            data,
            spec,
            method=_method(method),
            n_splits=folds,
            seed=seed,
            mrd_threshold=mrd_threshold,
        )
    except (InputError, EstimationError) as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    doc = res.to_dict()
    doc["disclaimer"] = SHORT_DISCLAIMER
    if fmt is OutputFormat.JSON:
        emit_json(doc)
        return
    console = Console()
    t = Table(title=f"{folds}-fold cross-validation (seed {seed})")
    for col in ("model", "C-index", "AUC", "Brier"):
        t.add_column(col)
    for name, m in (("genotype x MRD", res.model), (f"MRD >= {mrd_threshold:g}", res.reference)):
        t.add_row(name, f"{m.c_index:.3f}", f"{m.auc:.3f}", f"{m.brier:.4f}")
    console.print(t)
    console.print(f"Categorical NRI (bands {list(res.nri.bands)}): {res.nri.nri:.3f}")
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
