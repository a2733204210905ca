"""The protocol engine: a small, pure, total interpreter of rule sets.

Every condition is evaluated in three-valued (Kleene) logic: true, false, or unknown when its
fact is missing or cannot be resolved (for example a negative MRD result whose sensitivity does
not reach the threshold). A rule fires when it is true. Precedence then picks exactly one group:

``highest_risk_wins``
    Groups are visited from highest to lowest risk. The first group with a firing rule wins; a
    group with an unknown rule (and none firing) stops the search, because the case might belong
    there: the result is ``not_assignable`` with the missing inputs. When no rule fires the
    rule set's ``default_group`` ("all others") is assigned.
``first_match``
    Rules are visited in file order; the first true rule wins, an unknown rule stops the search.

A condition whose rule-set entry says ``if_missing = "fail"`` treats a *missing* fact as not
met (never an unresolved one); when that choice decided its rule (the rule would otherwise
have been unknown), the assignment carries a caveat saying so. A rule with ``enabled_by``
never fires while its boolean parameter is false. Scope: ``eligibility.any`` (at least one
holds) and ``eligibility.exclude`` (no exclusion holds in full). Comparisons use
:func:`mrdguide.domain.at_least` / :func:`~mrdguide.domain.strictly_above` (relative tolerance
1e-12). The engine does no I/O, reads no clock and is independent of the order of conditions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.domain import Case, at_least, strictly_above
from mrdguide.domain.labels import field_label
from mrdguide.protocols.facts import Fact, Facts, derive_facts
from mrdguide.protocols.loader import load_ruleset
from mrdguide.protocols.schema import NOT_ASSIGNABLE, Condition, Rule, RuleSet

Tri = bool | None

#: Start of the caveat that says why a patient is outside a protocol's scope (not assignable
#: because of who the patient is, not because an input is missing).
SCOPE_CAVEAT = "outside the protocol's scope"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionResult:
    """One evaluated condition: ``observed operator threshold`` -> ``passed``.

    ``passed`` is ``None`` when the condition could not be decided; ``missing`` says the fact
    was absent from the case (rather than present but unresolved).
    """

    rule: str
    field: str
    operator: str
    threshold: Any
    observed: Any
    passed: bool | None
    missing: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        thr = list(self.threshold) if isinstance(self.threshold, tuple) else self.threshold
        return {
            "rule": self.rule,
            "field": self.field,
            "operator": self.operator,
            "threshold": thr,
            "observed": self.observed,
            "passed": self.passed,
            "missing": self.missing,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskAssignment:
    """The explained result of evaluating one case under one rule set.

    ``risk_group`` is one of the rule set's groups or ``"not_assignable"`` (then
    ``missing_inputs`` or ``caveats`` say why). ``fired_rules`` is empty when the default group
    ("all others") was assigned. ``triggering_phase`` is set only for rule sets that report it
    (``asan-mrd``): the earliest time point whose rule fired. ``designations`` are the
    sub-labels of the fired rules (e.g. ``"early HR"`` under AIEOP-BFM ALL 2017).
    """

    case: str
    protocol: str
    protocol_version: str
    protocol_sha256: str
    risk_group: str
    fired_rules: tuple[str, ...]
    trace: tuple[ConditionResult, ...]
    missing_inputs: tuple[str, ...]
    caveats: tuple[str, ...]
    triggering_phase: str | None
    default_group_applied: bool
    parameters: tuple[tuple[str, float | str | bool], ...]
    designations: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER

    @property
    def assignable(self) -> bool:
        """Whether a group was assigned."""
        return self.risk_group != NOT_ASSIGNABLE

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (JSON-serialisable)."""
        return {
            "case": self.case,
            "protocol": self.protocol,
            "protocol_version": self.protocol_version,
            "protocol_sha256": self.protocol_sha256,
            "risk_group": self.risk_group,
            "fired_rules": list(self.fired_rules),
            "trace": [c.to_dict() for c in self.trace],
            "missing_inputs": list(self.missing_inputs),
            "caveats": list(self.caveats),
            "triggering_phase": self.triggering_phase,
            "default_group_applied": self.default_group_applied,
            "parameters": dict(self.parameters),
            "designations": list(self.designations),
            "disclaimer": self.disclaimer,
        }


