"""Everything the patient page shows, from one read of the registry (web app and API).

* the summary block (age, sex, WBC, immunophenotype, genetics with tiers, CNS);
* the authorised MRD results and their trajectory (negatives at their sensitivity), and the
  results not yet authorised, shown as such and never used;
* the risk group under each protocol with the deciding rule and the full trace in words. The
  assessment is computed from the authorised records on every view (it takes milliseconds); a
  stored assessment made on the same record versions and rule file is named as its source,
  otherwise the page says that none is stored for these versions;
* the genotype-specific 5-year relapse estimate with its CI (model from
  :mod:`mrdguide.services.relapse_cache`), or the reason there is none;
* the version history of every MRD result, with its review events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.domain import Case
from mrdguide.domain.display import format_mrd_result, format_percent
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.protocols import RuleSet, evaluate
from mrdguide.reports.figures import TrajectoryPoint
from mrdguide.reports.patient import build_patient_report, patient_summary, trajectory_points
from mrdguide.reports.render import render_html, render_pdf
from mrdguide.reports.wording import condition_line, decision_words, humanize_text
from mrdguide.risk import covariates_from_case
from mrdguide.services.genotype import patient_estimate
from mrdguide.services.pipeline import patient_flags
from mrdguide.services.record_history import (
    HistoryRow,
    history_rows,
    mrd_history_rows,
    pending_rows,
    records_used,
)
from mrdguide.services.relapse_cache import ModelStatus
from mrdguide.services.report import Report
from mrdguide.store import Registry
from mrdguide.store.tables import AssessmentInputRow, AssignmentRow, PatientRow, RuleFileRow

__all__ = [
    "HistoryRow",
    "PatientPage",
    "ProtocolView",
    "RelapseView",
    "TraceItem",
    "patient_page",
    "patient_report_file",
    "protocol_trace",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceItem:
    """One evaluated condition in words; ``deciding`` marks the conditions that decided."""

    rule: str
    text: str
    state: str
    deciding: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolView:
    """One protocol's risk group, how it was reached and where the assessment comes from."""

    protocol: str
    name: str
    version: str
    group: str
    group_label: str
    decision: str
    source: str
    source_note: str
    trace: tuple[TraceItem, ...]
    trace_included: bool
    caveats: tuple[str, ...]
    assignment: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: codes, words and the full assignment."""
        return {
            "protocol": self.protocol,
            "group": self.group,
            "group_label": self.group_label,
            "decision": self.decision,
            "source": self.source,
            "source_note": self.source_note,
            "caveats": list(self.caveats),
            "assignment": dict(self.assignment),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseView:
    """The relapse estimate (``value`` None: not available, ``note`` says why)."""

    value: float | None
    ci_lower: float | None
    ci_upper: float | None
    text: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "value": self.value,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "text": self.text,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientPage:
    """The assembled patient page."""

    patient_id: str
    case_version: int | None
    summary: tuple[tuple[str, str], ...]
    mrd_rows: tuple[tuple[str, str, str, str, str], ...]
    trajectory: tuple[TrajectoryPoint, ...]
    pending: tuple[HistoryRow, ...]
    protocols: tuple[ProtocolView, ...]
    relapse: RelapseView
    history: tuple[HistoryRow, ...]
    inputs: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready document of the page (codes and words)."""
        return {
            "patient_id": self.patient_id,
            "case_version": self.case_version,
            "summary": [{"item": k, "value": v} for k, v in self.summary],
            "inputs": dict(self.inputs),
            "assessments": [p.to_dict() for p in self.protocols],
            "relapse_5y": self.relapse.to_dict(),
            "mrd_history": [dict(h.record) | {"used_for_assessment": h.used} for h in self.history],
            "disclaimer": SHORT_DISCLAIMER,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stored:
    group: str
    assigned_at: dt.datetime
    inputs: Mapping[str, Any] | None
    sha256: str | None


def _stored(reg: Registry, patient_id: str) -> dict[str, _Stored]:
    """The newest stored assignment per protocol: group, time, versions used, rule file."""
    stmt = (
        select(
            # the protocol id lives in the rule file (or, for a full document, in the row)
            func.coalesce(RuleFileRow.ruleset_id, AssignmentRow.ruleset_id),
            AssignmentRow.risk_group,
            AssignmentRow.assigned_at,
            AssessmentInputRow.versions,
            RuleFileRow.sha256,
        )
        .join(PatientRow, PatientRow.id == AssignmentRow.patient_pk)
        .outerjoin(AssessmentInputRow, AssessmentInputRow.id == AssignmentRow.inputs_id)
        .outerjoin(RuleFileRow, RuleFileRow.id == AssignmentRow.rule_file_id)
        .where(PatientRow.patient_id == patient_id)
        .order_by(AssignmentRow.id)
    )
    out: dict[str, _Stored] = {}
    with reg.transaction(write=False) as s:
        for pid, group, at, versions, sha in s.execute(stmt):
            out[str(pid)] = _Stored(
                group=str(group or "not_assignable"), assigned_at=at, inputs=versions, sha256=sha
            )
    return out


def _source(stored: _Stored | None, rs: RuleSet, inputs: Mapping[str, Any]) -> tuple[str, str]:
    if stored is None:
        return "computed", "computed now from the authorised results (no stored assessment)"
    day = stored.assigned_at.strftime("%Y-%m-%d %H:%M UTC")
    if stored.sha256 == rs.sha256 and dict(stored.inputs or {}) == dict(inputs):
        return "stored", f"stored assessment of {day} (same record versions and rule file)"
    return "computed", (
        f"computed now from the authorised results; the stored assessment of {day} used other "
        "record versions or another rule file"
    )


def _trace(a: Mapping[str, Any]) -> tuple[TraceItem, ...]:
    """Every evaluated condition in words; the conditions of the fired rules that were met
    decided the group."""
    fired = set(a.get("fired_rules", []))
    out = []
    for c in a.get("trace", []):
        line = condition_line(c)
        deciding = c.get("rule") in fired and c.get("passed") is True
        out.append(TraceItem(rule=line.rule, text=line.text, state=line.state, deciding=deciding))
    return tuple(out)


def _protocol_view(
    case: Case,
    rs: RuleSet,
    stored: _Stored | None,
    inputs: Mapping[str, Any],
    *,
    with_trace: bool = True,
) -> ProtocolView:
    a = evaluate(case, rs).to_dict()
    source, note = _source(stored, rs, inputs)
    return ProtocolView(
        protocol=rs.id,
        name=label("protocol", rs.id),
        version=rs.version,
        group=str(a["risk_group"]),
        group_label=label("group", a["risk_group"], protocol=rs.id),
        decision=decision_words(a),
        source=source,
        source_note=note,
        trace=_trace(a) if with_trace else (),
        trace_included=with_trace,
        caveats=tuple(dict.fromkeys(humanize_text(str(c)) for c in a.get("caveats", []))),
        assignment=a,
    )


def _relapse(case: Case, status: ModelStatus | None) -> RelapseView:
    none = RelapseView(value=None, ci_lower=None, ci_upper=None, text="not available", note="")
    if status is None:
        return none
    if status.model is None:
        why = status.error or "the relapse model is being fitted on the registry; reload shortly"
        return RelapseView(
            value=None, ci_lower=None, ci_upper=None, text="not yet available", note=why
        )
    m = status.model
    age = f"fitted {m.fitted_at.strftime('%Y-%m-%d %H:%M UTC')} on {m.n_patients:,} patients"
    if not status.current:
        age += "; a refit on the newest authorised data is running"
    if m.warnings:
        age += "; the fit warned: " + "; ".join(m.warnings)
    if m.result is None:
        return RelapseView(
            value=None,
            ci_lower=None,
            ci_upper=None,
            text="not estimable",
            note=f"the registry cannot support the model ({age})",
        )
    try:
        covariates_from_case(case, m.result.model.spec)
    except (InputError, ValueError, LookupError) as exc:
        why = humanize_text(str(getattr(exc, "rule", None) or exc))
        return RelapseView(
            value=None,
            ci_lower=None,
            ci_upper=None,
            text="not estimable",
            note=f"this patient lacks what the model needs: {why}",
        )
    est = patient_estimate(m.result, case)
    if est is None:
        return none
    text = (
        f"{format_percent(est.value)} (95% CI {format_percent(est.ci_lower)}–"
        f"{format_percent(est.ci_upper)})"
    )
    note = f"{humanize_text(est.model)}, {age}. A model estimate for research, not a prognosis."
    return RelapseView(
        value=est.value, ci_lower=est.ci_lower, ci_upper=est.ci_upper, text=text, note=note
    )


def _mrd_rows(case: Case) -> tuple[tuple[str, str, str, str, str], ...]:
    rows = []
    for m in sorted(case.mrd, key=lambda m: m.sample_day or 0):
        sens = None if m.sensitivity is None else m.sensitivity.fraction
        level = None if m.level is None else m.level.fraction
        rows.append(
            (
                label("timepoint", m.timepoint),
                "–" if m.sample_day is None else str(m.sample_day),
                f"{label('tissue', m.tissue)}, {label('method', m.method)}",
                format_mrd_result(m.status.value, level, sens),
                "not recorded" if sens is None else format_percent(sens, 4),
            )
        )
    return tuple(rows)


def patient_page(
    reg: Registry,
    patient_id: str,
    *,
    rulesets: Sequence[RuleSet],
    relapse: ModelStatus | None = None,
    traces: Container[str] | None = None,
) -> PatientPage:
    """Assemble the patient page from the authorised records (and the drafts, as drafts).

    ``traces`` names the protocols whose full trace is put in words (default: all); the others
    carry their group and deciding rule, and their trace is fetched with :func:`protocol_trace`
    when a reader opens it.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    with reg.transaction(write=False):
        view = reg.case_view(patient_id)
        versions = reg.mrd_history(patient_id)
        stored = _stored(reg, patient_id)
    case, inputs = view.case, view.inputs()
    history = history_rows(versions, view.mrd_versions)
    return PatientPage(
        patient_id=patient_id,
        case_version=view.case_version,
        summary=patient_summary(case),
        mrd_rows=_mrd_rows(case),
        trajectory=trajectory_points(case),
        pending=pending_rows(history),
        protocols=tuple(
            _protocol_view(
                case, rs, stored.get(rs.id), inputs, with_trace=traces is None or rs.id in traces
            )
            for rs in rulesets
        ),
        relapse=_relapse(case, relapse),
        history=history,
        inputs=inputs,
    )


def patient_report_file(
    reg: Registry,
    patient_id: str,
    *,
    rulesets: Sequence[RuleSet],
    relapse: ModelStatus | None,
    generated: str,
    version: str,
    pdf: bool,
) -> Report:
    """The patient report (PDF with traces expanded, or HTML) from the authorised records,
    with the relapse estimate of the cached model (no refit per report).

    ``pdf`` is ``None`` in the result when WeasyPrint or Pango is missing.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    with reg.transaction(write=False):
        case = reg.get_case(patient_id)
        case_version, history = mrd_history_rows(reg, patient_id)
    assignments = [evaluate(case, rs).to_dict() for rs in rulesets]
    model = None if relapse is None or relapse.model is None else relapse.model.result
    report = build_patient_report(
        case,
        assignments,
        generated=generated,
        version=version,
        relapse=None if model is None else patient_estimate(model, case),
        flags=patient_flags(case, assignments),
        records=records_used(case_version, history),
    )
    html = render_html(report, expand=pdf)
    return Report(
        name=f"patient-{patient_id}", html=html, pdf=render_pdf(html) if pdf else None, n_patients=1
    )


def protocol_trace(reg: Registry, patient_id: str, rs: RuleSet) -> ProtocolView:
    """One protocol's assessment of the authorised records with its full trace in words.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    with reg.transaction(write=False):
        view = reg.case_view(patient_id)
        stored = _stored(reg, patient_id)
    return _protocol_view(view.case, rs, stored.get(rs.id), view.inputs())
