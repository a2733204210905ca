"""Invariants of the protocol engine over generated cases and rule-set-generated boundaries."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrdguide.domain import Timepoint, case_from_dict
from mrdguide.domain.timepoints import TIMEPOINT_DAYS
from mrdguide.protocols import (
    NOT_ASSIGNABLE,
    Condition,
    Fact,
    Facts,
    Rule,
    RuleSet,
    available_protocols,
    evaluate,
    evaluate_facts,
    load_ruleset,
)

PROTOCOLS = available_protocols()
RULESETS = [load_ruleset(p) for p in PROTOCOLS]
TIMEPOINTS = ("day8", "day15", "day19", "eoi", "eoc", "post_im1", "post_di1", "pre_maintenance")
LESIONS = ("ETV6::RUNX1", "TCF3::PBX1", "KMT2A::AFF1", "BCR::ABL1", "iAMP21", "TCF3::HLF", "DUX4-r")
ADVERSE = ("KMT2A::AFF1", "KMT2A-r", "BCR::ABL1", "iAMP21", "TCF3::HLF")
LEVELS = st.sampled_from([1e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.3])


@st.composite
def measurement(draw: st.DrawFn, tp: str, q: float) -> dict[str, Any]:
    """One MRD entry: positive, positive_nq, negative (various sensitivities) or not evaluable.

    Its sample day lies at the same relative place ``q`` of every time point's window, so the
    days of one case follow the time-point order (windows rise with the order).
    """
    status = draw(
        st.sampled_from(
            ["positive", "positive", "negative", "negative", "positive_nq", "not_evaluable"]
        )
    )
    tissue = "pb" if tp == "day8" else draw(st.sampled_from(["bm", "bm", "bm", "pb"]))
    d: dict[str, Any] = {
        "timepoint": tp,
        "status": status,
        "tissue": tissue,
        "method": draw(st.sampled_from(["flow", "pcr"])),
        "markers": draw(st.integers(1, 3)),
    }
    if draw(st.booleans()):
        lo, hi = TIMEPOINT_DAYS[Timepoint(tp)]
        d["day"] = lo + round(q * (hi - lo))
    if status in ("positive", "positive_nq"):
        d["level"] = draw(LEVELS)
    if status == "negative":
        d["sensitivity"] = draw(st.sampled_from([1e-5, 1e-4, 1e-3]))
    return d


@st.composite
def case_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A case document with optional features, genetics and MRD at any time points."""

    def maybe(s: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(st.none(), s, s, s))

    doc: dict[str, Any] = {
        "patient_id": "H1",
        "age_years": maybe(st.sampled_from([0.5, 1.0, 5.0, 9.99, 10.0, 12.5, 13.0, 16.0])),
        "wbc_per_ul": maybe(st.sampled_from([2000, 49999, 50000, 120000])),
        "immunophenotype": maybe(st.sampled_from(["B", "B", "T"])),
        "day8_pb_blasts_per_ul": maybe(st.sampled_from([0.0, 999.0, 1000.0, 5000.0])),
        "induction_outcome": maybe(st.sampled_from(["cr", "cr", "no_cr"])),
        "cns_status": maybe(st.sampled_from(["CNS1", "CNS2", "CNS3"])),
        "testicular_involvement": maybe(st.booleans()),
        "steroid_pretreatment": maybe(st.booleans()),
        "down_syndrome": maybe(st.booleans()),
    }
    if draw(st.integers(0, 4)):
        gen: dict[str, Any] = {
            "lesions": draw(st.lists(st.sampled_from(LESIONS), max_size=2, unique=True))
        }
        modal = maybe(st.sampled_from([30, 43, 44, 45, 46, 47, 55]))
        if modal is not None:
            gen["modal_chromosome_number"] = modal
        if draw(st.booleans()):
            gen["dna_index"] = draw(st.sampled_from([0.8, 1.0, 1.159, 1.16, 1.2]))
        if draw(st.booleans()):
            gen["trisomies"] = draw(st.sampled_from([[4, 10], [4], [21]]))
        doc["genetics"] = gen
    tps = draw(st.lists(st.sampled_from(TIMEPOINTS), unique=True, max_size=6))
    q = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    doc["mrd"] = [draw(measurement(tp, q)) for tp in tps]
    return {k: v for k, v in doc.items() if v is not None}


def _rank(rs: RuleSet, group: str) -> int:
    return rs.rank(group)


@given(doc=case_docs())
def test_engine_is_total_and_deterministic(doc: dict[str, Any]) -> None:
    """Every case gets exactly one declared group or not_assignable, the same every time."""
    case = case_from_dict(doc)
    for rs in RULESETS:
        a = evaluate(case, rs)
        assert a.risk_group in (*rs.groups, NOT_ASSIGNABLE)
        assert a == evaluate(case, rs)
        if a.risk_group == NOT_ASSIGNABLE:
            assert a.missing_inputs or a.caveats
            assert not a.fired_rules
        else:
            assert a.missing_inputs == ()
            assert all(r in {x.id for x in rs.rules} for r in a.fired_rules)


def _raise(m: dict[str, Any], factor: float) -> dict[str, Any] | None:
    """A strictly-not-lower version of measurement ``m``, or None if there is none."""
    out = copy.deepcopy(m)
    if m["status"] in ("positive", "positive_nq"):
        out["level"] = min(1.0, m["level"] * factor)
        return out
    if m["status"] == "negative":
        out.update(status="positive", level=min(1.0, m["sensitivity"] * factor))
        del out["sensitivity"]
        return out
    return None


