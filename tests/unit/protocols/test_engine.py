"""The engine: three-valued comparisons, precedence, totality, caveats and output."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.protocols import (
    NOT_ASSIGNABLE,
    Fact,
    Facts,
    assess,
    compare,
    evaluate,
    evaluate_facts,
    load_ruleset,
    parse_ruleset,
)

from .conftest import make_case, mrd


@pytest.mark.parametrize(
    ("value", "op", "threshold", "expected"),
    [
        (1e-3, ">=", 1e-3, True),
        (1e-3, ">", 1e-3, False),
        (1e-3, "<", 1e-3, False),
        (1e-3, "<=", 1e-3, True),
        (0.1 * 0.01, ">=", 1e-3, True),  # 0.0010000000000000002 read from a CSV equals 1e-3
        (0.1 * 0.01, ">", 1e-3, False),
        (1.0000001e-3, ">", 1e-3, True),
        (0.9999999e-3, "<", 1e-3, True),
    ],
)
def test_numeric_comparators_use_the_documented_tolerance(
    value: float, op: str, threshold: float, expected: bool
) -> None:
    """>=, >, <, <= follow their declared semantics with relative tolerance 1e-12."""
    assert compare(Fact(value), op, threshold) is expected


@pytest.mark.parametrize(
    ("below", "op", "threshold", "expected"),
    [
        (1e-4, "<", 1e-4, True),  # undetectable at 1e-4 is below 1e-4
        (1e-4, ">=", 1e-4, False),
        (1e-4, ">", 1e-3, False),
        (1e-5, "<", 5e-5, True),
        (1e-3, "<", 1e-4, None),  # undetectable at 1e-3 cannot show < 1e-4
        (1e-3, ">=", 1e-4, None),
        (1e-4, "==", 1e-4, None),
    ],
)
def test_undetected_levels_are_upper_bounds(
    below: float, op: str, threshold: float, expected: bool | None
) -> None:
    """A negative result is '< sensitivity': decided only when the bound reaches the threshold."""
    assert compare(Fact(below=below), op, threshold) is expected


def test_unresolved_and_membership_comparisons() -> None:
    """Unresolved facts are unknown; membership operators work on tuples."""
    assert compare(Fact(resolved=False), ">=", 1e-3) is None
    lesions = Fact(("ETV6::RUNX1", "KMT2A-r"))
    assert compare(lesions, "contains", "KMT2A-r") is True
    assert compare(lesions, "not_contains", "BCR::ABL1") is True
    assert compare(lesions, "contains_any", ("BCR::ABL1", "KMT2A-r")) is True
    assert compare(lesions, "contains_none", ("BCR::ABL1",)) is True
    assert compare(Fact("B"), "in", ("B", "T")) is True
    assert compare(Fact("B"), ">=", 1.0) is None


def test_pnq_is_never_negative() -> None:
    """A positive_nq result is never 'negative at required', whatever its level."""
    case = make_case(
        mrd=[mrd("eoi", "positive_nq", 1e-6, day=29), mrd("eoc", "negative", sensitivity=1e-5)]
    )
    a = assess(case, "ukall2003")
    negs = [c for c in a.trace if c.field == "mrd.eoi.negative_at_required"]
    assert negs
    assert all(c.observed is False for c in negs)
    assert a.risk_group == "mrd-low"
    assert a.fired_rules == ("LOW-D29-LOW-WK11-NEG",)


def test_pnq_level_policy_estimate_vs_qr_lower_limit() -> None:
    """positive_nq uses the estimate by default and the QR lower limit under the other policy."""
    case = make_case(
        mrd=[mrd("eoi", "positive_nq", 5e-4, quantitative_range=1e-3, method="flow", day=29)]
    )
    rs = load_ruleset("asan-mrd")
    assert evaluate(case, rs).risk_group == "standard"
    conservative = replace(rs, positive_nq_level="qr_lower_limit")
    assert evaluate(case, conservative).risk_group == "intensify"


def test_missing_inputs_make_the_case_not_assignable() -> None:
    """A blocking unknown condition yields not_assignable listing the missing field."""
    a = assess(make_case(day8_pb_blasts_per_ul=None), "aieop-bfm-all-2000")
    assert a.risk_group == NOT_ASSIGNABLE
    assert a.missing_inputs == ("prednisone_response",)
    assert not a.assignable
    assert a.triggering_phase is None


def test_lower_group_is_not_assigned_when_a_higher_one_is_undecided() -> None:
    """highest_risk_wins: an unknown HR rule blocks an SR rule that is true."""
    neg = [
        mrd("eoi", "negative", sensitivity=1e-5, markers=2),
        mrd("eoc", "negative", sensitivity=1e-5, markers=2),
    ]
    sr = assess(make_case(mrd=neg), "aieop-bfm-all-2000")
    assert sr.risk_group == "sr"
    blocked = assess(make_case(mrd=neg, genetics=None), "aieop-bfm-all-2000")
    assert blocked.risk_group == NOT_ASSIGNABLE
    assert "genetics.lesions" in blocked.missing_inputs


def test_if_missing_fail_is_reported_as_a_caveat() -> None:
    """A missing fact treated as 'not met' by rule-set policy is named in the caveats."""
    a = assess(make_case(mrd=[mrd("eoi", "positive", 1e-3, day=33)]), "dcog-all10")
    assert a.risk_group == "mr"
    assert any(
        "end-of-consolidation MRD not available" in c and "HR-MRD-TP2" in c for c in a.caveats
    )
    assert a.default_group_applied
    assert a.fired_rules == ()


def test_r_rule_used_is_a_caveat() -> None:
    """Firing a rule resting on recalled evidence adds an [R] caveat."""
    a = assess(make_case(day8_pb_blasts_per_ul=5000), "aieop-bfm-all-2009")
    assert a.risk_group == "hr"
    assert any("[R]" in c and "HR-PPR" in c for c in a.caveats)


def test_out_of_scope_case_is_not_assignable_with_a_caveat() -> None:
    """A T-ALL case under the B-ALL-only COG classification is out of scope."""
    a = assess(make_case(immunophenotype="T"), "cog-b-all")
    assert a.risk_group == NOT_ASSIGNABLE
    assert a.missing_inputs == ()
    assert any("outside the protocol's scope" in c for c in a.caveats)


def test_trace_has_every_condition_and_output_is_json() -> None:
    """The trace lists every condition of every rule, and to_dict is JSON-serialisable."""
    rs = load_ruleset("cog-b-all")
    a = evaluate(make_case(), rs)
    n_conditions = sum(len(r.conditions) for r in rs.rules) + len(rs.eligibility)
    assert len(a.trace) == n_conditions
    d = json.loads(json.dumps(a.to_dict()))
    for key in (
        "case",
        "protocol",
        "protocol_version",
        "protocol_sha256",
        "risk_group",
        "fired_rules",
        "trace",
        "missing_inputs",
        "caveats",
        "triggering_phase",
        "disclaimer",
    ):
        assert key in d
    assert d["disclaimer"] == DISCLAIMER
    assert d["protocol_sha256"] == rs.sha256
    assert set(d["trace"][0]) >= {"rule", "field", "operator", "threshold", "observed", "passed"}


def test_evaluation_is_deterministic_and_independent_of_condition_order() -> None:
    """Reversing the conditions inside every rule changes neither group nor fired rules."""
    rs = load_ruleset("cog-b-all")
    flipped = replace(rs, rules=tuple(replace(r, all=r.all[::-1]) for r in rs.rules))
    for case in (make_case(), make_case(genetics={"lesions": ["ETV6::RUNX1"]})):
        a, b, c = evaluate(case, rs), evaluate(case, rs), evaluate(case, flipped)
        assert a == b
        assert (a.risk_group, a.fired_rules, a.missing_inputs) == (
            c.risk_group,
            c.fired_rules,
            c.missing_inputs,
        )


def test_first_match_stops_at_an_unknown_rule() -> None:
    """first_match: an unknown rule before any true rule gives not_assignable."""
    rs = load_ruleset("ukall2003")
    facts = Facts({"mrd.eoi.evaluable": Fact(True), "mrd.eoi.level": Fact(resolved=False)})
    a = evaluate_facts(facts, rs, case_id="x")
    assert a.risk_group == NOT_ASSIGNABLE
    assert a.missing_inputs == ("mrd.eoi.level",)


def test_no_matching_rule_without_default_is_not_assignable() -> None:
    """A first_match rule set without a default group reports that no rule matched."""
    rs = replace(load_ruleset("ukall2003"), default_group=None)
    facts = Facts(
        {
            "mrd.eoi.evaluable": Fact(True),
            "mrd.eoi.level": Fact(5e-5),
            "mrd.eoi.negative_at_required": Fact(False),
            "mrd.eoi.detected": Fact(True),
            "mrd.eoc.negative_at_required": Fact(False),
        }
    )
    a = evaluate_facts(facts, rs)
    assert a.risk_group == NOT_ASSIGNABLE
    assert any("no rule matched" in c for c in a.caveats)


def test_triggering_phase_only_for_asan() -> None:
    """Only asan-mrd reports the earliest phase whose rule fired."""
    case = make_case(
        mrd=[
            mrd("eoi", "negative", sensitivity=1e-4, method="flow", day=29),
            mrd("eoc", "positive", 2e-3, method="flow", day=80),
            mrd("post_im1", "positive", 3e-3, method="flow", day=150),
        ]
    )
    assert assess(case, "asan-mrd").triggering_phase == "eoc"
    assert assess(case, "kspho-hr-2024").triggering_phase is None


def test_assess_applies_parameter_overrides() -> None:
    """assess(**parameters) evaluates under the overridden (conflicting-source) value."""
    case = make_case(
        mrd=[mrd("eoi", "positive", 1e-3, day=33), mrd("eoc", "positive", 6e-4, day=79)]
    )
    assert assess(case, "dcog-all10").risk_group == "hr"  # verified 5e-4 is the default
    mr = assess(case, "dcog-all10", hr_tp2_threshold=1e-3)
    assert mr.risk_group == "mr"
    assert dict(mr.parameters)["hr_tp2_threshold"] == 1e-3


def test_toy_rule_set_any_and_none_blocks() -> None:
    """'any' needs one true condition and 'none' needs all false, in three-valued logic."""
    text = b"""
