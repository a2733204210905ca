"""Patient report: summary first, results in words, caveats once, collapsible trace, flags."""

from __future__ import annotations

import functools
import re

from markupsafe import escape

from mrdguide.domain import case_from_dict
from mrdguide.protocols import assess
from mrdguide.reports.patient import (
    RelapseEstimate,
    build_patient_report,
    protocol_notices,
    trajectory_points,
)
from mrdguide.reports.render import render_html
from mrdguide.services.pipeline import patient_flags

CASE = {
    "patient_id": "SYN-0042",
    "age_years": 6.0,
    "sex": "male",
    "immunophenotype": "B",
    "wbc_per_ul": 8000,
    "cns_status": "CNS1",
    "induction_outcome": "cr",
    "day8_pb_blasts_per_ul": 100,
    "diagnosis_date": "2020-03-01",
    "genetics": {"lesions": ["ETV6::RUNX1"], "modal_chromosome_number": 46},
    "mrd": [
        {
            "timepoint": "eoi",
            "day": 33,
            "method": "pcr",
            "status": "negative",
            "sensitivity": 1e-5,
            "markers": 2,
        },
        {
            "timepoint": "eoc",
            "day": 120,
            "method": "pcr",
            "status": "positive",
            "level": 2e-3,
            "sensitivity": 1e-5,
            "quantitative_range": 1e-4,
            "markers": 2,
        },
    ],
}
PROTOCOLS = ("aieop-bfm-all-2000", "asan-mrd", "cog-b-all")


@functools.cache
def _report(protocols: tuple[str, ...] = PROTOCOLS, flags: tuple[str, ...] = ()) -> tuple:
    """Built once per argument set (the trajectory figure dominates the time)."""
    case = case_from_dict(CASE)
    assignments = [assess(case, p).to_dict() for p in protocols]
    model = build_patient_report(
        case,
        assignments,
        generated="2026-01-01",
        version="9.9.9",
        relapse=RelapseEstimate(value=0.12, ci_lower=0.07, ci_upper=0.2, model="test"),
        flags=flags,
    )
    return case, assignments, model, render_html(model)


def test_negatives_are_drawn_at_their_sensitivity() -> None:
    """The negative EOI sample is plotted at 1e-5 (its sensitivity), not at zero."""
    pts = trajectory_points(case_from_dict(CASE))
    assert [(p.value, p.negative) for p in pts] == [(1e-5, True), (2e-3, False)]
    assert [p.label for p in pts] == ["end of induction", "end of consolidation"]


def test_flags_report_re_emergence_and_window() -> None:
    """Negative → positive is flagged as re-emergence; a day-120 EOC sample is out of window."""
    case = case_from_dict(CASE)
    a = assess(case, "aieop-bfm-all-2000").to_dict()
    flags = patient_flags(case, [a])
    assert any("re-emergence" in f for f in flags)
    assert any("window" in f for f in flags)


def test_summary_block_comes_first() -> None:
    """Age, sex, WBC, immunophenotype, genetics with tiers, CNS and diagnosis date lead."""
    _, _, model, html = _report()
    keys = [k for k, _ in model.summary]
    for k in ("Age at diagnosis", "Sex", "WBC at diagnosis", "Immunophenotype", "Genetics",
              "Genetic risk tiers", "CNS status", "Diagnosis date"):  # fmt: skip
        assert k in keys
    values = dict(model.summary)
    assert values["Age at diagnosis"] == "6.0 years"
    assert values["WBC at diagnosis"] == "8000/µL (8.0 × 10⁹/L)"
    assert values["Immunophenotype"] == "B-cell precursor"
    assert values["Genetics"] == "ETV6::RUNX1, modal number 46"
    assert values["Genetic risk tiers"].startswith("UK good")
    assert values["Diagnosis date"] == "2020-03-01"
    assert html.index('id="summary"') < html.index('<section id="assignments"')
    assert html.index('<section id="assignments"') < html.index('<section id="trajectory"')