@settings(max_examples=200)
@given(doc=case_docs(), index=st.integers(0, 10), factor=st.sampled_from([1.0, 1.5, 10.0, 1e3]))
def test_higher_mrd_never_lowers_the_group(doc: dict[str, Any], index: int, factor: float) -> None:
    """Raising the MRD level at one time point, all else equal, never lowers the group."""
    if not doc["mrd"]:
        return
    i = index % len(doc["mrd"])
    raised = _raise(doc["mrd"][i], factor)
    if raised is None:
        return
    doc2 = copy.deepcopy(doc)
    doc2["mrd"][i] = raised
    before, after = case_from_dict(doc), case_from_dict(doc2)
    for rs in RULESETS:
        a, b = evaluate(before, rs), evaluate(after, rs)
        if a.assignable and b.assignable:
            assert _rank(rs, b.risk_group) >= _rank(rs, a.risk_group), (
                rs.id,
                a.fired_rules,
                b.fired_rules,
            )


@settings(max_examples=200)
@given(doc=case_docs(), lesion=st.sampled_from(ADVERSE))
def test_an_added_adverse_lesion_never_lowers_the_group(doc: dict[str, Any], lesion: str) -> None:
    """Adding KMT2A-r, BCR::ABL1, iAMP21 or TCF3::HLF never lowers the group."""
    if "genetics" not in doc:
        return
    doc2 = copy.deepcopy(doc)
    doc2["genetics"]["lesions"] = [*doc["genetics"]["lesions"], lesion]
    before, after = case_from_dict(doc), case_from_dict(doc2)
    for rs in RULESETS:
        a, b = evaluate(before, rs), evaluate(after, rs)
        if a.assignable and b.assignable:
            assert _rank(rs, b.risk_group) >= _rank(rs, a.risk_group), (
                rs.id,
                a.fired_rules,
                b.fired_rules,
            )


# ---------------------------------------------------------------------------------------------
# boundaries generated from the rule sets themselves
# ---------------------------------------------------------------------------------------------

EPS = 1e-6
_HOLDS = {">=": (1, 1, 0), ">": (0, 1, 0), "<": (0, 0, 1), "<=": (0, 1, 1)}  # (at, above, below)


def _satisfying(c: Condition, rs: RuleSet, want: bool) -> Fact:
    """A fact that makes ``c`` pass (``want``) or fail."""
    op, thr = c.operator(rs.parameters), c.threshold(rs.parameters)
    if op in _HOLDS:
        lo, hi = float(thr) * 0.5, float(thr) * 2 + 1
        passes_high = op in (">=", ">")
        return Fact(hi if passes_high == want else lo)
    if op == "==":
        return Fact(thr if want else ("__other__" if not isinstance(thr, bool) else not thr))
    if op == "!=":
        return Fact("__other__" if want else thr)
    if op in ("contains", "not_contains"):
        has = (op == "contains") == want
        return Fact((thr,) if has else ())
    if op in ("contains_any", "contains_none"):
        has = (op == "contains_any") == want
        return Fact((thr[0],) if has else ())
    if op in ("in", "not_in"):
        inside = (op == "in") == want
        return Fact(thr[0] if inside else "__other__")
    raise AssertionError(op)


def _boundary_cases() -> list[tuple[str, str, int, str]]:
    out = []
    for rs in RULESETS:
        for rule in rs.rules:
            for k, c in enumerate(rule.conditions):
                if c.operator(rs.parameters) in _HOLDS:
                    out.append((rs.id, rule.id, k, c.field))
    return out


def _facts_for(rule: Rule, rs: RuleSet, k: int, value: float) -> Facts:
    conds = rule.conditions
    n_all, n_any = len(rule.all), len(rule.any)
    facts: dict[str, Fact] = {}
    for j, c in enumerate(conds):
        if j == k:
            continue
        in_any, in_none = n_all <= j < n_all + n_any, j >= n_all + n_any
        want = not in_none and (not in_any or ((k < n_all or k >= n_all + n_any) and j == n_all))
        facts.setdefault(c.field, _satisfying(c, rs, want))
    facts[conds[k].field] = Fact(value)
    return Facts(facts)


@pytest.mark.parametrize(("pid", "rule_id", "k", "field"), _boundary_cases())
def test_boundaries_follow_the_declared_comparator(
    pid: str, rule_id: str, k: int, field: str
) -> None:
    """value*(1-eps), value, value*(1+eps) fire the rule exactly as its comparator says."""
    rs = load_ruleset(pid)
    rule = next(r for r in rs.rules if r.id == rule_id)
    c = rule.conditions[k]
    op, thr = c.operator(rs.parameters), float(c.threshold(rs.parameters))
    if any(o.field == field for j, o in enumerate(rule.conditions) if j != k):
        pytest.skip("field tested twice in one rule")
    other = next(g for g in rs.groups if g != rule.group)
    single = replace(
        rs, rules=(rule,), default_group=other, eligibility=(), exclusions=(), caveat_rules=()
    )
    if rule.enabled_by is not None:  # a switched rule is tested switched on
        single = single.with_parameters(**{rule.enabled_by: True})
    if single.precedence == "first_match":
        single = replace(single, precedence="highest_risk_wins")
    in_none = k >= len(rule.all) + len(rule.any)
    at, above, below = _HOLDS[op]
    for value, holds in ((thr * (1 - EPS), below), (thr, at), (thr * (1 + EPS), above)):
        fired = evaluate_facts(_facts_for(rule, single, k, value), single).risk_group == rule.group
        assert fired == (bool(holds) != in_none), (value, op, thr)
