"""FHIR workflows: export a patient (or the cohort) as Bundles; import MRD Observations.

Export reads the registry's versioned records: each MRD result in the chosen view (authorised by
default; ``include_drafts`` takes the newest version, drafts included) with its version, review
state and review events; one assignment per protocol, evaluated on the same view; the
genotype-specific relapse estimate from the model fitted on the registry's authorised cohort;
the patient report (PDF, or HTML when WeasyPrint/Pango is missing). Import goes through
:func:`mrdguide.services.fhir_import.import_fhir`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.domain import Case, MRDMeasurement, ReviewState
from mrdguide.domain.labels import label
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io.fhir import (
    BundleInput,
    CodingMap,
    Estimate,
    FHIRVersion,
    PresentedForm,
    ResultRecord,
    ReviewStep,
    RiskRecord,
    build_bundle,
    dump_bundle,
    fhir_available,
    load_coding_map,
    read_mrd_observations,
)
from mrdguide.protocols import RiskAssignment, evaluate, load_ruleset
from mrdguide.reports.patient import build_patient_report
from mrdguide.reports.render import render_html, render_pdf
from mrdguide.reports.wording import decision_words
from mrdguide.services.files import private_dir, write_private
from mrdguide.services.genotype import GenotypeResult, fit_genotype_model, patient_estimate
from mrdguide.services.interchange import InterchangeResult, MRDDraft, PatientDraft, import_drafts
from mrdguide.services.pipeline import patient_flags
from mrdguide.services.record_history import history_rows, records_used
from mrdguide.store import MRDVersion, Registry

ReportFormat = Literal["pdf", "html", "none"]
Progress = Callable[[int, int], None]

__all__ = [
    "CodingMap",
    "ExportOptions",
    "ExportResult",
    "FHIRVersion",
    "ReportFormat",
    "export_cohort",
    "export_patient",
    "fhir_available",
    "import_fhir",
    "load_coding_map",
    "patient_bundle",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOptions:
    """What to export and how.

    ``generated`` stamps the bundle, the report and the assessments (timezone-aware UTC).
    """

    version: FHIRVersion
    protocols: tuple[str, ...]
    generated: dt.datetime
    app_version: str
    coding_map: CodingMap = field(default_factory=CodingMap)
    include_drafts: bool = False
    report: ReportFormat = "pdf"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportResult:
    """What was written."""

    path: Path
    patients: int
    results: int
    version: FHIRVersion
    report: ReportFormat
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "out": str(self.path),
            "patients": self.patients,
            "mrd_results": self.results,
            "fhir_version": self.version.value,
            "presented_form": self.report,
            "notes": list(self.notes),
        }


def _steps(v: MRDVersion) -> tuple[ReviewStep, ...]:
    return tuple(
        ReviewStep(action=e.action, state=e.state, actor=e.actor, at=e.at, reason=e.reason)
        for e in v.events
    )


def result_records(
    case: Case, versions: dict[str, int], history: Sequence[MRDVersion]
) -> tuple[ResultRecord, ...]:
    """The exported version of each of ``case``'s MRD results, with its review history.

    ``versions`` maps ``tp/tissue/method`` to the version the case view used.
    """
    by_key: dict[str, list[MRDVersion]] = {}
    for v in history:
        by_key.setdefault(v.key, []).append(v)
    out = []
    for m in case.mrd:
        key = f"{m.timepoint.value}/{m.tissue.value}/{m.method.value}"
        rows = by_key[key]
        chosen = next(v for v in rows if v.version == versions[key])
        earlier = [v for v in rows if v.version < chosen.version]
        out.append(
            ResultRecord(
                measurement=m,
                version=chosen.version,
                review_state=chosen.review_state,
                amends_authorised=any(v.review_state is ReviewState.AUTHORISED for v in earlier),
                actor=chosen.actor,
                recorded_at=chosen.recorded_at,
                reason=chosen.reason,
                events=_steps(chosen),
            )
        )
    return tuple(out)


def _basis(case: Case, a: RiskAssignment) -> tuple[tuple[str, str, str], ...]:
    """MRD results whose facts the deciding rules used (every evaluated MRD condition for the
    default group or when no group could be assigned)."""
    rs = load_ruleset(a.protocol)
    rules = set(a.fired_rules)
    tps = []
    for c in a.trace:
        if c.field.startswith("mrd.") and (not rules or c.rule in rules) and not c.missing:
            tps.append(c.field.split(".")[1])
    out = []
    for tp in dict.fromkeys(tps):
        spec = rs.timepoint(tp)
        m: MRDMeasurement | None = None
        if spec is not None:
            m = next(
                (x for x in case.mrd if x.timepoint.value == tp and x.tissue.value == spec.tissue),
                None,
            )
        if m is not None:
            out.append((m.timepoint.value, m.tissue.value, m.method.value))
    return tuple(out)


def _estimate(genotype: GenotypeResult | None, case: Case) -> Estimate | None:
    est = None if genotype is None else patient_estimate(genotype, case)
    if est is None or genotype is None:
        return None
    years = genotype.model.horizon_days / 365.25
    return Estimate(
        value=est.value,
        ci_lower=est.ci_lower,
        ci_upper=est.ci_upper,
        horizon_years=round(years, 2),
        model=est.model,
    )


def _risks(
    case: Case, assigned: Sequence[RiskAssignment], estimate: Estimate | None
) -> tuple[RiskRecord, ...]:
    out = []
    for a in assigned:
        notes = [f"Caveat: {c}" for c in a.caveats]
        notes += [f"Missing input: {label('field', f)}" for f in a.missing_inputs]
        out.append(
            RiskRecord(
                protocol=a.protocol,
                protocol_name=label("protocol", a.protocol),
                protocol_version=a.protocol_version,
                protocol_sha256=a.protocol_sha256,
                group=a.risk_group,
                group_label=label("group", a.risk_group, protocol=a.protocol),
                basis=_basis(case, a),
                rationale=decision_words(a.to_dict()),
                notes=tuple(notes),
                estimate=estimate,
            )
        )
    return tuple(out)


def _presented(
    case: Case,
    assigned: Sequence[RiskAssignment],
    genotype: GenotypeResult | None,
    opts: ExportOptions,
    notes: list[str],
    records: Sequence[tuple[str, str]] = (),
) -> PresentedForm | None:
    """The patient report, built as :func:`mrdguide.services.report.patient_report` builds it
    (same view-model and renderer), on the exported view and with the already-fitted model."""
    if opts.report == "none":
        return None
    assignments = [a.to_dict() for a in assigned]
    model = build_patient_report(
        case,
        assignments,
        generated=opts.generated.strftime("%Y-%m-%d %H:%M UTC"),
        version=opts.app_version,
        relapse=None if genotype is None else patient_estimate(genotype, case),
        flags=patient_flags(case, assignments),
        records=records,
    )
    html = render_html(model)
    title = f"patient-{case.patient_id}"
    if opts.report == "pdf":
        pdf = render_pdf(html)
        if pdf is not None:
            return PresentedForm(content_type="application/pdf", data=pdf, title=f"{title}.pdf")
        note = "WeasyPrint/Pango is not installed: the presentedForm is the HTML report"
        if note not in notes:
            notes.append(note)
    return PresentedForm(content_type="text/html", data=html.encode("utf-8"), title=f"{title}.html")


def patient_bundle(
    reg: Registry,
    patient_id: str,
    opts: ExportOptions,
    *,
    genotype: GenotypeResult | None,
    notes: list[str],
) -> tuple[str, int]:
    """One patient's validated bundle JSON and how many MRD results it holds.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    with reg.transaction(write=False):
        view = reg.case_view(patient_id, view="latest" if opts.include_drafts else "authorised")
        history = reg.mrd_history(patient_id)
    case = view.case
    assigned = [evaluate(case, load_ruleset(p)) for p in opts.protocols]
    estimate = _estimate(genotype, case)
    inp = BundleInput(
        patient_id=patient_id,
        sex=case.patient.sex,
        diagnosis_date=case.patient.diagnosis_date,
        results=result_records(case, view.mrd_versions, history),
        risks=_risks(case, assigned, estimate),
        report=_presented(
            case,
            assigned,
            genotype,
            opts,
            notes,
            records_used(view.case_version, history_rows(history, view.mrd_versions)),
        ),
        generated=opts.generated,
        notice=DISCLAIMER,
    )
    doc = build_bundle(inp, version=opts.version, cmap=opts.coding_map)
    return dump_bundle(doc, opts.version), len(inp.results)


