"""Build the patient report's view-model: MRD trajectory, assignments with traces, risk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.domain import TIMEPOINT_ORDER, Case, MRDStatus
from mrdguide.reports.figures import TrajectoryPoint, data_uri, to_png, trajectory_figure
from mrdguide.reports.model import FigureItem, ReportModel, Section, Table, fmt_est

#: Default nominal days of each time point, used only to place undated samples on the plot.
NOMINAL_DAY = {
    "day8": 8,
    "day15": 15,
    "day19": 19,
    "eoi": 33,
    "eoc": 78,
    "post_im1": 140,
    "post_di1": 200,
    "pre_maintenance": 250,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseEstimate:
    """A model's predicted 5-year relapse risk with its CI (from :mod:`mrdguide.risk`)."""

    value: float
    ci_lower: float
    ci_upper: float
    model: str


def trajectory_points(case: Case) -> tuple[TrajectoryPoint, ...]:
    """One point per evaluable sample; negatives at their sensitivity (or 1e-6 if unknown)."""
    pts = []
    order = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    for m in sorted(case.mrd, key=lambda m: (order[m.timepoint], m.sample_day or 0)):
        if m.status is MRDStatus.NOT_EVALUABLE:
            continue
        neg = m.status is MRDStatus.NEGATIVE
        sens = m.sensitivity.fraction if m.sensitivity else None
        val = (sens or 1e-6) if neg else (m.level.fraction if m.level else (sens or 1e-6))
        day = float(m.sample_day if m.sample_day is not None else NOMINAL_DAY[str(m.timepoint)])
        pts.append(
            TrajectoryPoint(
                label=f"{m.timepoint} ({m.tissue}, {m.method})",
                day=day,
                value=val,
                negative=neg,
                sensitivity=sens,
            )
        )
    return tuple(pts)


def _mrd_table(case: Case) -> Table:
    rows = []
    for m in case.mrd:
        lvl = "–" if m.level is None else f"{m.level.fraction:.2e}"
        sens = "unknown" if m.sensitivity is None else f"{m.sensitivity.fraction:.0e}"
        rows.append(
            (
                str(m.timepoint),
                str(m.sample_day if m.sample_day is not None else "–"),
                f"{m.tissue}/{m.method}",
                str(m.status),
                lvl,
                sens,
            )
        )
    return Table(
        title="MRD results",
        header=("Time point", "Day", "Tissue/method", "Status", "Level (fraction)", "Sensitivity"),
        rows=tuple(rows),
    )


def _num(v: Any) -> str:
    """Numbers to 4 significant digits (so 0.00102167... reads 0.001022); others as text."""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _trace_words(a: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for c in a.get("trace", []):
        verdict = "met" if c.get("passed") else "not met"
        out.append(
            f"{c.get('rule')}: {c.get('field')} {c.get('operator', c.get('op', ''))} "
            f"{c.get('threshold')} — observed {c.get('observed')} → {verdict}"
        )
    return tuple(out)


def _assignment_section(assignments: Sequence[Mapping[str, Any]]) -> Section:
    rows = tuple(
        (
            str(a.get("protocol")),
            str(a.get("risk_group")),
            ", ".join(a.get("fired_rules", [])) or "–",
            ", ".join(a.get("missing_inputs", [])) or "–",
        )
        for a in assignments
    )
    paras: list[str] = []
    for a in assignments:
        paras.append(
            f"Under {a.get('protocol')} (version {a.get('protocol_version', '?')}), this "
            f"case is assigned to risk group '{a.get('risk_group')}'. Rule trace:"
        )
        paras.extend(_trace_words(a))
    warns = tuple(str(c) for a in assignments for c in a.get("caveats", []))
    return Section(
        id="assignments",
        title="Risk-group assignments",
        paragraphs=tuple(paras),
        tables=(
            Table(
                title="Assignments",
                header=("Protocol", "Risk group", "Rules that fired", "Missing inputs"),
                rows=rows,
            ),
        ),
        warnings=warns,
    )


def build_patient_report(
    case: Case,
    assignments: Sequence[Mapping[str, Any]],
    *,
    generated: str,
    version: str,
    relapse: RelapseEstimate | None = None,
    flags: Sequence[str] = (),
) -> ReportModel:
    """Assemble the patient report; ``generated``/``version`` are injected (no clock here)."""
    pts = trajectory_points(case)
    fig = trajectory_figure(pts, title="MRD trajectory (log scale)")
    traj = Section(
        id="trajectory",
        title="MRD trajectory",
        tables=(_mrd_table(case),),
        figures=(
            FigureItem(
                title="MRD trajectory",
                src=data_uri(to_png(fig)),
                caption="Open circles: negative, drawn at the sample's sensitivity.",
                n_curves=1,
            ),
        ),
        warnings=tuple(flags),
    )
    sections = [traj, _assignment_section(assignments)]
    if relapse is not None:
        sections.append(
            Section(
                id="relapse-risk",
                title="Genotype-specific relapse estimate",
                paragraphs=(
                    f"Predicted 5-year cumulative incidence of relapse ({relapse.model}): "
                    f"{fmt_est(relapse.value, relapse.ci_lower, relapse.ci_upper)}. This is "
                    "a model estimate for research, not a prognosis for this patient.",
                ),
            )
        )
    return ReportModel(
        title=f"mrdguide patient report: {case.patient_id}",
        subtitle="MRD trajectory, protocol assignments and relapse-risk estimate",
        generated=generated,
        version=version,
        sections=tuple(sections),
        caveats=(
            "Assignments are computed from rule files that encode published protocol "
            "criteria; they are not treatment instructions.",
            DISCLAIMER,
        ),
        provenance=tuple(
            (
                f"Protocol {a.get('protocol')}",
                f"version {a.get('protocol_version')}, sha256 "
                f"{str(a.get('protocol_sha256', ''))[:16]}…",
            )
            for a in assignments
        ),
        disclaimer=DISCLAIMER,
    )
