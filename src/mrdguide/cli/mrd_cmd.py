"""``mrdguide mrd``: interpret flow, RQ-PCR and NGS MRD data; optionally store the result.

Commands::

    mrdguide mrd flow --events N --cells M [--lod-events 20 --lloq-events 50]
    mrdguide mrd pcr WELLS.csv [--sample NAME]
    mrdguide mrd ngs DIAGNOSIS.tsv FOLLOWUP.tsv [--dna-ng X | --cells N] [--max-mismatches K]

Common options: ``--timepoint`` (default ``eoi``), ``--tissue`` (``bm``/``pb``), ``--day``,
``--format text|json``, and ``--patient ID [--db URL]`` to append the result to a registered
patient. Bad input exits with code 3 and nothing is stored; an unknown patient exits with 4.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
)
from mrdguide.domain import MRDMeasurement, Timepoint, Tissue
from mrdguide.errors import InputError, NotFoundError, StoreError
from mrdguide.mrd import (
    DEFAULT_LLOQ_EVENTS,
    DEFAULT_LOD_EVENTS,
    FlowResult,
    NGSCriteria,
    NGSResult,
    PCRResult,
    interpret_flow,
    interpret_ngs,
    interpret_pcr,
)

_TIMEPOINT = typer.Option(Timepoint.EOI, "--timepoint", help="Case-format time point.")
_TISSUE = typer.Option(Tissue.BONE_MARROW, "--tissue", help="bm or pb.")
_DAY = typer.Option(None, "--day", help="Sample day since diagnosis.")
_FORMAT = typer.Option(OutputFormat.TEXT, "--format", help="text or json.")
_PATIENT = typer.Option(None, "--patient", help="Append the result to this registered patient.")
_DB = typer.Option(None, "--db", help="Registry URL (default: MRDGUIDE_DATABASE_URL / user dir).")
_LOD_EVENTS = typer.Option(DEFAULT_LOD_EVENTS, "--lod-events", help="Events for LOD.")
_LLOQ_EVENTS = typer.Option(DEFAULT_LLOQ_EVENTS, "--lloq-events", help="Events for LLOQ.")


def _frac(m: Any) -> float | None:
    return None if m is None else float(m.fraction)


def measurement_dict(m: MRDMeasurement) -> dict[str, Any]:
    """The reportable fields of a measurement; levels as fractions."""
    return {
        "timepoint": str(m.timepoint),
        "method": str(m.method),
        "tissue": str(m.tissue),
        "status": str(m.status),
        "level": _frac(m.level),
        "lod": _frac(m.sensitivity),
        "lloq": _frac(m.quantitative_range),
        "sample_day": m.sample_day,
        "markers": m.markers,
        "cells_analysed": m.cells_analysed,
        "dna_ng": m.dna_ng,
        "warnings": list(m.warnings),
    }


def _flow_detail(r: FlowResult) -> dict[str, Any]:
    return {
        "events": r.events,
        "cells": r.cells,
        "lod_events": r.lod_events,
        "lloq_events": r.lloq_events,
    }


def _pcr_detail(r: PCRResult) -> dict[str, Any]:
    markers = []
    for mk in r.markers:
        c = mk.curve
        markers.append(
            {
                "marker": mk.marker,
                **measurement_dict(mk.measurement),
                "curve": None
                if c is None
                else {
                    "slope": c.slope,
                    "intercept": c.intercept,
                    "r2": c.r2,
                    "efficiency": c.efficiency,
                },
                "background_ct": mk.background_ct,
                "sensitivity_dilution": mk.sensitivity_dilution,
                "qr_dilution": mk.qr_dilution,
                "qr_ct_limit": mk.qr_ct_limit,
                "follow_up_cts": list(mk.follow_up_cts),
                "mean_ct": mk.mean_ct,
                "normalisation_factor": mk.normalisation_factor,
            }
        )
    return {
        "follow_up_sample": r.follow_up_sample,
        "selected_marker": r.selected_marker,
        "markers": markers,
    }


def _ngs_detail(r: NGSResult) -> dict[str, Any]:
    clones = [
        {
            "locus": c.locus,
            "junction": c.junction,
            "v_call": c.v_call,
            "j_call": c.j_call,
            "diagnosis_fraction": c.diagnosis_fraction,
            "matched_counts": c.matched_counts,
            "exact_counts": c.exact_counts,
            "templates": c.templates,
            "status": str(c.measurement.status),
            "level": _frac(c.measurement.level),
        }
        for c in r.clones
    ]
    return {"cell_equivalents": r.cell_equivalents, "cell_source": r.cell_source, "clones": clones}


def _store(patient: str, db: str | None, m: MRDMeasurement, source: str) -> None:
    from mrdguide.store import open_registry

    with open_registry(db, create=False) as reg:
        reg.add_mrd(patient, m, source=source)


def _cell(v: Any) -> str:
    return "-" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))


def _detail_table(detail: dict[str, Any]) -> Table | None:
    """Per-marker (PCR) or per-clone (NGS) rows, when the result has them."""
    if "markers" in detail:
        t = Table(title="markers")
        cols: tuple[str, ...] = (
            "marker",
            "status",
            "level",
            "lod",
            "lloq",
            "mean_ct",
            "qr_ct_limit",
        )
        rows = detail["markers"]
    elif "clones" in detail:
        t = Table(title="index clones")
        cols = ("locus", "v_call", "diagnosis_fraction", "templates", "status", "level")
        rows = detail["clones"]
    else:
        return None
    for col in cols:
        t.add_column(col)
    for row in rows:
        t.add_row(*(_cell(row[col]) for col in cols))
    return t


def _render_text(doc: dict[str, Any]) -> None:
    console = Console()
    t = Table(title=f"MRD ({doc['method']}, {doc['timepoint']}, {doc['tissue']})")
    t.add_column("field")
    t.add_column("value")
    for key in ("status", "level", "lod", "lloq", "markers", "cells_analysed"):
        t.add_row(key, _cell(doc[key]))
    console.print(t)
    detail = _detail_table(doc["detail"])
    if detail is not None:
        console.print(detail)
    for w in doc["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
    if doc.get("stored"):
        console.print(f"stored for patient {doc['stored']['patient']}")
    console.print(disclaimer_footer())


def _run(
    compute: Callable[[], tuple[MRDMeasurement, dict[str, Any]]],
    *,
    fmt: OutputFormat,
    patient: str | None,
    db: str | None,
    source: str,
) -> None:
    """Compute, optionally store, print; map errors to exit codes."""
    if db is not None and patient is None:
        fail("--db needs --patient", ExitCode.USAGE)
    try:
        m, detail = compute()
        if patient is not None:
            _store(patient, db, m, source)
    except (FileNotFoundError, NotFoundError) as exc:
        fail(exc, ExitCode.NOT_FOUND)
    except InputError as exc:
        fail(exc, ExitCode.INVALID_INPUT)
    except StoreError as exc:
        fail(exc, ExitCode.FAILURE)
    doc = measurement_dict(m)
    doc["detail"] = detail
    doc["stored"] = {"patient": patient, "source": source} if patient is not None else None
    if fmt is OutputFormat.JSON:
        doc["disclaimer"] = SHORT_DISCLAIMER
        emit_json(doc)
    else:
        _render_text(doc)


def flow(
    events: int = typer.Option(..., "--events", help="Leukaemic (MRD) events."),
    cells: int = typer.Option(..., "--cells", help="Analysed nucleated cells."),
    lod_events: int = _LOD_EVENTS,
    lloq_events: int = _LLOQ_EVENTS,
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
) -> None:
    """Interpret a flow-cytometry MRD count (events / cells)."""

    def compute() -> tuple[MRDMeasurement, dict[str, Any]]:
        r = interpret_flow(
            events=events, cells=cells, timepoint=timepoint, tissue=tissue,
            lod_events=lod_events, lloq_events=lloq_events, sample_day=day,
        )  # fmt: skip
        return r.measurement, _flow_detail(r)

    _run(compute, fmt=fmt, patient=patient, db=db, source=f"flow:{events}/{cells}")


def flow_fcs(
    events_pop: str = typer.Option(
        ..., "--events", help="Leukaemic population: FILE.fcs or FILE.fcs@CHANNEL=CODE."
    ),
    cells_pop: str = typer.Option(
        ..., "--cells", help="Analysed nucleated cells: FILE.fcs or FILE.fcs@CHANNEL=CODE."
    ),
    lod_events: int = _LOD_EVENTS,
    lloq_events: int = _LLOQ_EVENTS,
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
) -> None:
    """Flow MRD from FCS exports of gated populations (counts only; mrdguide does not gate)."""
    from mrdguide.io.fcs import PopulationSpec, count_population

    def compute() -> tuple[MRDMeasurement, dict[str, Any]]:
        ev = count_population(PopulationSpec.parse(events_pop))
        ce = count_population(PopulationSpec.parse(cells_pop))
        r = interpret_flow(
            events=ev.events, cells=ce.events, timepoint=timepoint, tissue=tissue,
            lod_events=lod_events, lloq_events=lloq_events, sample_day=day,
        )  # fmt: skip
        files = {"events_file": ev.file, "cells_file": ce.file}
        return r.measurement, _flow_detail(r) | files

    _run(compute, fmt=fmt, patient=patient, db=db, source=f"flow-fcs:{events_pop}/{cells_pop}")


def pcr(
    wells: Annotated[Path, typer.Argument(help="Plate CSV, one row per well (docs/mrd.md).")],
    sample: str | None = typer.Option(None, "--sample", help="Follow-up sample name."),
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
) -> None:
    """Interpret an RQ-PCR plate (EuroMRD-style criteria)."""
    from mrdguide.io.pcr_plate import read_pcr_plate

    def compute() -> tuple[MRDMeasurement, dict[str, Any]]:
        r = interpret_pcr(
            read_pcr_plate(wells),
            timepoint=timepoint,
            follow_up_sample=sample,
            tissue=tissue,
            sample_day=day,
        )
        return r.measurement, _pcr_detail(r)

    _run(compute, fmt=fmt, patient=patient, db=db, source=f"pcr:{wells.name}")


def ngs(
    diagnosis: Annotated[Path, typer.Argument(help="Diagnostic AIRR Rearrangement TSV.")],
    follow_up: Annotated[Path, typer.Argument(help="Follow-up AIRR Rearrangement TSV.")],
    dna_ng: float | None = typer.Option(None, "--dna-ng", help="DNA input (ng)."),
    cells: float | None = typer.Option(None, "--cells", help="Cell equivalents analysed."),
    spike_in_templates: float | None = typer.Option(
        None, "--spike-in-templates", help="Spike-in templates added (read-count files)."
    ),
    reads_are_templates: bool = typer.Option(
        False, "--reads-are-templates", help="Accept uncalibrated read counts (warned)."
    ),
    max_mismatches: int = typer.Option(0, "--max-mismatches", min=0, help="Hamming tolerance."),
    index_min_fraction: float = typer.Option(
        0.05, "--index-min-fraction", help="Index-clone share of its locus (fraction)."
    ),
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
) -> None:
    """Track diagnostic index clones into a follow-up sample (AIRR TSV files)."""
    from mrdguide.io.airr_files import read_airr_sample

    if dna_ng is not None and cells is not None:
        fail("give --dna-ng or --cells, not both", ExitCode.USAGE)

    def compute() -> tuple[MRDMeasurement, dict[str, Any]]:
        crit = NGSCriteria(max_mismatches=max_mismatches, index_min_fraction=index_min_fraction)
        r = interpret_ngs(
            read_airr_sample(diagnosis),
            read_airr_sample(follow_up),
            timepoint=timepoint,
            cells=cells,
            dna_ng=dna_ng,
            spike_in_templates=spike_in_templates,
            reads_are_templates=reads_are_templates,
            tissue=tissue,
            sample_day=day,
            criteria=crit,
        )
        return r.measurement, _ngs_detail(r)

    _run(compute, fmt=fmt, patient=patient, db=db, source=f"ngs:{follow_up.name}")


def register(app: typer.Typer) -> None:
    """Add the ``mrd`` command group to ``app``."""
    sub = typer.Typer(
        name="mrd", help=f"Interpret MRD assay data. {SHORT_DISCLAIMER}", no_args_is_help=True
    )
    sub.command("flow")(flow)
    sub.command("flow-fcs")(flow_fcs)
    sub.command("pcr")(pcr)
    sub.command("ngs")(ngs)
    app.add_typer(sub, name="mrd")
