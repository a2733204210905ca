"""``mrdguide mrd``: interpret flow, RQ-PCR and NGS MRD data; optionally store the result.

Commands::

    mrdguide mrd flow --events N --cells M [--lod-events 20 --lloq-events 50]
    mrdguide mrd pcr WELLS.csv [--sample NAME]
    mrdguide mrd ngs DIAGNOSIS.tsv FOLLOWUP.tsv [--dna-ng X | --cells N] [--max-mismatches K]

Common options: ``--timepoint`` (default ``eoi``), ``--tissue`` (``bm``/``pb``), ``--day``,
``--format text|json``, and ``--patient ID [--db URL]`` to append the result to a registered
patient (``--actor`` names who stored it). Bad input exits with code 3 and nothing is stored;
an unknown patient exits with 4.

The JSON output is the interpreted result: its ``measurement`` in the case-document shape
(``day``, ``sensitivity``, ``quantitative_range`` as fractions) plus the assay detail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    console,
    disclaimer_footer,
    emit_json,
    fail,
    option_names,
    reword,
    table,
    workspace,
)
from mrdguide.cli.review_cmd import register_into, result_name
from mrdguide.domain import Timepoint, Tissue
from mrdguide.domain.display import (
    format_decimals,
    format_mrd,
    format_mrd_result,
    format_number,
    format_percent,
)
from mrdguide.domain.labels import label
from mrdguide.mrd import DEFAULT_LLOQ_EVENTS, DEFAULT_LOD_EVENTS, NGSCriteria
from mrdguide.services import mrd as mrd_service
from mrdguide.services.mrd import MRDOutcome, Sample

_TIMEPOINT = typer.Option(Timepoint.EOI, "--timepoint", help="Case-format time point.")
_TISSUE = typer.Option(Tissue.BONE_MARROW, "--tissue", help="bm or pb.")
_DAY = typer.Option(None, "--day", help="Sample day since diagnosis.")
_FORMAT = typer.Option(OutputFormat.TEXT, "--format", help="text or json.")
_PATIENT = typer.Option(None, "--patient", help="Append the result to this registered patient.")
_DB = typer.Option(None, "--db", help="Registry URL (default: MRDGUIDE_DATABASE_URL / user dir).")
_ACTOR = typer.Option(
    None, "--actor", help="Who records it (default: MRDGUIDE_ACTOR, else the OS user)."
)
_AMEND = typer.Option(
    False, "--amend", help="Store a new version of an existing result (needs --reason)."
)
_REASON = typer.Option(None, "--reason", help="Why the result is amended (kept with it).")
_LOD_EVENTS = typer.Option(DEFAULT_LOD_EVENTS, "--lod-events", help="Events for LOD.")
_LLOQ_EVENTS = typer.Option(DEFAULT_LLOQ_EVENTS, "--lloq-events", help="Events for LLOQ.")


#: Python argument names in the core's messages -> the options of these commands.
OPTION_NAMES = {
    "cells": "--cells", "events": "--events", "dna_ng": "--dna-ng",
    "spike_in_templates": "--spike-in-templates", "reads_are_templates=True":
    "--reads-are-templates", "reads_are_templates": "--reads-are-templates",
    "lod_events": "--lod-events", "lloq_events": "--lloq-events",
    "follow_up_sample": "--sample", "max_mismatches": "--max-mismatches",
    "index_min_fraction": "--index-min-fraction",
}  # fmt: skip
_DASH = "–"


def _mrd(v: Any) -> str:
    return format_mrd(v) if isinstance(v, int | float) else _DASH


def _result(m: dict[str, Any], *, describe: bool = True) -> str:
    status, level, sens = str(m.get("status")), m.get("level"), m.get("sensitivity")
    return format_mrd_result(status, level, sens, describe=describe)


def _summary_rows(m: dict[str, Any]) -> list[tuple[str, str]]:
    """The result in words: MRD in percent with its power of ten, codes by their labels."""
    qr = m.get("quantitative_range")
    cells = m.get("cells_analysed")
    return [
        ("Result", _result(m)),
        ("Status", label("mrd_status", m.get("status"))),
        ("Sensitivity (detection limit)", _mrd(m.get("sensitivity"))),
        ("Quantitative range", _DASH if qr is None else f"from {_mrd(qr)}"),
        ("Markers", _DASH if m.get("markers") is None else str(m["markers"])),
        ("Cells analysed", _DASH if cells is None else format_number(cells)),
        ("Sample day", _DASH if m.get("day") is None else str(m["day"])),
    ]


def _detail_table(doc: dict[str, Any]) -> Table | None:
    """Per-marker (PCR) or per-clone (NGS) rows, when the result has them."""
    if "markers" in doc:
        t = table("Markers", ("marker", "status", "MRD", "sensitivity", "quantitative range",
                              "mean Ct", "Ct limit of the range"), numeric=("mean Ct",
                              "Ct limit of the range"), no_wrap=("MRD", "sensitivity"))  # fmt: skip
        for mk in doc["markers"]:
            m = mk["measurement"]
            t.add_row(
                escape(str(mk["marker"])), label("mrd_status", m.get("status")),
                _result(m, describe=False),
                _mrd(m.get("sensitivity")), _mrd(m.get("quantitative_range")),
                format_decimals(mk.get("mean_ct"), 2), format_decimals(mk.get("qr_ct_limit"), 2),
            )  # fmt: skip
        return t
    if "clones" in doc:
        t = table("Index clones", ("locus", "V gene", "share at diagnosis", "templates",
                                   "status", "MRD"), numeric=("share at diagnosis", "templates"),
                  no_wrap=("MRD",))  # fmt: skip
        for c in doc["clones"]:
            m = c["measurement"]
            t.add_row(
                escape(str(c.get("locus"))), escape(str(c.get("v_call"))),
                format_percent(c.get("diagnosis_fraction")), format_number(c.get("templates")),
                label("mrd_status", m.get("status")), _result(m, describe=False),
            )  # fmt: skip
        return t
    return None


def _render_text(outcome: MRDOutcome) -> None:
    doc = outcome.to_dict()
    m = doc["measurement"]
    out = console()
    title = (
        f"MRD by {label('method', m['method'])}: {label('timepoint', m['timepoint'])}, "
        f"{label('tissue', m['tissue'])}"
    )
    t = table(None, ("", ""), show_header=False)
    for name, value in _summary_rows(m):
        t.add_row(name, escape(value))
    out.print(f"[bold]{escape(title)}[/bold]")
    out.print(t)
    detail = _detail_table(doc)
    if detail is not None:
        out.print(detail)
    for w in m.get("warnings", []):
        out.print(f"[yellow]warning:[/yellow] {escape(reword(w, OPTION_NAMES))}")
    if outcome.stored_for is not None:
        out.print(_stored_line(outcome))
    out.print(disclaimer_footer())


@dataclass(frozen=True, slots=True)
class _Store:
    """Where and how to store a result (``--patient``, ``--db``, ``--actor``, ``--amend``)."""

    patient: str | None
    db: str | None
    actor: str | None
    amend: bool
    reason: str | None


def _stored_line(outcome: MRDOutcome) -> str:
    v = outcome.stored
    who = escape(str(outcome.stored_for))
    if v is None:
        return f"Patient {who}: identical to the stored result; nothing new was stored."
    amended = f", amending with reason {escape(str(v.reason))!r}" if v.reason else ""
    return (
        f"Stored for patient {who}: {escape(result_name(v))}, version {v.version}, "
        f"{v.review_state.value} (recorded by {escape(v.actor)}{amended}). It counts for "
        "assessment once authorised."
    )


def _run(
    ctx: typer.Context,
    compute: Callable[[], MRDOutcome],
    *,
    fmt: OutputFormat,
    store: _Store,
) -> None:
    """Compute, optionally store, print. Errors reach ``main``, which maps them to codes."""
    if store.db is not None and store.patient is None:
        fail("--db needs --patient", ExitCode.USAGE)
    if store.amend and not (store.reason and store.reason.strip()):
        fail("--amend needs --reason TEXT", ExitCode.USAGE)
    if store.reason is not None and not store.amend:
        fail("--reason is given with --amend", ExitCode.USAGE)
    with option_names(OPTION_NAMES):
        outcome = compute()
    if store.patient is not None:
        with workspace(ctx, store.db) as ws:
            outcome = mrd_service.store_result(
                ws.registry(store.actor), store.patient, outcome,
                amend_reason=store.reason if store.amend else None,
            )  # fmt: skip
    if fmt is OutputFormat.JSON:
        emit_json(outcome.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
    else:
        _render_text(outcome)


def flow(
    ctx: typer.Context,
    events: int = typer.Option(..., "--events", help="Leukaemic (MRD) events."),
    cells: int = typer.Option(..., "--cells", help="Analyzed nucleated cells."),
    lod_events: int = _LOD_EVENTS,
    lloq_events: int = _LLOQ_EVENTS,
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
    actor: str | None = _ACTOR,
    amend: bool = _AMEND,
    reason: str | None = _REASON,
) -> None:
    """Interpret a flow-cytometry MRD count (events / cells)."""

    def compute() -> MRDOutcome:
        return mrd_service.flow_from_counts(
            events=events, cells=cells, lod_events=lod_events, lloq_events=lloq_events,
            sample=Sample(timepoint=timepoint, tissue=tissue, day=day),
        )  # fmt: skip

    _run(ctx, compute, fmt=fmt, store=_Store(patient, db, actor, amend, reason))


def flow_fcs(
    ctx: typer.Context,
    events_pop: str = typer.Option(
        ..., "--events", help="Leukaemic population: FILE.fcs or FILE.fcs@CHANNEL=CODE."
    ),
    cells_pop: str = typer.Option(
        ..., "--cells", help="Analyzed nucleated cells: FILE.fcs or FILE.fcs@CHANNEL=CODE."
    ),
    lod_events: int = _LOD_EVENTS,
    lloq_events: int = _LLOQ_EVENTS,
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
    actor: str | None = _ACTOR,
    amend: bool = _AMEND,
    reason: str | None = _REASON,
) -> None:
    """Flow MRD from FCS exports of gated populations (counts only; mrdguide does not gate)."""

    def compute() -> MRDOutcome:
        return mrd_service.flow_from_fcs(
            events_pop, cells_pop, lod_events=lod_events, lloq_events=lloq_events,
            sample=Sample(timepoint=timepoint, tissue=tissue, day=day),
        )  # fmt: skip

    _run(ctx, compute, fmt=fmt, store=_Store(patient, db, actor, amend, reason))


def pcr(
    ctx: typer.Context,
    wells: Annotated[Path, typer.Argument(help="Plate CSV, one row per well (docs/mrd.md).")],
    sample: str | None = typer.Option(None, "--sample", help="Follow-up sample name."),
    timepoint: Timepoint = _TIMEPOINT,
    tissue: Tissue = _TISSUE,
    day: int | None = _DAY,
    fmt: OutputFormat = _FORMAT,
    patient: str | None = _PATIENT,
    db: str | None = _DB,
    actor: str | None = _ACTOR,
    amend: bool = _AMEND,
    reason: str | None = _REASON,
) -> None:
    """Interpret an RQ-PCR plate (EuroMRD-style criteria)."""

    def compute() -> MRDOutcome:
        where = Sample(timepoint=timepoint, tissue=tissue, day=day)
        return mrd_service.pcr_from_plate(wells, follow_up_sample=sample, sample=where)

    _run(ctx, compute, fmt=fmt, store=_Store(patient, db, actor, amend, reason))


def ngs(
    ctx: typer.Context,
    diagnosis: Annotated[Path, typer.Argument(help="Diagnostic AIRR Rearrangement TSV.")],
    follow_up: Annotated[Path, typer.Argument(help="Follow-up AIRR Rearrangement TSV.")],
    dna_ng: float | None = typer.Option(None, "--dna-ng", help="DNA input (ng)."),
    cells: float | None = typer.Option(None, "--cells", help="Cell equivalents analyzed."),
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
    actor: str | None = _ACTOR,
    amend: bool = _AMEND,
    reason: str | None = _REASON,
) -> None:
    """Track diagnostic index clones into a follow-up sample (AIRR TSV files)."""
    if dna_ng is not None and cells is not None:
        fail("give --dna-ng or --cells, not both", ExitCode.USAGE)

    def compute() -> MRDOutcome:
        crit = NGSCriteria(max_mismatches=max_mismatches, index_min_fraction=index_min_fraction)
        return mrd_service.ngs_from_files(
            diagnosis, follow_up, criteria=crit, cells=cells, dna_ng=dna_ng,
            spike_in_templates=spike_in_templates, reads_are_templates=reads_are_templates,
            sample=Sample(timepoint=timepoint, tissue=tissue, day=day),
        )  # fmt: skip

    _run(ctx, compute, fmt=fmt, store=_Store(patient, db, actor, amend, reason))


def register(app: typer.Typer) -> None:
    """Add the ``mrd`` command group to ``app``."""
    sub = typer.Typer(
        name="mrd", help=f"Interpret MRD assay data. {SHORT_DISCLAIMER}", no_args_is_help=True
    )
    sub.command("flow")(flow)
    sub.command("flow-fcs")(flow_fcs)
    sub.command("pcr")(pcr)
    sub.command("ngs")(ngs)
    register_into(sub)
    app.add_typer(sub, name="mrd")
