"""Render a :class:`ReportModel` to self-contained HTML (and optionally PDF)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from mrdguide.reports.model import ReportModel

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("mrdguide.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(model: ReportModel) -> str:
    """Render the report to a single HTML string: figures embedded, nothing fetched."""
    return _ENV.get_template("report.html.j2").render(r=model)


def write_html(model: ReportModel, path: Path) -> Path:
    """Write the HTML report to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(model), encoding="utf-8")
    return path


def write_pdf(html: str, path: Path) -> Path | None:
    """Write a PDF with WeasyPrint when it is installed; return ``None`` otherwise."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
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
