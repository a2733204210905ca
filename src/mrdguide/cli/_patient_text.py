"""``mrdguide patients show`` for people: summary, MRD results, events and stored assignments.

The summary block is the patient report's (:func:`mrdguide.reports.patient.patient_summary`);
MRD is shown as :mod:`mrdguide.domain.display` writes it and codes by their labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape

from mrdguide.cli._common import disclaimer_footer, table
from mrdguide.domain import TIMEPOINT_ORDER, Case
from mrdguide.domain.display import format_mrd_result, format_mrd_threshold
from mrdguide.domain.labels import label
from mrdguide.reports.patient import patient_summary
from mrdguide.services.cohort import PatientRecord

_DASH = "–"


def mrd_rows(case: Case) -> list[tuple[str, ...]]:
    """One row per MRD result in treatment order: time point, day, sample, status, MRD."""
    rank = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    rows: list[tuple[str, ...]] = []
    for m in sorted(case.mrd, key=lambda m: (rank[m.timepoint], m.sample_day or 0)):
        level = None if m.level is None else m.level.fraction
        sens = None if m.sensitivity is None else m.sensitivity.fraction
        rows.append(
            (
                label("timepoint", m.timepoint),
                _DASH if m.sample_day is None else str(m.sample_day),
                f"{label('tissue', m.tissue)}, {label('method', m.method)}",
                label("mrd_status", m.status),
                format_mrd_result(m.status.value, level, sens, describe=False),
                "not recorded" if sens is None else format_mrd_threshold(sens),
            )
        )
    return rows


def _events(case: Case) -> list[tuple[str, str, str]]:
    """Treatment and outcome events by day: (day, event, detail)."""
    rows: list[tuple[int, str, str]] = []
    for t in case.treatments:
        detail = ", ".join(
            x for x in (t.phase, t.description, t.triggered_by and
                        f"triggered by {label('timepoint_short', t.triggered_by)}") if x
        )  # fmt: skip
        rows.append((t.day, str(t.kind.value).replace("_", " "), detail))
    for o in case.outcomes:
        detail = ", ".join(
            x for x in (
                o.relapse_site and f"site: {str(o.relapse_site.value).replace('_', ' ')}",
                o.in_remission is not None and ("in remission" if o.in_remission else
                                                "not in remission"),
            ) if x
        )  # fmt: skip
        rows.append((o.day, label("outcome", o.kind), detail))
    return [(str(d), e, x or _DASH) for d, e, x in sorted(rows, key=lambda r: r[0])]


def _assignment_row(a: Mapping[str, Any]) -> tuple[str, str, str]:
    pid = str(a.get("ruleset_id", ""))
    return (
        f"{label('protocol', pid)} ({pid} {a.get('ruleset_version', '')})",
        label("group", a.get("group"), protocol=pid),
        str(a.get("assigned_at", ""))[:16].replace("T", " "),
    )


def show_record(record: PatientRecord, out: Console) -> None:
    """Print one patient's record for people."""
    case = record.case
    summary = table(f"Patient {escape(case.patient_id)}", ("", ""), show_header=False)
    for name, value in patient_summary(case):
        summary.add_row(escape(name), escape(value))
    out.print(summary)
    if case.mrd:
        mrd = table(
            "MRD results",
            ("time point", "day", "sample", "status", "MRD (% of cells)", "sensitivity"),
            numeric=("day",),
            no_wrap=("day", "MRD (% of cells)", "sensitivity"),
        )
        for row in mrd_rows(case):
            mrd.add_row(*(escape(c) for c in row))
        out.print(mrd)
    events = _events(case)
    if events:
        ev = table(
            "Treatment and outcome events", ("day", "event", "detail"), numeric=("day",),
            no_wrap=("day",),
        )  # fmt: skip
        for row in events:
            ev.add_row(*(escape(c) for c in row))
        out.print(ev)
    if record.assignments:
        at = table(
            f"Stored risk assignments ({len(record.assignments)})",
            ("protocol", "risk group", "assigned (UTC)"),
            no_wrap=("assigned (UTC)",),
        )
        for a in record.assignments:
            at.add_row(*(escape(c) for c in _assignment_row(a)))
        out.print(at)
    else:
        out.print("No stored risk assignments (run `mrdguide assess --patient ID`).")
    out.print(disclaimer_footer())
