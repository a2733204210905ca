"""Compact storage of a risk assignment: outcomes against the rule file, words rebuilt on demand.

A full :class:`~mrdguide.protocols.RiskAssignment` repeats, for every condition of the rule set,
the rule id, the field, the comparator and the threshold, all of which are in the rule file. The
compact form keeps only what the rule file cannot say:

* ``g`` the group, ``f`` the fired rules, ``d`` whether the default group applied, ``t`` the
  triggering phase;
* ``c`` one character per condition of the rule set, in evaluation order (eligibility first,
  then the scope exclusions, then each rule's ``all``/``any``/``none`` conditions): ``1``
  met, ``0`` not met, ``?`` undecided, ``m`` the fact was missing and the condition
  undecided, ``n`` missing and treated as not met;
* ``o`` the observed value of every condition whose fact was present, in the same order;
* ``p`` the parameters that differ from the rule file's defaults; ``i`` missing inputs,
  ``v`` caveats and ``s`` designations (usually empty).

:func:`expand` rebuilds the full assignment from this and the rule file with the same SHA-256,
which the registry stores once per hash; ``expand(compact(a, rs), rs) == a`` for every
assignment (a property test checks it on simulated cohorts and every shipped rule set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mrdguide.errors import RuleSetError
from mrdguide.protocols.engine import ConditionResult, RiskAssignment
from mrdguide.protocols.schema import Condition, RuleSet

#: Version of the compact layout; stored with every compact assignment.
COMPACT_VERSION = 1

__all__ = ["COMPACT_VERSION", "compact", "expand", "flat_conditions"]

_CODE = {True: "1", False: "0", None: "?"}


def flat_conditions(rs: RuleSet) -> tuple[tuple[str, Condition], ...]:
    """Every condition of ``rs`` with its rule id, in the engine's evaluation order."""
    out: list[tuple[str, Condition]] = [("ELIGIBILITY", c) for c in rs.eligibility]
    for ex in rs.exclusions:
        out.extend((f"EXCLUDE:{ex.id}", c) for c in ex.all)
    for rule in rs.rules:
        out.extend((rule.id, c) for c in rule.conditions)
    return tuple(out)


def _code(r: ConditionResult) -> str:
    if r.missing:
        return "n" if r.passed is False else "m"
    return _CODE[r.passed]


def compact(a: RiskAssignment, rs: RuleSet) -> dict[str, Any]:
    """The compact form of ``a``, an evaluation under ``rs`` (same rule-file hash).

    Raises
    ------
    RuleSetError
        If ``a`` was not evaluated under ``rs`` (hash or trace shape differ).
    """
    flat = flat_conditions(rs)
    if a.protocol_sha256 != rs.sha256 or len(a.trace) != len(flat):
        raise RuleSetError(
            f"assignment of {a.case!r} was not evaluated under {rs.id} {rs.sha256[:12]}"
        )
    defaults = {k: p.value for k, p in rs.parameters.items()}
    doc: dict[str, Any] = {
        "k": COMPACT_VERSION,
        "g": a.risk_group,
        "f": list(a.fired_rules),
        "c": "".join(_code(r) for r in a.trace),
        "o": [r.observed for r in a.trace if not r.missing],
    }
    changed = {k: v for k, v in a.parameters if defaults.get(k) != v}
    optional = {
        "p": changed,
        "i": list(a.missing_inputs),
        "v": list(a.caveats),
        "t": a.triggering_phase,
        "d": a.default_group_applied or None,
        "s": list(a.designations),
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


def _observed(value: Any) -> Any:
    # Lists (e.g. lesions) are stored as JSON arrays; the engine reports them as lists too.
    return value


def expand(doc: Mapping[str, Any], rs: RuleSet, *, case_id: str) -> RiskAssignment:
    """Rebuild the full assignment from its compact form and the rule file it was made under.

    Raises
    ------
    RuleSetError
        If the compact form does not fit the rule set (another rule file, or a newer layout).
    """
    if int(doc.get("k", 0)) > COMPACT_VERSION:
        raise RuleSetError(f"compact assignment layout {doc.get('k')} is newer than this mrdguide")
    ruleset = rs.with_parameters(**dict(doc.get("p") or {})) if doc.get("p") else rs
    flat = flat_conditions(ruleset)
    codes = str(doc["c"])
    if len(codes) != len(flat):
        raise RuleSetError(f"compact assignment does not fit {rs.id} {rs.sha256[:12]}")
    observed = iter(doc.get("o") or [])
    params = ruleset.parameters
    trace = []
    for (rule_id, cond), code in zip(flat, codes, strict=True):
        missing = code in "mn"
        passed = {"1": True, "0": False, "n": False}.get(code)
        trace.append(
            ConditionResult(
                rule=rule_id,
                field=cond.field,
                operator=cond.operator(params),
                threshold=cond.threshold(params),
                observed=None if missing else _observed(next(observed)),
                passed=passed,
                missing=missing,
            )
        )
    return RiskAssignment(
        case=case_id, protocol=rs.id, protocol_version=rs.version, protocol_sha256=rs.sha256,
        risk_group=str(doc["g"]), fired_rules=tuple(doc.get("f") or ()), trace=tuple(trace),
        missing_inputs=tuple(doc.get("i") or ()), caveats=tuple(doc.get("v") or ()),
        triggering_phase=doc.get("t"), default_group_applied=bool(doc.get("d")),
        parameters=tuple(sorted((k, p.value) for k, p in params.items())),
        designations=tuple(doc.get("s") or ()),
    )  # fmt: skip
