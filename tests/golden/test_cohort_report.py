"""Golden tests for the cohort report: structure, key tables and their numbers.

Set ``MRDGUIDE_UPDATE_GOLDEN=1`` to rewrite ``cohort_report_tables.json`` after an intended change
(the diff must be reviewed).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from mrdguide.analysis.cohort import ProtocolInfo, analyze_cohort
from mrdguide.domain import label
from mrdguide.reports.cohort import (
    GenotypeMRDView,
    _intensification_section,
    build_cohort_report,
)
from mrdguide.reports.document import fmt_est
from mrdguide.reports.render import render_html
from mrdguide.survival import kaplan_meier, logrank_test

from ..unit.analysis.cohort_fixture import group_of, make_cohort
from ..unit.reports.html_text import e_notation, visible_text

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
    code = {label("group", c): c for c in set(g)}
    table = next(tb for s in model.sections for tb in s.tables if tb.title == "Event-free survival")
    for row in table.rows:
        m = g == code[row[0]]
        km = kaplan_meier(t.efs_days[m], t.efs_event[m])
        i = np.searchsorted(km.time, H, side="right") - 1
        assert row[1] == str(int(m.sum()))
        assert row[3] == fmt_est(km.survival[i], km.ci_lower[i], km.ci_upper[i])
    p = logrank_test(t.efs_days, t.efs_event, g).p_value
    if p < 0.001:
        assert "p < 0.001" in table.note
    else:
        shown = float(re.search(r"p = (\d\.\d+)", table.note).group(1))  # type: ignore[union-attr]
        assert abs(shown - p) <= 0.005 * max(p, 0.01)


def test_intensification_table_has_warning(built: tuple) -> None:
    """The seed-study table carries the confounding-by-indication warning."""
    _, _, model, _ = built
    sec = next(s for s in model.sections if s.id == "intensification")
    assert any("confounding by indication" in w for w in sec.warnings)
    arms = {r[2] for r in sec.tables[0].rows}
    assert arms == {"intensified", "not intensified"}


def test_groups_in_risk_order_with_words(built: tuple) -> None:
    """Groups read as words in risk order (standard before high), not codes alphabetically."""
    _, _, model, _ = built
    sec = {s.id: s for s in model.sections}
    efs = next(t for t in sec["survival"].tables if t.title == "Event-free survival")
    assert [r[0] for r in efs.rows] == ["standard risk", "high risk"]
    header = sec["baseline"].tables[0].header
    assert header[1].startswith("All") and header[2].startswith("standard risk")
    assert header[3].startswith("high risk")


def _genotype_view() -> GenotypeMRDView:
    """A view with the strings services/genotype.py builds (e-notation included on purpose)."""
    return GenotypeMRDView(
        band=0.1,
        curves={"good": ([1e-6, 1e-3], [0.05, 0.2]), "high": ([1e-6, 1e-3], [0.2, 0.6])},
        thresholds={"good": 1.8e-4, "high": None},
        discrimination=(("Harrell's C, single MRD threshold 1e-04", "0.679"),),
        threshold_notes={"high": "above the band already at MRD 1e-6"},
        note="Negatives are placed at half their sensitivity.",
    )


def test_rendered_text_has_no_e_notation_or_double_operator(built: tuple) -> None:
    """Goal 0: no e-notation and no 'p = <' anywhere a reader looks (images excluded)."""
    _, a, _, _ = built
    model = build_cohort_report(
        a,
        generated="2026-01-01T00:00:00Z",
        version="9.9.9",
        data_sha256="cd" * 32,
        protocols=[("toy", "1.0.0", "ab" * 32)],
        genotype=_genotype_view(),
        extra_caveats=(
            "eoc: negative at 0.0001; the protocol requires 1e-05 for a negative result",
        ),
    )
    html = render_html(model)
    assert e_notation(html) == []
    text = visible_text(html)
    assert "p = <" not in text
    assert "0.018% (1.8 × 10⁻⁴)" in text and "0.0001%" in text


def test_layout_has_viewport_and_print_rules(built: tuple) -> None:
    """Phones get a viewport; print keeps tables and figures whole; text columns left-aligned."""
    _, _, model, html = built
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html and "break-inside: avoid" in html
    flow = model.sections[0].tables[0]
    assert flow.numeric == (False, True)
    assert '<td class="num">' in html and "<td>Registered</td>" in html


def test_one_armed_seed_table_says_why(built: tuple) -> None:
    """With only 'not intensified' patients the table is replaced by one line saying why."""
    _, a, _, _ = built

    def one_arm(gs: object) -> object:
        if gs is None:
            return None
        keep = tuple(g for g in gs.groups if g.group == "not intensified")  # type: ignore[attr-defined]
        return dataclasses.replace(gs, groups=keep, p_value=None)  # type: ignore[type-var]

    rows = tuple(
        dataclasses.replace(r, naive=one_arm(r.naive), landmark=one_arm(r.landmark))
        for r in a.intensification
    )
    sec = _intensification_section(dataclasses.replace(a, intensification=rows))
    assert sec.tables == ()
    assert len(sec.paragraphs) == 1
    assert sec.paragraphs[0].startswith("No patient in this cohort received MRD-triggered")