[ruleset]
id = "toy"
version = "1"
title = "toy"
source = "test"
precedence = "highest_risk_wins"
groups = ["low", "high"]
default_group = "low"
[mrd]
required_sensitivity = 1e-4
[[rules]]
id = "H"
group = "high"
evidence = "V"
cite = "test"
any = [
  { field = "nci_risk", op = "==", value = "high" },
  { field = "patient.age_years", op = ">=", value = 10 },
]
none = [{ field = "genetics.lesions", op = "contains", value = "ETV6::RUNX1" }]
"""
    rs = parse_ruleset(text)

    def run(**facts: Fact) -> str:
        return evaluate_facts(
            Facts({k.replace("__", "."): v for k, v in facts.items()}), rs
        ).risk_group

    assert run(nci_risk=Fact("high"), genetics__lesions=Fact(())) == "high"
    assert (
        run(nci_risk=Fact("standard"), patient__age_years=Fact(5.0), genetics__lesions=Fact(()))
        == "low"
    )
    assert run(nci_risk=Fact("high"), genetics__lesions=Fact(("ETV6::RUNX1",))) == "low"
    assert run(nci_risk=Fact("high")) == NOT_ASSIGNABLE
    assert run(genetics__lesions=Fact(("ETV6::RUNX1",))) == "low"


def test_caveat_rules_add_protocol_specific_notes() -> None:
    """Protocol caveat rules fire only when their conditions hold (UK HR cytogenetics, DS)."""
    neg = [mrd("eoi", "negative", sensitivity=1e-4, day=29)]
    plain = assess(make_case(mrd=neg), "ukall2003")
    cyto = assess(make_case(mrd=neg, genetics={"lesions": ["iAMP21"]}), "ukall2003")
    assert not any("regimen C" in c for c in plain.caveats)
    assert any("regimen C" in c for c in cyto.caveats)
    assert cyto.risk_group == plain.risk_group == "mrd-low"
    ds = assess(make_case(down_syndrome=True), "cog-b-all")
    assert any("Down syndrome" in c for c in ds.caveats)
