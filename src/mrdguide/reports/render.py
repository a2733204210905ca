"""Render a :class:`ReportModel` to self-contained HTML and PDF."""

from __future__ import annotations

from pathlib import Path

import jinja2

from mrdguide.reports.document import ReportModel

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("mrdguide.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(model: ReportModel, *, expand: bool = False) -> str:
    """Render the report to a single HTML string: figures embedded, nothing fetched.

    ``expand`` opens every collapsible rule trace (for print and PDF, where a closed
    ``<details>`` would hide it).
    """
    html = _ENV.get_template("report.html.j2").render(r=model)
    if expand:
        html = html.replace('<details class="trace"', '<details open class="trace"')
    return html


def write_html(model: ReportModel, path: Path) -> Path:
    """Write the HTML report to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(model), encoding="utf-8")
    return path


def write_pdf(html: str, path: Path) -> Path | None:
    """Write a PDF from rendered HTML with WeasyPrint; ``None`` when WeasyPrint is unavailable."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path


def render_pdf(html: str) -> bytes | None:
    """The PDF of ``html`` with WeasyPrint, or ``None`` when WeasyPrint (or Pango) is missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    out: bytes = weasyprint.HTML(string=html).write_pdf()
    return out


def write_report_pdf(model: ReportModel, path: Path) -> Path | None:
    """Write any report (cohort or patient) as PDF, rule traces expanded.

    Returns ``None`` when WeasyPrint (or Debian's Pango, which it needs) is not installed.
    """
    return write_pdf(render_html(model, expand=True), path)


def write_patient_pdf(model: ReportModel, path: Path) -> Path | None:
    """Write the patient report as PDF (see :func:`write_report_pdf`)."""
    return write_report_pdf(model, path)


def report_pdf(model: ReportModel) -> bytes | None:
    """Any report as PDF bytes, rule traces expanded (``None`` without WeasyPrint/Pango)."""
    return render_pdf(render_html(model, expand=True))