# ---------------------------------------------------------------------------------------------
# conditions
# ---------------------------------------------------------------------------------------------


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _numeric(value: float, op: str, threshold: float) -> bool:
    if op == ">=":
        return at_least(value, threshold)
    if op == ">":
        return strictly_above(value, threshold)
    if op == "<":
        return not at_least(value, threshold)
    return not strictly_above(value, threshold)  # "<="


def _bound(below: float, op: str, threshold: Any) -> Tri:
    """Compare a level known only to be ``< below``."""
    if op not in (">=", ">", "<", "<=") or not _is_number(threshold):
        return None
    if not at_least(float(threshold), below):  # the bound does not reach the threshold
        return None
    return op in ("<", "<=")


def _membership(value: Any, op: str, threshold: Any) -> Tri:
    if op == "in":
        return value in threshold
    if op == "not_in":
        return value not in threshold
    if not isinstance(value, tuple):
        return None
    if op == "contains":
        return threshold in value
    if op == "not_contains":
        return threshold not in value
    hit = any(t in value for t in threshold)
    return hit if op == "contains_any" else not hit


def compare(fact: Fact, op: str, threshold: Any) -> Tri:
    """Three-valued comparison of ``fact`` against ``threshold`` with comparator ``op``."""
    if not fact.resolved:
        return None
    if fact.below is not None:
        return _bound(fact.below, op, threshold)
    v = fact.value
    if op in (">=", ">", "<", "<="):
        if not (_is_number(v) and _is_number(threshold)):
            return None
        return _numeric(float(v), op, float(threshold))  # type: ignore[arg-type]
    if op == "==":
        return bool(v == threshold)
    if op == "!=":
        return bool(v != threshold)
    return _membership(v, op, threshold)


def _evaluate_condition(rule_id: str, c: Condition, facts: Facts, rs: RuleSet) -> ConditionResult:
    op, thr = c.operator(rs.parameters), c.threshold(rs.parameters)
    fact = facts.get(c.field)
    if fact is None:
        passed: Tri = False if c.if_missing == "fail" else None
        return ConditionResult(
            rule=rule_id,
            field=c.field,
            operator=op,
            threshold=thr,
            observed=None,
            passed=passed,
            missing=True,
        )
    return ConditionResult(
        rule=rule_id,
        field=c.field,
        operator=op,
        threshold=thr,
        observed=fact.observed(),
        passed=compare(fact, op, thr),
    )


def _and(values: Iterable[Tri]) -> Tri:
    vals = list(values)
    if False in vals:
        return False
    return None if None in vals else True


def _or(values: Iterable[Tri]) -> Tri:
    vals = list(values)
    if True in vals:
        return True
    return None if None in vals else False


def _not(v: Tri) -> Tri:
    return None if v is None else not v


def _combine(rule: Rule, passed: Sequence[Tri]) -> Tri:
    n_all, n_any = len(rule.all), len(rule.any)
    part_all = _and(passed[:n_all])
    part_any = _or(passed[n_all : n_all + n_any]) if rule.any else True
    part_none = _not(_or(passed[n_all + n_any :])) if rule.none else True
    return _and((part_all, part_any, part_none))


def _enabled(rule: Rule, rs: RuleSet) -> bool:
    return rule.enabled_by is None or rs.parameters[rule.enabled_by].value is True


def _rule_state(rule: Rule, results: Sequence[ConditionResult], rs: RuleSet) -> Tri:
    if not _enabled(rule, rs):
        return False
    return _combine(rule, [r.passed for r in results])


def _fail_decided(rule: Rule, results: Sequence[ConditionResult], rs: RuleSet) -> bool:
    """Whether treating missing ``if_missing = "fail"`` facts as not met decided the rule."""
    if not _enabled(rule, rs):
        return False
    as_unknown = [None if r.missing else r.passed for r in results]
    return _combine(rule, as_unknown) is None


