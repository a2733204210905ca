"""Rendering: traces expand for print/PDF; PDFs of any report when WeasyPrint is present."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from mrdguide.reports.document import (
    ProtocolResult,
    ReportModel,
    Section,
    Table,
    TraceLine,
    fmt_est,
)
from mrdguide.reports.render import render_html, write_patient_pdf

MODEL = ReportModel(
    title="Patient report: SYN-1",
    subtitle="s",
    generated="2026-01-01",
    version="9.9.9",
    sections=(
        Section(
            id="assignments",
            title="Risk group by protocol",
            tables=(Table(title="t", header=("Protocol", "n"), rows=(("A", "1"),)),),
            results=(
                ProtocolResult(
                    protocol="p",
                    name="P",
                    version="1",
                    group="high risk",
                    group_code="hr",
                    decision="end-of-consolidation MRD 0.2% ≥ 0.1% → high risk",
                    trace=(TraceLine(rule="R", text="x → met", state="met"),),
                ),
            ),
        ),
    ),
    caveats=("c",),
    provenance=(("k", "v"),),
    disclaimer="not a medical device",
    summary=(("Age at diagnosis", "6.0 years"),),
    summary_title="Patient summary",
)


def test_traces_collapse_on_screen_and_expand_for_print() -> None:
    """<details> is closed in the HTML and open in the print/PDF rendering."""
    assert '<details class="trace"' in render_html(MODEL)
    assert '<details open class="trace"' in render_html(MODEL, expand=True)


def test_numeric_columns_are_right_aligned_text_columns_left() -> None:
    """Only the number column gets the right-aligned class."""
    html = render_html(MODEL)
    assert "<td>A</td>" in html and '<td class="num">1</td>' in html


def test_estimate_without_interval() -> None:
    """A non-estimable CI says so instead of an empty bracket."""
    assert fmt_est(0.5, float("nan"), float("nan")) == "50.0% (no CI)"
    assert fmt_est(0.5, 0.4, 0.6) == "50.0% (40.0–60.0)"


@pytest.mark.skipif(importlib.util.find_spec("weasyprint") is None, reason="WeasyPrint missing")
def test_patient_pdf(tmp_path: Path) -> None:
    """The patient report is written as a PDF (None only when Pango is missing)."""
    out = write_patient_pdf(MODEL, tmp_path / "patient.pdf")
    if out is None:
        pytest.skip("WeasyPrint cannot load Pango")
    assert out.read_bytes()[:5] == b"%PDF-"
