"""Reports from a registry (``mrdguide report cohort|patient``, the demo and the web app).

Building a report returns its content (HTML, and PDF bytes when asked and possible); writing it
is a separate step, :func:`write_report`, to a folder the caller chooses, with mode 0600.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrdguide.errors import NotFoundError
from mrdguide.protocols import assess
from mrdguide.reports.patient import build_patient_report
from mrdguide.reports.render import render_html, render_pdf
from mrdguide.services.assess import assess_all
from mrdguide.services.files import write_private
from mrdguide.services.genotype import fit_genotype_model, patient_estimate
from mrdguide.services.pipeline import patient_flags, render_cohort_report
from mrdguide.services.record_history import mrd_history_rows, records_used
from mrdguide.store import Registry

__all__ = ["Report", "WrittenReport", "cohort_report", "patient_report", "write_report"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A rendered report: its base file name, HTML and optional PDF."""

    name: str
    html: str
    pdf: bytes | None
    n_patients: int
    primary: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WrittenReport:
    """Where a report was written."""

    html: Path
    pdf: Path | None
    n_patients: int
    primary: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "html": str(self.html),
            "pdf": None if self.pdf is None else str(self.pdf),
            "patients": self.n_patients,
            "primary": self.primary,
        }


def write_report(report: Report, out_dir: Path) -> WrittenReport:
    """Write ``<name>.html`` (and ``<name>.pdf``) into ``out_dir`` with mode 0600."""
    html = write_private(out_dir / f"{report.name}.html", report.html)
    pdf = None if report.pdf is None else write_private(out_dir / f"{report.name}.pdf", report.pdf)
    return WrittenReport(html=html, pdf=pdf, n_patients=report.n_patients, primary=report.primary)


def cohort_report(
    reg: Registry,
    *,
    primary: str,
    protocols: Sequence[str],
    generated: str,
    version: str,
    pdf: bool = False,
) -> Report:
    """Assess every registered patient, analyze the cohort and render the cohort report.

    Raises
    ------
    NotFoundError
        If the registry holds no patient.
    """
    cases = list(reg.iter_cases())
    if not cases:
        raise NotFoundError("the registry has no patients; import a cohort first")
    protos = tuple(dict.fromkeys((primary, *protocols)))
    assigned = assess_all(cases, protos)
    genotype = fit_genotype_model(cases, version=version, fit_date=generated)
    _, html = render_cohort_report(
        cases, assigned, primary=primary, protocols=protos, genotype=genotype,
        generated=generated, version=version,
    )  # fmt: skip
    return Report(
        name="cohort-report",
        html=html,
        pdf=render_pdf(html) if pdf else None,
        n_patients=len(cases),
        primary=primary,
    )


def patient_report(
    reg: Registry,
    patient_id: str,
    *,
    protocols: Sequence[str],
    generated: str,
    version: str,
    pdf: bool = False,
) -> Report:
    """Render ``patient-<ID>``: trajectory, assignments with traces, relapse estimate.

    The relapse model is fitted on the whole registry (when estimable) for the estimate.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    """
    with reg.transaction(write=False):
        case = reg.get_case(patient_id)
        cohort = list(reg.iter_cases())
        case_version, history = mrd_history_rows(reg, patient_id)
    assignments = [assess(case, p).to_dict() for p in protocols]
    genotype = fit_genotype_model(cohort, version=version, fit_date=generated)
    model = build_patient_report(
        case, assignments, generated=generated, version=version,
        relapse=None if genotype is None else patient_estimate(genotype, case),
        flags=patient_flags(case, assignments), records=records_used(case_version, history),
    )  # fmt: skip
    html = render_html(model)
    return Report(
        name=f"patient-{patient_id}",
        html=html,
        pdf=render_pdf(html) if pdf else None,
        n_patients=1,
    )