# ---------------------------------------------------------------------------------------------
# precedence
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decision:
    group: str | None
    fired: tuple[str, ...]
    blocking: tuple[str, ...]
    visited: tuple[str, ...] = ()


def _first_match(rs: RuleSet, states: dict[str, Tri]) -> _Decision:
    visited: list[str] = []
    for r in rs.rules:
        visited.append(r.id)
        if states[r.id] is True:
            return _Decision(r.group, (r.id,), (), tuple(visited))
        if states[r.id] is None:
            return _Decision(None, (), (r.id,), tuple(visited))
    return _Decision(rs.default_group, (), (), tuple(visited))


def _decide(rs: RuleSet, states: dict[str, Tri]) -> _Decision:
    """Apply the precedence policy; ``visited`` lists the rules the decision depended on."""
    if rs.precedence == "first_match":
        return _first_match(rs, states)
    visited: list[str] = []
    for g in reversed(rs.groups):
        ids = [r.id for r in rs.rules if r.group == g]
        visited += ids
        fired = tuple(i for i in ids if states[i] is True)
        if fired:
            return _Decision(g, fired, (), tuple(visited))
        unknown = tuple(i for i in ids if states[i] is None)
        if unknown:
            return _Decision(None, (), unknown, tuple(visited))
    return _Decision(rs.default_group, (), (), tuple(visited))


def _missing_from(results: Iterable[ConditionResult], rules: Iterable[str]) -> list[str]:
    wanted = set(rules)
    return sorted({r.field for r in results if r.rule in wanted and r.passed is None})


def _eligibility(rs: RuleSet, facts: Facts) -> tuple[Tri, list[ConditionResult], list[str]]:
    """Scope state, its trace, and the citations of the exclusions that hold."""
    results = [_evaluate_condition("ELIGIBILITY", c, facts, rs) for c in rs.eligibility]
    state: Tri = _or(r.passed for r in results) if rs.eligibility else True
    excluded: list[str] = []
    for ex in rs.exclusions:
        res = [_evaluate_condition(f"EXCLUDE:{ex.id}", c, facts, rs) for c in ex.all]
        results += res
        held = _and(r.passed for r in res)
        if held is True:
            excluded.append(ex.cite)
        state = _and((state, _not(held)))
    return state, results, excluded


def _fail_caveats(
    results: Sequence[ConditionResult], rs: RuleSet, visited: Sequence[str]
) -> list[str]:
    by_field: dict[str, list[str]] = {}
    conds = {(r.id, c.field): c for r in rs.rules for c in r.conditions}
    missing = {res.rule for res in results if res.missing and res.rule in visited}
    per_rule: dict[str, list[ConditionResult]] = {}
    for res in results:
        if res.rule in missing:
            per_rule.setdefault(res.rule, []).append(res)
    decided = {r.id for r in rs.rules if r.id in per_rule and _fail_decided(r, per_rule[r.id], rs)}
    for res in results:
        c = conds.get((res.rule, res.field))
        decisive = res.missing and res.rule in decided and res.rule in visited
        if decisive and c is not None and c.if_missing == "fail":
            by_field.setdefault(res.field, []).append(res.rule)
    return [
        f"{field_label(f)} not available: condition treated as not met in rule(s) "
        f"{', '.join(sorted(set(ids)))} (rule-set policy)"
        for f, ids in sorted(by_field.items())
    ]


def _phase(rs: RuleSet, fired: Sequence[str]) -> str | None:
    if not rs.report_triggering_phase:
        return None
    order = [t.timepoint for t in rs.timepoints]
    phases = [r.phase for r in rs.rules if r.id in fired and r.phase is not None]
    return min(phases, key=order.index) if phases else None


def _designations(rs: RuleSet, fired: Sequence[str]) -> tuple[str, ...]:
    names = [r.designation for r in rs.rules if r.id in fired and r.designation]
    return tuple(dict.fromkeys(names))


