"""Build the patient report's view-model.

Order: a summary of the patient (age, sex, WBC, immunophenotype, genetics with tiers, CNS,
diagnosis date); each protocol's result with its deciding rule in words; the caveats, each once
with its protocols and severity; a collapsible rule trace per protocol; the MRD results and
trajectory; the genotype-specific relapse estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.domain import TIMEPOINT_ORDER, Case, MRDMeasurement, MRDStatus, Tissue
from mrdguide.domain.display import (
    format_decimals,
    format_mrd_result,
    format_mrd_threshold,
    format_number,
)
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.genetics import classify
from mrdguide.protocols.facts import PGR_MAX_BLASTS_PER_UL
from mrdguide.reports.document import (
    FigureItem,
    Notice,
    ProtocolResult,
    ReportModel,
    Section,
    Table,
    fmt_est,
)
from mrdguide.reports.wording import condition_line, decision_words, humanize_text, severity_of

if TYPE_CHECKING:  # matplotlib is loaded only when a figure is drawn
    from mrdguide.reports.figures import TrajectoryPoint

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
_SEVERITY_ORDER = {"warning": 0, "caution": 1, "info": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseEstimate:
    """A model's predicted 5-year relapse risk with its CI (from :mod:`mrdguide.risk`)."""

    value: float
    ci_lower: float
    ci_upper: float
    model: str


def _chronological(case: Case) -> list[MRDMeasurement]:
    order = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    return sorted(case.mrd, key=lambda m: (order[m.timepoint], m.sample_day or 0))


def _point_label(m: MRDMeasurement) -> str:
    short = label("timepoint_short", m.timepoint)
    return f"{short} (blood)" if m.tissue is Tissue.PERIPHERAL_BLOOD else short


def trajectory_points(case: Case) -> tuple[TrajectoryPoint, ...]:
    """One point per evaluable sample; negatives at their sensitivity (or 1e-6 if unknown)."""
    from mrdguide.reports.figures import TrajectoryPoint

    pts = []
    for m in _chronological(case):
        if m.status is MRDStatus.NOT_EVALUABLE:
            continue
        neg = m.status is MRDStatus.NEGATIVE
        sens = m.sensitivity.fraction if m.sensitivity else None
        val = (sens or 1e-6) if neg else (m.level.fraction if m.level else (sens or 1e-6))
        day = float(m.sample_day if m.sample_day is not None else NOMINAL_DAY[str(m.timepoint)])
        pts.append(
            TrajectoryPoint(
                label=_point_label(m), day=day, value=val, negative=neg, sensitivity=sens
            )
        )
    return tuple(pts)


def _mrd_table(case: Case) -> Table:
    rows = []
    for m in _chronological(case):
        level = m.level.fraction if m.level is not None else None
        sens = None if m.sensitivity is None else m.sensitivity.fraction
        rows.append(
            (
                label("timepoint", m.timepoint),
                "–" if m.sample_day is None else str(m.sample_day),
                f"{label('tissue', m.tissue)}, {label('method', m.method)}",
                label("mrd_status", m.status),
                format_mrd_result(m.status.value, level, sens, describe=False),
                "not recorded" if sens is None else format_mrd_threshold(sens),
            )
        )
    return Table(
        title="MRD results",
        header=("Time point", "Day", "Sample", "Result", "MRD (% of cells)", "Sensitivity"),
        rows=tuple(rows),
        note="MRD in percent of nucleated cells with the power of ten in brackets "
        "(0.01% = 10⁻⁴); a negative result is shown below its sample's sensitivity.",
    )


def _genetics(case: Case) -> tuple[tuple[str, str], ...]:
    g = case.genetics
    if g is None:
        return (("Genetics", "not recorded"),)
    parts = list(g.lesions) or ["no lesion recorded"]
    if g.modal_chromosome_number is not None:
        parts.append(f"modal number {g.modal_chromosome_number}")
    p = case.patient
    try:
        c = classify(
            g,
            immunophenotype=p.immunophenotype.value if p.immunophenotype else None,
            down_syndrome=p.down_syndrome,
        )
    except InputError as exc:
        return (("Genetics", ", ".join(parts)), ("Genetic risk tiers", f"not classified: {exc}"))
    tiers = [
        f"{name} {tier}"
        for name, tier in (("UK", c.uk_tier), ("COG", c.cog_tier), ("St Jude", c.stjude_tier))
        if tier is not None
    ]
    return (
        ("Genetics", ", ".join(parts)),
        ("Genetic risk tiers", " · ".join(tiers) or "not tiered"),
    )


def _wbc(w: float | None) -> str:
    if w is None:
        return "not recorded"
    return f"{format_number(w)}/µL ({format_decimals(w / 1000, 1)} × 10⁹/L)"


def patient_summary(case: Case) -> tuple[tuple[str, str], ...]:
    """The summary block: age, sex, WBC, immunophenotype, genetics with tiers, CNS, dates."""
    p = case.patient
    nr = "not recorded"
    age = nr if p.age_years is None else f"{format_decimals(p.age_years, 1)} years"
    blasts = nr
    if p.day8_pb_blasts_per_ul is not None:
        good = "good" if p.day8_pb_blasts_per_ul < PGR_MAX_BLASTS_PER_UL else "poor"
        blasts = f"{format_number(p.day8_pb_blasts_per_ul)}/µL ({good} prednisone response)"
    pheno = label("immunophenotype", p.immunophenotype) if p.immunophenotype else nr
    induction = label("induction_outcome", p.induction_outcome) if p.induction_outcome else nr
    rows = [
        ("Patient", p.patient_id),
        ("Age at diagnosis", age),
        ("Sex", label("sex", p.sex) if p.sex else nr),
        ("WBC at diagnosis", _wbc(p.wbc_per_ul)),
        ("Immunophenotype", pheno),
        *_genetics(case),
        ("CNS status", label("cns_status", p.cns_status) if p.cns_status else nr),
        ("NCI risk group", label("nci_risk", p.nci_risk) if p.nci_risk else nr),
        ("Day-8 blood blasts", blasts),
        ("End of induction", induction),
        ("Diagnosis date", p.diagnosis_date.isoformat() if p.diagnosis_date else nr),
    ]
    rows += [
        (name, "yes" if flag else "no")
        for name, flag in (
            ("Down syndrome", p.down_syndrome),
            ("Testicular involvement", p.testicular_involvement),
            ("Steroid pre-treatment", p.steroid_pretreatment),
        )
        if flag is not None
    ]
    return tuple(rows)