def _genotype(reg: Registry, opts: ExportOptions) -> GenotypeResult | None:
    cohort = list(reg.iter_cases())
    return fit_genotype_model(
        cohort, version=opts.app_version, fit_date=opts.generated.date().isoformat()
    )


def export_patient(reg: Registry, patient_id: str, out: Path, opts: ExportOptions) -> ExportResult:
    """Write one patient's Bundle to ``out`` (JSON, mode 0600).

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    notes: list[str] = []
    reg.case_view(patient_id)  # NotFoundError before the model is fitted
    text, n = patient_bundle(reg, patient_id, opts, genotype=_genotype(reg, opts), notes=notes)
    write_private(out, text + "\n")
    return ExportResult(
        path=out,
        patients=1,
        results=n,
        version=opts.version,
        report=_used(opts, notes),
        notes=tuple(notes),
    )


def _used(opts: ExportOptions, notes: Sequence[str]) -> ReportFormat:
    if opts.report == "pdf" and any("WeasyPrint" in n for n in notes):
        return "html"
    return opts.report


def export_cohort(
    reg: Registry, out: Path, opts: ExportOptions, *, progress: Progress | None = None
) -> ExportResult:
    """Write one Bundle per registered patient to ``out`` as NDJSON (mode 0600).

    The relapse model is fitted once on the authorised cohort.
    """
    notes: list[str] = []
    genotype = _genotype(reg, opts)
    ids = reg.patient_ids()
    buf = io.StringIO()
    total = 0
    for i, pid in enumerate(ids, start=1):
        text, n = patient_bundle(reg, pid, opts, genotype=genotype, notes=notes)
        buf.write(text + "\n")
        total += n
        if progress is not None:
            progress(i, len(ids))
    private_dir(out.parent)
    write_private(out, buf.getvalue())
    return ExportResult(
        path=out,
        patients=len(ids),
        results=total,
        version=opts.version,
        report=_used(opts, notes),
        notes=tuple(notes),
    )


def import_fhir(
    reg: Registry,
    path: Path,
    *,
    coding_map: CodingMap | None = None,
    versions: Sequence[FHIRVersion] = tuple(FHIRVersion),
    amend_reason: str | None = None,
    as_draft: bool = False,
) -> InterchangeResult:
    """Import the MRD Observations of a FHIR Bundle (``.json``) or bulk NDJSON file.

    The file is validated with fhir.resources (R5, then R4B, or the ``versions`` given); MRD
    Observations are read as :mod:`mrdguide.io.fhir` describes; then everything goes through
    :func:`mrdguide.services.interchange.import_drafts`. A Patient's gender is used only for a
    patient the registry does not hold yet.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    IngestError
        Every problem found, or no MRD Observation at all (nothing is written).
    ConflictError
        If a stored result would change and no ``amend_reason`` is given (nothing is written).
    """
    parsed = read_mrd_observations(path, coding_map or CodingMap(), versions=tuple(versions))
    if not parsed.results and not parsed.patients:
        raise IngestError(
            [
                IngestIssue(
                    file=path.name,
                    row=None,
                    field="Observation",
                    value=None,
                    rule="no MRD Observation found (mrdguide's code or one the coding map lists)",
                )
            ]
        )
    drafts: dict[str, PatientDraft] = {}
    for pid, sex in parsed.patients.items():
        drafts[pid] = PatientDraft(
            patient_id=pid,
            file=path.name,
            only_if_new=True,
            doc={} if sex is None else {"sex": sex},
        )
    for r in parsed.results:
        p = drafts.setdefault(
            r.patient_id,
            PatientDraft(
                patient_id=r.patient_id,
                file=r.source,
                row=r.row,
                only_if_new=True,
            ),
        )
        p.mrd.append(
            MRDDraft(
                doc=r.doc,
                date=r.date,
                authorised=r.authorised,
                file=r.source,
                row=r.row,
                prefix=f"{r.label}.",
            )
        )
    return import_drafts(
        reg,
        list(drafts.values()),
        source=path.name,
        amend_reason=amend_reason,
        as_draft=as_draft,
        notes=parsed.notes,
    )
