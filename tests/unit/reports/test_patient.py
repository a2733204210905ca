"""Patient report: trajectory points, rule trace in words, flags and the disclaimer."""

from __future__ import annotations

from mrdguide.domain import case_from_dict
from mrdguide.protocols import assess
from mrdguide.reports.patient import RelapseEstimate, build_patient_report, trajectory_points
from mrdguide.reports.render import render_html
from mrdguide.services.pipeline import patient_flags

CASE = {
    "patient_id": "SYN-0042",
    "age_years": 6.0,
    "sex": "male",
    "immunophenotype": "B",
    "wbc_per_ul": 8000,
    "induction_outcome": "cr",
    "day8_pb_blasts_per_ul": 100,
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


def test_negatives_are_drawn_at_their_sensitivity() -> None:
    """The negative EOI sample is plotted at 1e-5 (its sensitivity), not at zero."""
    pts = trajectory_points(case_from_dict(CASE))
    assert [(p.value, p.negative) for p in pts] == [(1e-5, True), (2e-3, False)]


def test_flags_report_re_emergence_and_window() -> None:
    """Negative → positive is flagged as re-emergence; a day-120 EOC sample is out of window."""
    case = case_from_dict(CASE)
    a = assess(case, "aieop-bfm-all-2000").to_dict()
    flags = patient_flags(case, [a])
    assert any("re-emergence" in f for f in flags)
    assert any("window" in f for f in flags)


def test_report_explains_rules_and_carries_disclaimer() -> None:
    """The report states the assignment and each rule condition in words, plus the estimate."""
    case = case_from_dict(CASE)
    a = assess(case, "aieop-bfm-all-2000").to_dict()
    model = build_patient_report(
        case,
        [a],
        generated="2026-01-01",
        version="9.9.9",
        relapse=RelapseEstimate(value=0.12, ci_lower=0.07, ci_upper=0.2, model="test"),
    )
    html = render_html(model)
    assert f"assigned to risk group &#39;{a['risk_group']}&#39;" in html
    assert "mrd.eoc.level" in html
    assert "12.0% (7.0–20.0)" in html
    assert "not a medical device" in html