def test_deciding_rule_in_words() -> None:
    """The result names the deciding rule in words and MRD in percent."""
    _, _, model, html = _report()
    table = model.sections[0].tables[0]
    rows = {r[0]: r for r in table.rows}
    assert rows["AIEOP-BFM ALL 2000"][1] == "high risk"
    assert rows["AIEOP-BFM ALL 2000"][2] == "end-of-consolidation MRD 0.2% ≥ 0.1% → high risk"
    assert rows["COG B-ALL (AALL08B1 era)"][2] == (
        "missing input: testicular involvement → not assignable"
    )
    assert "end-of-consolidation MRD 0.2% ≥ 0.1% → high risk" in html


def test_trace_is_collapsible_with_states_and_no_raw_codes() -> None:
    """Each protocol's trace sits in <details> with met/not-met styling; no paths or raw floats."""
    _, assignments, _, html = _report()
    assert html.count('<details class="trace"') == len(assignments)
    assert '<li class="met">' in html and '<li class="not-met">' in html
    body = re.sub(r'src="data:[^"]+"', "", html)
    assert "mrd.eoc.level" not in body and "negative_at_required" not in body
    assert not re.search(r"\d\.\d{5,}", body), "unrounded float in the report"
    assert "risk group &#39;hr&#39;" not in body


def test_caveats_shown_once_with_their_protocols_and_severity() -> None:
    """A caveat raised by two protocols is listed once, attributed to both, with a severity."""
    _, assignments, _, html = _report()
    notices = protocol_notices(assignments)
    method = [
        n for n in notices if "differs from the protocol" in n.text and "End of induction" in n.text
    ]
    assert len(method) == 1
    assert set(method[0].sources) == {
        "Asan MRD-triggered intensification",
        "COG B-ALL (AALL08B1 era)",
    }
    assert method[0].severity == "caution"
    assert html.count(str(escape(method[0].text))) == 1
    assert {n.severity for n in notices} <= {"info", "caution", "warning"}


def test_out_of_scope_differs_from_missing_input() -> None:
    """A T-ALL patient is outside COG B-ALL's scope (info), not missing data."""
    case = case_from_dict({**CASE, "immunophenotype": "T"})
    a = assess(case, "cog-b-all").to_dict()
    model = build_patient_report(case, [a], generated="x", version="y")
    decision = model.sections[0].tables[0].rows[0][2]
    assert decision.startswith("outside the protocol's scope")
    scope = [n for n in model.sections[0].notices if "scope" in n.text]
    assert scope and scope[0].severity == "info"


def test_flags_not_repeated_when_already_a_caveat() -> None:
    """Window flags duplicate a protocol caveat and are dropped; re-emergence is a warning."""
    case = case_from_dict(CASE)
    a = assess(case, "aieop-bfm-all-2000").to_dict()
    _, _, model, html = _report(("aieop-bfm-all-2000",), patient_flags(case, [a]))
    traj = next(s for s in model.sections if s.id == "trajectory")
    assert [n.severity for n in traj.notices] == ["warning"]
    assert "re-emergence" in traj.notices[0].text
    assert html.count("window is day 71–92") == 1


def test_mrd_table_in_percent() -> None:
    """MRD results in percent with their power of ten; negatives below their sensitivity."""
    _, _, model, _ = _report()
    traj = next(s for s in model.sections if s.id == "trajectory")
    rows = traj.tables[0].rows
    assert rows[0][0] == "end of induction (day 29–33)"
    assert rows[0][4] == "< 0.001%"
    assert rows[1][4] == "0.2% (2 × 10⁻³)"
    assert rows[1][5] == "0.001%"


def test_report_carries_estimate_and_disclaimer() -> None:
    """The relapse estimate and the research-use disclaimer are in the HTML."""
    _, _, _, html = _report()
    assert "12.0% (7.0–20.0)" in html
    assert "not a medical device" in html
