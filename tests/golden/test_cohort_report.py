"""Golden tests for the cohort report: structure, key tables and their numbers.

Set ``MRDGUIDE_UPDATE_GOLDEN=1`` to rewrite ``cohort_report_tables.json`` after an intended change
(the diff must be reviewed).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from mrdguide.analysis.cohort import ProtocolInfo, analyze_cohort
from mrdguide.reports.cohort import build_cohort_report
from mrdguide.reports.model import fmt_est
from mrdguide.reports.render import render_html
from mrdguide.survival import kaplan_meier, logrank_test

from ..unit.analysis.cohort_fixture import group_of, make_cohort

GOLDEN = Path(__file__).with_name("cohort_report_tables.json")
H = 5 * 365.25


@pytest.fixture(scope="module")
def built() -> tuple:
    """A seeded cohort, its analysis and the rendered report (clock and version injected)."""
    cases = make_cohort(500, seed=21)
    prim = ProtocolInfo(
        protocol="toy",
        version="1.0.0",
        sha256="ab" * 32,
        groups={c.patient_id: group_of(c) for c in cases},
    )
    a = analyze_cohort(cases, prim)
    model = build_cohort_report(
        a,
        generated="2026-01-01T00:00:00Z",
        version="9.9.9",
        data_sha256="cd" * 32,
        protocols=[("toy", "1.0.0", "ab" * 32)],
    )
    return cases, a, model, render_html(model)


def test_section_order_is_pinned(built: tuple) -> None:
    """The report has the documented sections in order."""
    _, _, model, html = built
    assert [s.id for s in model.sections] == [
        "flow",
        "baseline",
        "survival",
        "landmark",
        "intensification",
        "models",
        "what-if",
    ]
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids == [*(s.id for s in model.sections), "caveats"]


def test_rendering_is_deterministic(built: tuple) -> None:
    """Rendering the same model twice yields identical HTML (no clock, no random ids)."""
    _, _, model, html = built
    assert render_html(model) == html


def test_report_is_self_contained(built: tuple) -> None:
    """No external resources: images are data URIs and nothing is fetched."""
    _, _, _, html = built
    assert not re.search(r'(src|href)="https?://', html)
    assert html.count('src="data:image/png;base64,') >= 5
    assert "Research use only" in html and "not a medical device" in html


def test_key_tables_match_golden(built: tuple) -> None:
    """The table cells equal the pinned golden values."""
    _, _, model, _ = built
    tables = {
        f"{s.id}/{t.title}": [list(r) for r in t.rows] for s in model.sections for t in s.tables
    }
    if os.environ.get("MRDGUIDE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(tables, indent=1, ensure_ascii=False) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text("utf-8"))
    assert tables == expected


def test_efs_cells_equal_direct_survival_calls(built: tuple) -> None:
    """Each 5-year EFS cell equals a direct kaplan_meier call; the p-value a direct log-rank."""
    _, a, model, _ = built
    t = a.table
    g = np.array([a.primary.groups[p] for p in t.patient_id])
    table = next(tb for s in model.sections for tb in s.tables if tb.title == "Event-free survival")
    for row in table.rows:
        m = g == row[0]
        km = kaplan_meier(t.efs_days[m], t.efs_event[m])
        i = np.searchsorted(km.time, H, side="right") - 1
        assert row[1] == str(int(m.sum()))
        assert row[3] == fmt_est(km.survival[i], km.ci_lower[i], km.ci_upper[i])
    p = logrank_test(t.efs_days, t.efs_event, g).p_value
    assert f"p = {p:.3f}" in table.note or (p < 0.001 and "p = <0.001" in table.note)


def test_intensification_table_has_warning(built: tuple) -> None:
    """The seed-study table carries the confounding-by-indication warning."""
    _, _, model, _ = built
    sec = next(s for s in model.sections if s.id == "intensification")
    assert any("confounding by indication" in w for w in sec.warnings)
    arms = {r[2] for r in sec.tables[0].rows}
    assert arms == {"intensified", "not intensified"}
