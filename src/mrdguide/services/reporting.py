"""Reports from a registry: ``mrdguide report cohort`` and ``mrdguide report patient``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mrdguide.protocols import assess
from mrdguide.reports.patient import build_patient_report
from mrdguide.reports.render import render_html, write_pdf
from mrdguide.services.genotype import fit_genotype_model, patient_estimate
from mrdguide.services.pipeline import assess_all, patient_flags, write_cohort_report
from mrdguide.store import open_registry


@dataclass(frozen=True, slots=True, kw_only=True)
class CohortReportResult:
    """Where the cohort report went and what it covered."""

    html: Path
    pdf: Path | None
    n_patients: int
    primary: str


def cohort_report(
    db_url: str | None,
    *,
    primary: str,
    protocols: Sequence[str],
    out_dir: Path,
    generated: str,
    version: str,
    pdf: bool = False,
) -> CohortReportResult:
    """Assess every registered patient, analyse the cohort and write ``cohort-report.html``."""
    with open_registry(db_url, create=False) as reg:
        cases = list(reg.iter_cases())
    protos = tuple(dict.fromkeys((primary, *protocols)))
    assigned = assess_all(cases, protos)
    genotype = fit_genotype_model(cases, version=version, fit_date=generated)
    path = out_dir / "cohort-report.html"
    _, html = write_cohort_report(
        cases, assigned, primary=primary, protocols=protos, genotype=genotype, path=path,
        generated=generated, version=version,
    )  # fmt: skip
    pdf_path = write_pdf(html, out_dir / "cohort-report.pdf") if pdf else None
    return CohortReportResult(html=path, pdf=pdf_path, n_patients=len(cases), primary=primary)


def patient_report(
    db_url: str | None,
    patient_id: str,
    *,
    protocols: Sequence[str],
    out_dir: Path,
    generated: str,
    version: str,
) -> Path:
    """Write ``patient-<ID>.html``: trajectory, assignments with traces, relapse estimate.

    The relapse model is fitted on the whole registry (when estimable) for the estimate.
    """
    with open_registry(db_url, create=False) as reg:
        case = reg.get_case(patient_id)
        cohort = list(reg.iter_cases())
    assignments = [assess(case, p).to_dict() for p in protocols]
    genotype = fit_genotype_model(cohort, version=version, fit_date=generated)
    model = build_patient_report(
        case, assignments, generated=generated, version=version,
        relapse=None if genotype is None else patient_estimate(genotype, case),
        flags=patient_flags(case, assignments),
    )  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"patient-{patient_id}.html"
    path.write_text(render_html(model), encoding="utf-8")
    return path