def _name(a: Mapping[str, Any]) -> str:
    return label("protocol", a.get("protocol"))


def _results_table(assignments: Sequence[Mapping[str, Any]]) -> Table:
    rows = tuple(
        (
            _name(a),
            label("group", a.get("risk_group"), protocol=str(a.get("protocol"))),
            decision_words(a),
        )
        for a in assignments
    )
    return Table(
        title="Risk group under each protocol",
        header=("Protocol", "Risk group", "Deciding rule"),
        rows=rows,
        numeric=(False, False, False),
    )


def protocol_notices(assignments: Sequence[Mapping[str, Any]]) -> tuple[Notice, ...]:
    """Each distinct caveat once, with the protocols that raised it, most severe first."""
    by_text: dict[str, list[str]] = {}
    for a in assignments:
        for c in a.get("caveats", []):
            text = humanize_text(str(c))
            names = by_text.setdefault(text, [])
            if _name(a) not in names:
                names.append(_name(a))
    notices = [
        Notice(text=t, severity=severity_of(t), sources=tuple(s)) for t, s in by_text.items()
    ]
    return tuple(sorted(notices, key=lambda n: _SEVERITY_ORDER[n.severity]))


def _result(a: Mapping[str, Any]) -> ProtocolResult:
    pid = str(a.get("protocol"))
    group = str(a.get("risk_group"))
    return ProtocolResult(
        protocol=pid,
        name=_name(a),
        version=str(a.get("protocol_version", "?")),
        group=label("group", group, protocol=pid),
        group_code=group,
        decision=decision_words(a),
        trace=tuple(condition_line(c) for c in a.get("trace", [])),
    )


def _assignment_section(assignments: Sequence[Mapping[str, Any]]) -> Section:
    return Section(
        id="assignments",
        title="Risk group by protocol",
        tables=(_results_table(assignments),),
        notices=protocol_notices(assignments),
        results=tuple(_result(a) for a in assignments),
    )


def _flag_notices(
    flags: Sequence[str], assignments: Sequence[Mapping[str, Any]]
) -> tuple[Notice, ...]:
    """Flags not already shown as a protocol caveat (``"<protocol>: <caveat>"`` duplicates)."""
    shown = {f"{a.get('protocol')}: {c}" for a in assignments for c in a.get("caveats", [])}
    out = []
    for f in dict.fromkeys(flags):
        if f in shown:
            continue
        text = humanize_text(f)
        out.append(Notice(text=text, severity=severity_of(text)))
    return tuple(out)


def _trajectory_section(
    case: Case, flags: Sequence[str], assignments: Sequence[Mapping[str, Any]]
) -> Section:
    from mrdguide.reports.figures import data_uri, to_png, trajectory_figure

    fig = trajectory_figure(trajectory_points(case), title="MRD trajectory")
    return Section(
        id="trajectory",
        title="MRD results and trajectory",
        tables=(_mrd_table(case),),
        figures=(
            FigureItem(
                title="MRD trajectory",
                src=data_uri(to_png(fig)),
                caption="Log scale. Filled circles: detected; open circles: negative, drawn at "
                "the sample's sensitivity; short grey bars: each sample's sensitivity (the "
                "lowest level its assay can detect).",
                n_curves=1,
            ),
        ),
        notices=_flag_notices(flags, assignments),
    )


def _relapse_section(relapse: RelapseEstimate) -> Section:
    return Section(
        id="relapse-risk",
        title="Genotype-specific relapse estimate",
        paragraphs=(
            f"Predicted 5-year cumulative incidence of relapse ({humanize_text(relapse.model)}): "
            f"{fmt_est(relapse.value, relapse.ci_lower, relapse.ci_upper)}. This is "
            "a model estimate for research, not a prognosis for this patient.",
        ),
    )


def build_patient_report(
    case: Case,
    assignments: Sequence[Mapping[str, Any]],
    *,
    generated: str,
    version: str,
    relapse: RelapseEstimate | None = None,
    flags: Sequence[str] = (),
    records: Sequence[tuple[str, str]] = (),
) -> ReportModel:
    """Assemble the patient report; ``generated``/``version`` are injected (no clock here).

    ``records`` names the record versions the assessment used (and newer ones it did not), as
    (record, version in words) lines for the provenance block.
    """
    sections = [_assignment_section(assignments), _trajectory_section(case, flags, assignments)]
    if relapse is not None:
        sections.append(_relapse_section(relapse))
    return ReportModel(
        title=f"Patient report: {case.patient_id}",
        subtitle="Risk group under each protocol, MRD trajectory and relapse-risk estimate",
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
                f"Protocol {_name(a)}",
                f"{a.get('protocol')} version {a.get('protocol_version')}, sha256 "
                f"{str(a.get('protocol_sha256', ''))[:16]}…",
            )
            for a in assignments
        )
        + tuple(records),
        disclaimer=DISCLAIMER,
        summary=patient_summary(case),
        summary_title="Patient summary",
    )
