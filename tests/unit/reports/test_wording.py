"""Words for conditions, deciding rules and caveats built elsewhere (rewritten at render time)."""

from __future__ import annotations

import pytest

from mrdguide.reports.wording import (
    condition_line,
    condition_short,
    decision_words,
    humanize_text,
    severity_of,
)


def _cond(field: str, op: str, thr: object, obs: object, passed: bool | None) -> dict:
    return {"rule": "R1", "field": field, "operator": op, "threshold": thr, "observed": obs,
            "passed": passed, "missing": obs is None}  # fmt: skip


def test_numeric_condition_rounds_and_uses_percent() -> None:
    """A raw float is shown to two significant digits in percent; the threshold exactly."""
    c = _cond("mrd.eoc.level", ">=", 0.001, 0.2097837521655685, True)
    assert condition_short(c) == "end-of-consolidation MRD 21% ≥ 0.1%"
    line = condition_line(c)
    assert line.text == "end-of-consolidation MRD ≥ 0.1% (observed 21%) → met"
    assert line.state == "met"


def test_boolean_enum_and_list_conditions() -> None:
    """Booleans read as the property; codes get their labels; lists are joined."""
    neg = _cond("mrd.eoi.negative_at_required", "==", True, False, False)
    assert condition_line(neg).text == (
        "end-of-induction MRD negative at the required sensitivity (observed no) → not met"
    )
    assert condition_line(neg).state == "not-met"
    cr = _cond("induction_outcome", "==", "no_cr", "cr", False)
    assert condition_line(cr).text == (
        "remission at the end of induction is no complete remission "
        "(observed complete remission) → not met"
    )
    les = _cond("genetics.lesions", "contains", "KMT2A::AFF1", ["hyperdiploidy"], False)
    assert condition_short(les) == "genetic lesions include KMT2A::AFF1"
    missing = _cond("mrd.post_im1.level", ">=", 0.001, None, None)
    assert condition_line(missing).text == (
        "post-IM1 MRD ≥ 0.1% (observed missing) → unknown (input missing)"
    )
    below = _cond("mrd.eoi.level", "<", 0.0001, "<1e-05", True)
    assert condition_short(below) == "end-of-induction MRD negative (< 0.001%) < 0.01%"


def test_decision_for_fired_default_and_not_assignable() -> None:
    """Fired rules in words; the default group; missing input vs outside scope."""
    fired = {
        "protocol": "aieop-bfm-all-2000",
        "risk_group": "hr",
        "fired_rules": ["HR-PPR", "HR-MRD-TP2"],
        "trace": [
            _cond("prednisone_response", "==", "poor", "poor", True) | {"rule": "HR-PPR"},
            _cond("mrd.eoc.level", ">=", 0.001, 0.0021, True) | {"rule": "HR-MRD-TP2"},
            _cond("mrd.eoi.level", ">=", 0.001, 0.0001, False) | {"rule": "HR-MRD-TP2"},
        ],
    }
    assert decision_words(fired) == (
        "prednisone response is poor; end-of-consolidation MRD 0.21% ≥ 0.1% → high risk"
    )
    default = {"protocol": "dcog-all10", "risk_group": "mr", "fired_rules": [], "trace": []}
    assert decision_words(default) == (
        "no rule for another group applied → medium risk (the protocol's default group)"
    )
    missing = {"protocol": "x", "risk_group": "not_assignable", "missing_inputs": ["mrd.eoi.level"]}
    assert decision_words(missing) == "missing input: end-of-induction MRD → not assignable"
    scope = {"protocol": "kspho-hr-2024", "risk_group": "not_assignable",
             "caveats": ["outside the protocol's scope: HR only"]}  # fmt: skip
    assert decision_words(scope).startswith("outside the protocol's scope")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            "eoc: insufficient sensitivity: negative at 0.0001; the protocol requires 1e-05 for a "
            "negative result",
            "End of consolidation: insufficient sensitivity: negative at a sensitivity of 0.01%; "
            "the protocol requires 0.001% for a negative result",
        ),
        (
            "eoi: method pcr differs from the protocol's (flow)",
            "End of induction: method RQ-PCR (Ig/TCR) differs from the protocol's (flow cytometry)",
        ),
        (
            "eoc: sample taken on day 120; TP2 (day 78) window is day 71-92",
            "End of consolidation: sample taken on day 120; TP2 (day 78) window is day 71–92",
        ),
        (
            "mrd.post_di1.level not available: condition treated as not met in rule(s) X "
            "(rule-set policy)",
            "post-DI1 MRD not available: condition treated as not met in rule(s) X "
            "(rule-set policy)",
        ),
        (
            "day8: result(s) from bm not used; day 8 peripheral blood requires pb",
            "Day 8: result(s) from bone marrow not used; day 8 peripheral blood requires "
            "peripheral blood",
        ),
        (
            "MRD re-emergence at eoc: eoc: level 0.0021 is >= 1 log above the earlier lowest "
            "level 1e-05.",
            "MRD re-emergence at end of consolidation: level 0.21% is at least 1 log above "
            "the earlier lowest level 0.001%.",
        ),
        ("above the band already at MRD 1e-6", "above the band already at MRD 0.0001%"),
        ("Harrell's C, single MRD threshold 1e-04", "Harrell's C, single MRD threshold 0.01%"),
        ("unknown text with 2.5e-07 inside", "unknown text with 2.5 × 10⁻⁷ inside"),
        (
            "the threshold (week 7 >= 10^-3) is recalled",
            "the threshold (week 7 ≥ 10⁻³) is recalled",
        ),
    ],
)
def test_strings_built_elsewhere_are_rewritten(raw: str, text: str) -> None:
    """Caveats, flags and notes from protocols/, mrd/ and services/ read for people."""
    assert humanize_text(raw) == text


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("outside the protocol's scope: HR only", "info"),
        ("eoc: sample day not recorded; window day 71-92 not checked", "info"),
        ("eoc: insufficient sensitivity: negative at 0.0001", "warning"),
        ("genetics not used: bad karyotype", "warning"),
        ("MRD re-emergence at eoc", "warning"),
        ("eoc: sample taken on day 120; window is day 71-92", "caution"),
        ("rule X rests on recalled, unverified evidence [R]: y", "caution"),
    ],
)
def test_severity(text: str, severity: str) -> None:
    """Context is info, qualifiers are caution, what may invalidate a result is a warning."""
    assert severity_of(text) == severity