def _r_caveats(rs: RuleSet, fired: Sequence[str]) -> list[str]:
    return [
        f"rule {r.id} rests on recalled, unverified evidence [R]: {r.note}"
        for r in rs.rules
        if r.id in fired and r.evidence == "R"
    ]


def _protocol_caveats(rs: RuleSet, facts: Facts) -> list[str]:
    out = []
    for cr in rs.caveat_rules:
        res = [_evaluate_condition(cr.id, c, facts, rs) for c in cr.all]
        if _and(r.passed for r in res) is True:
            out.append(cr.text)
    return out


def evaluate_facts(facts: Facts, ruleset: RuleSet, *, case_id: str = "") -> RiskAssignment:
    """Assign a group from already-derived facts (see :func:`evaluate`)."""
    rs = ruleset
    elig_state, trace, excluded = _eligibility(rs, facts)
    scope_rules = {r.rule for r in trace}
    states: dict[str, Tri] = {}
    for rule in rs.rules:
        results = [_evaluate_condition(rule.id, c, facts, rs) for c in rule.conditions]
        states[rule.id] = _rule_state(rule, results, rs)
        trace.extend(results)
    caveats = list(facts.caveats)
    if elig_state is not True:
        decision = _Decision(None, (), ())
        missing = sorted({r.field for r in trace if r.rule in scope_rules and r.passed is None})
        if elig_state is False:
            cites = excluded or [rs.eligibility_cite]
            caveats += [f"{SCOPE_CAVEAT}: {c}" for c in cites]
    else:
        decision = _decide(rs, states)
        missing = _missing_from(trace, decision.blocking)
        caveats += _fail_caveats(trace, rs, decision.visited)
        if decision.group is None and not decision.blocking:
            caveats.append("no rule matched and the rule set has no default group")
    group = decision.group if decision.group is not None else NOT_ASSIGNABLE
    caveats += _r_caveats(rs, decision.fired) + _protocol_caveats(rs, facts)
    return RiskAssignment(
        case=case_id,
        protocol=rs.id,
        protocol_version=rs.version,
        protocol_sha256=rs.sha256,
        risk_group=group,
        fired_rules=decision.fired,
        trace=tuple(trace),
        missing_inputs=tuple(missing),
        caveats=tuple(dict.fromkeys(caveats)),
        triggering_phase=_phase(rs, decision.fired) if group != NOT_ASSIGNABLE else None,
        default_group_applied=group != NOT_ASSIGNABLE and not decision.fired,
        parameters=tuple(sorted((k, p.value) for k, p in rs.parameters.items())),
        designations=_designations(rs, decision.fired) if group != NOT_ASSIGNABLE else (),
    )


def evaluate(case: Case, ruleset: RuleSet) -> RiskAssignment:
    """Assign ``case`` to exactly one risk group of ``ruleset``, or to ``not_assignable``.

    Parameters
    ----------
    case : Case
        The case to assess.
    ruleset : RuleSet
        A loaded rule set (:func:`load_ruleset`), possibly with parameters overridden
        (:meth:`RuleSet.with_parameters`).

    Returns
    -------
    RiskAssignment
        The group, the rules that fired, a trace of every condition, missing inputs, caveats,
        the rule set's id, version and sha256, and the research-use disclaimer.

    Examples
    --------
    >>> from mrdguide.domain import Case, Patient
    >>> a = evaluate(Case(patient=Patient(patient_id="P1")), load_ruleset("ukall2003"))
    >>> a.risk_group
    'mrd-indeterminate'
    """
    return evaluate_facts(derive_facts(case, ruleset), ruleset, case_id=case.patient_id)


def assess(case: Case, protocol_id: str, **parameters: float | str | bool) -> RiskAssignment:
    """Load the packaged rule set ``protocol_id``, apply parameter overrides and evaluate."""
    rs = load_ruleset(protocol_id)
    if parameters:
        rs = rs.with_parameters(**parameters)
    return evaluate(case, rs)
