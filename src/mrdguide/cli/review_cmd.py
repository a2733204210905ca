"""``mrdguide mrd history | submit | authorise | return | queue``: versions and four-eyes review.

A result moves draft → submitted → authorised, or is returned with a reason and then amended
(a new version). Review actions need a registered user with the right role (``lab`` submits,
``reviewer`` authorises or returns), and nobody authorises their own result.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mrdguide.cli._common import (
    OutputFormat,
    TableFormat,
    WideOpt,
    console,
    disclaimer_footer,
    emit_csv,
    emit_json,
    table,
    workspace,
)
from mrdguide.domain import MRDMethod, ReviewAction, Timepoint, Tissue
from mrdguide.domain.display import format_mrd, format_mrd_result
from mrdguide.domain.labels import label
from mrdguide.services import review as review_service
from mrdguide.services.review import MRDVersion

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
TableFormatOpt = Annotated[
    TableFormat, typer.Option("--format", help="text, json or csv (codes and fractions).")
]
#: CSV columns of a version list (codes and fractions, as in JSON).
CSV_HEADER = ("patient_id", "timepoint", "tissue", "method", "version", "status", "level",
              "sensitivity", "quantitative_range", "day", "review_state", "actor", "reason",
              "source", "recorded_at")  # fmt: skip


def _emit(versions: list[MRDVersion], fmt: TableFormat) -> bool:
    """Print JSON or CSV; ``False`` for text (the caller prints the table)."""
    if fmt is TableFormat.JSON:
        emit_json([v.to_dict() for v in versions])
    elif fmt is TableFormat.CSV:
        emit_csv(CSV_HEADER, ([v.to_dict()[k] for k in CSV_HEADER] for v in versions))
    return fmt is not TableFormat.TEXT


ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: MRDGUIDE_ACTOR, else OS user).")
]
PatientArg = Annotated[str, typer.Argument(help="Patient id.")]
TimepointOpt = Annotated[Timepoint, typer.Option("--timepoint", help="Case-format time point.")]
TissueOpt = Annotated[Tissue, typer.Option("--tissue", help="bm or pb.")]
MethodOpt = Annotated[MRDMethod, typer.Option("--method", help="flow, pcr or ngs.")]


def _table(title: str, versions: list[MRDVersion]) -> Table:
    t = table(
        title,
        ("result", "version", "status", "MRD", "sensitivity", "review", "by", "at (UTC)",
         "reason"),
        numeric=("version",), no_wrap=("version", "MRD", "sensitivity", "at (UTC)"),
    )  # fmt: skip
    for v in versions:
        d = v.to_dict()
        level, sens = d["level"], d["sensitivity"]
        t.add_row(
            escape(result_name(v)), str(v.version), label("mrd_status", d["status"]),
            format_mrd_result(str(d["status"]), level, sens, describe=False),
            "–" if sens is None else format_mrd(sens), v.review_state.value, escape(v.actor),
            v.recorded_at.strftime("%Y-%m-%d %H:%M"), escape(v.reason or "–"),
        )  # fmt: skip
    return t


def _history(
    ctx: typer.Context,
    patient: PatientArg,
    timepoint: Annotated[
        Timepoint | None, typer.Option("--timepoint", help="Only this time point.")
    ] = None,
    db: DbOpt = None,
    wide: WideOpt = False,
    fmt: TableFormatOpt = TableFormat.TEXT,
) -> None:
    """Every version of a patient's MRD results, oldest first, with its review state."""
    with workspace(ctx, db) as ws:
        versions = review_service.history(ws.registry(), patient, timepoint=timepoint)
    if _emit(versions, fmt):
        return
    out = console(wide=wide)
    out.print(_table(f"MRD history of {escape(patient)}", versions))
    out.print(disclaimer_footer())


def _act(action: ReviewAction):  # type: ignore[no-untyped-def]
    def command(
        ctx: typer.Context,
        patient: PatientArg,
        timepoint: TimepointOpt,
        tissue: TissueOpt = Tissue.BONE_MARROW,
        method: MethodOpt = MRDMethod.FLOW,
        reason: Annotated[
            str | None, typer.Option("--reason", help="Why (required to return).")
        ] = None,
        actor: ActorOpt = None,
        db: DbOpt = None,
        fmt: FormatOpt = OutputFormat.TEXT,
    ) -> None:
        with workspace(ctx, db) as ws:
            v = review_service.review(
                ws.registry(actor), patient, timepoint=timepoint, tissue=tissue, method=method,
                action=action, reason=reason,
            )  # fmt: skip
        if fmt is OutputFormat.JSON:
            emit_json(v.to_dict())
            return
        out = console()
        out.print(
            f"{escape(patient)}, {escape(result_name(v))}, version {v.version}: "
            f"{v.review_state.value} (by {escape(v.events[-1].actor)})"
        )
        out.print(disclaimer_footer())

    command.__doc__ = {
        ReviewAction.SUBMIT: "Submit the newest version of a result for review (lab).",
        ReviewAction.AUTHORISE: "Authorise a submitted result (reviewer; not your own).",
        ReviewAction.RETURN: "Return a submitted result with a reason (reviewer; not your own).",
    }[action]
    return command


def _queue(
    ctx: typer.Context, db: DbOpt = None, wide: WideOpt = False,
    fmt: TableFormatOpt = TableFormat.TEXT,
) -> None:  # fmt: skip
    """Results awaiting review (submitted), oldest first."""
    with workspace(ctx, db) as ws:
        versions = review_service.queue(ws.registry())
    if _emit(versions, fmt):
        return
    out = console(wide=wide)
    out.print(_table(f"{len(versions)} result(s) awaiting review", versions))
    out.print(disclaimer_footer())


def result_name(v: MRDVersion) -> str:
    """A stored result by its labels: ``end of induction, bone marrow, flow cytometry``."""
    return (
        f"{label('timepoint_short', v.timepoint)}, {label('tissue', v.tissue)}, "
        f"{label('method', v.method)}"
    )


def register_into(mrd: typer.Typer) -> None:
    """Add the version and review commands to the ``mrd`` group."""
    mrd.command("history")(_history)
    mrd.command("submit")(_act(ReviewAction.SUBMIT))
    mrd.command("authorise")(_act(ReviewAction.AUTHORISE))
    mrd.command("return")(_act(ReviewAction.RETURN))
    mrd.command("queue")(_queue)
