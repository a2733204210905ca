"""Engine features added for issue 15: designations, rule switches, scope exclusions, boolean
parameters, the 'if_missing = fail' caveat only when it decided a rule, and implied facts."""

from __future__ import annotations

import pytest

from mrdguide.errors import RuleSetError
from mrdguide.protocols import NOT_ASSIGNABLE, Fact, Facts, assess, evaluate_facts
from mrdguide.protocols.facts import derive_facts
from mrdguide.protocols.loader import load_ruleset, parse_ruleset

from .conftest import make_case, mrd

TOY = b"""
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
[parameters.literal]
value = false
alternatives = [true]
source = "test"
[eligibility]
cite = "scope"
[[eligibility.exclude]]
id = "OLD"
cite = "too old"
all = [{ field = "patient.age_years", op = ">=", value = 19 }]
[[rules]]
id = "EARLY"
group = "high"
designation = "early HR"
evidence = "V"
cite = "test"
all = [{ field = "induction_outcome", op = "==", value = "no_cr" }]
[[rules]]
id = "SWITCHED"
group = "high"
enabled_by = "literal"
evidence = "V"
cite = "test"
all = [{ field = "patient.wbc_per_ul", op = ">=", value = 50000 }]
[[rules]]
id = "FAIL"
group = "high"
evidence = "V"
cite = "test"
all = [
  { field = "patient.sex", op = "==", value = "male" },
  { field = "patient.day8_pb_blasts_per_ul", op = ">=", value = 1000, if_missing = "fail" },
]
"""


def _facts(**kw: object) -> Facts:
    base = {
        "patient.age_years": Fact(5.0),
        "induction_outcome": Fact("cr"),
        "patient.wbc_per_ul": Fact(60000.0),
        "patient.sex": Fact("female"),
    }
    base |= {k.replace("__", "."): Fact(v) for k, v in kw.items()}  # type: ignore[misc]
    return Facts(base)


def test_designation_is_reported_with_the_group() -> None:
    """A fired rule's designation is in the assignment and its JSON."""
    rs = parse_ruleset(TOY)
    a = evaluate_facts(_facts(induction_outcome="no_cr"), rs)
    assert a.risk_group == "high" and a.designations == ("early HR",)
    assert a.to_dict()["designations"] == ["early HR"]
    assert evaluate_facts(_facts(), rs).designations == ()


def test_a_switched_off_rule_never_fires_and_can_be_switched_on() -> None:
    """enabled_by: the rule is traced but does not fire until its boolean parameter is true."""
    rs = parse_ruleset(TOY)
    off = evaluate_facts(_facts(), rs)
    assert off.risk_group == "low"
    assert any(t.rule == "SWITCHED" and t.passed for t in off.trace)
    on = evaluate_facts(_facts(), rs.with_parameters(literal=True))
    assert on.risk_group == "high" and on.fired_rules == ("SWITCHED",)


def test_boolean_parameters_reject_other_types() -> None:
    """A switch takes only true/false, and a number parameter never takes a boolean."""
    rs = parse_ruleset(TOY)
    with pytest.raises(RuleSetError):
        rs.with_parameters(literal=1.0)
    dcog = load_ruleset("dcog-all10")
    with pytest.raises(RuleSetError):
        dcog.with_parameters(hr_tp2_threshold=True)


def test_enabled_by_must_name_a_boolean_parameter() -> None:
    """A rule switch naming a numeric or unknown parameter is a rule-file error."""
    bad = TOY.replace(b'enabled_by = "literal"', b'enabled_by = "nope"')
    with pytest.raises(RuleSetError, match="enabled_by"):
        parse_ruleset(bad)


def test_scope_exclusion_makes_the_case_not_assignable() -> None:
    """An exclusion that holds in full puts the case outside the protocol, citing why."""
    rs = parse_ruleset(TOY)
    a = evaluate_facts(_facts(patient__age_years=19.0), rs)
    assert a.risk_group == NOT_ASSIGNABLE
    assert any("too old" in c for c in a.caveats)
    assert evaluate_facts(_facts(patient__age_years=18.99), rs).risk_group == "low"
    missing = Facts({"induction_outcome": Fact("cr"), "patient.sex": Fact("female")})
    m = evaluate_facts(missing, rs)
    assert m.risk_group == NOT_ASSIGNABLE and "patient.age_years" in m.missing_inputs


def test_fail_caveat_only_when_the_policy_decided_the_rule() -> None:
    """A missing 'fail' fact is reported only if the rule was otherwise undecided."""
    rs = parse_ruleset(TOY)
    female = evaluate_facts(_facts(), rs)  # FAIL is false on sex alone: no caveat
    assert not any("day-8 blood blasts" in c for c in female.caveats)
    male = evaluate_facts(_facts(patient__sex="male"), rs)
    assert any("day-8 blood blasts (/µL) not available" in c for c in male.caveats)


def test_b_all_is_never_etp_and_cr_means_fewer_than_5_percent_blasts() -> None:
    """Implied facts: ETP is false for B-ALL; a CR marrow is below 5% blasts (an upper bound)."""
    rs = load_ruleset("kspho-hr-2024")
    f = derive_facts(make_case(), rs)
    etp, blasts = f.get("patient.etp"), f.get("patient.eoi_marrow_blasts_percent")
    assert etp is not None and etp.value is False
    assert blasts is not None and blasts.below == 5.0
    t = derive_facts(make_case(immunophenotype="T", induction_outcome="no_cr"), rs)
    assert t.get("patient.etp") is None and t.get("patient.eoi_marrow_blasts_percent") is None
    rec = derive_facts(make_case(eoi_marrow_blasts_percent=30.0), rs)
    blasts_rec = rec.get("patient.eoi_marrow_blasts_percent")
    assert blasts_rec is not None and blasts_rec.value == 30.0


def test_kspho_etp_and_down_syndrome_are_vhr() -> None:
    """Two of the six 2015 VHR items added by issue 15."""
    neg = [
        mrd("eoi", "negative", sensitivity=1e-4, method="flow"),
        mrd("eoc", "negative", sensitivity=1e-4, method="flow"),
    ]
    etp = assess(make_case(immunophenotype="T", etp=True, mrd=neg), "kspho-hr-2024")
    assert etp.risk_group == "vhr" and "VHR-ETP" in etp.fired_rules
    ds = assess(make_case(down_syndrome=True, mrd=neg), "kspho-hr-2024")
    assert ds.risk_group == "vhr" and "VHR-DOWN-SYNDROME" in ds.fired_rules
    t_unknown = assess(make_case(immunophenotype="T", mrd=neg), "kspho-hr-2024")
    assert t_unknown.risk_group == "hr-standard"
    assert any("early T-precursor (ETP) ALL not available" in c for c in t_unknown.caveats)
