"""Derive the protocol test vectors (``tests/vectors/<id>.json``) from the rule files themselves.

Each vector file holds two kinds of vectors:

* **hand-written** worked examples, kept verbatim from ``tests/vectors/worked/<id>.json``
  (``origin`` says ``"hand-written"`` or ``"published"``: a case reasoned from a published
  example);
* **generated** boundary vectors: for every numeric condition of every rule (and of the scope:
  ``eligibility``/``exclude``), three cases at ``value x (1 - eps)``, ``value`` and
  ``value x (1 + eps)`` (integer fields: ``value - 1``, ``value``, ``value + 1``). Each case starts
  from a complete baseline case, is changed so that the rule's other conditions hold, and then
  sets the field under test.

How the expected group of a generated vector is derived, without the engine
---------------------------------------------------------------------------
``condition_holds`` comes from the declared comparator alone (``value op threshold`` in exact
arithmetic). The expected group comes from a small, two-valued reference evaluator in this file:
facts are read with :func:`mrdguide.protocols.facts.derive_facts` (the documented fact
derivation), every condition is compared with plain Python operators, and the precedence policy
(``highest_risk_wins`` or ``first_match``) is applied as the rule-file format defines it. The
evaluator refuses cases with undecidable facts, so every generated case is complete. The
engine's three-valued logic, tolerances and trace are what the vectors then test.

When a threshold, comparator or rule changes, re-run this script: the vectors follow the rule
files instead of silently disagreeing with them. ``tests/unit/protocols/test_generate_vectors.py``
fails when the committed files differ from what the script produces.

Usage::

    python scripts/generate_vectors.py            # rewrite tests/vectors/*.json
    python scripts/generate_vectors.py --check    # exit 1 if any file would change
"""

from __future__ import annotations

import argparse
import copy
import json
import operator
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mrdguide.domain import case_from_dict
from mrdguide.protocols import available_protocols, load_ruleset
from mrdguide.protocols.facts import M1_MAX_BLASTS_PERCENT, Fact, derive_facts
from mrdguide.protocols.schema import NOT_ASSIGNABLE, Condition, Rule, RuleSet

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "vectors"
WORKED = VECTORS / "worked"
EPSILON = 1e-3
#: Fields whose values are whole numbers: boundaries step by one instead of by epsilon.
INTEGER_FIELDS = frozenset({"genetics.modal_chromosome_number", "mrd.*.markers"})
NUMERIC = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le}
BLASTS = "patient.eoi_marrow_blasts_percent"

#: The complete baseline case every generated vector starts from (B-other, NCI standard risk,
#: good prednisone response, CR; every mapped time point negative at 1e-5 is added per file).
BASE: dict[str, Any] = {
    "patient_id": "GEN",
    "age_years": 5.0,
    "wbc_per_ul": 10000,
    "sex": "male",
    "immunophenotype": "B",
    "day8_pb_blasts_per_ul": 200,
    "induction_outcome": "cr",
    "cns_status": "CNS1",
    "testicular_involvement": False,
    "steroid_pretreatment": False,
    "down_syndrome": False,
    "etp": False,
    "genetics": {"lesions": [], "modal_chromosome_number": 46, "dna_index": 1.0},
}
#: Per-rule-set changes to the baseline so that the baseline is in scope.
BASE_OVERRIDES: dict[str, dict[str, Any]] = {"kspho-hr-2024": {"wbc_per_ul": 60000}}


class GeneratorError(Exception):
    """A generated case is incomplete or a condition cannot be satisfied."""


# ---------------------------------------------------------------------------------------------
# building cases
# ---------------------------------------------------------------------------------------------


def base_case(rs: RuleSet) -> dict[str, Any]:
    """The baseline case document of ``rs``: :data:`BASE` plus a negative at each time point."""
    doc = copy.deepcopy(BASE)
    doc.update(BASE_OVERRIDES.get(rs.id, {}))
    doc["patient_id"] = f"GEN-{rs.id}"
    doc["mrd"] = [_negative(rs, tp.timepoint) for tp in rs.timepoints]
    return doc


def _negative(rs: RuleSet, tp: str) -> dict[str, Any]:
    spec = rs.timepoint(tp)
    assert spec is not None
    return {
        "timepoint": tp,
        "method": spec.methods[0],
        "status": "negative",
        "sensitivity": 1e-5,
        "tissue": spec.tissue,
        "day": (spec.day_min + spec.day_max) // 2,
        "markers": 2,
    }


def _entry(doc: dict[str, Any], rs: RuleSet, tp: str) -> dict[str, Any]:
    for m in doc["mrd"]:
        if m["timepoint"] == tp:
            return dict(m)
    return _negative(rs, tp)


def _put_mrd(doc: dict[str, Any], rs: RuleSet, tp: str, entry: dict[str, Any] | None) -> None:
    rest = [m for m in doc["mrd"] if m["timepoint"] != tp]
    doc["mrd"] = rest + ([entry] if entry is not None else [])
    doc["mrd"].sort(key=lambda m: [t.timepoint for t in rs.timepoints].index(m["timepoint"]))


def _set_mrd(doc: dict[str, Any], rs: RuleSet, tp: str, attr: str, value: Any) -> None:
    e = _entry(doc, rs, tp)
    if attr == "level":
        e.update(status="positive", level=float(value))
        e.pop("sensitivity", None)
    elif attr in ("negative_at_required", "detected"):
        negative = (attr == "negative_at_required") == bool(value)
        if negative:
            e = _negative(rs, tp)
        elif e["status"] != "positive":
            e.update(status="positive", level=1e-3)
            e.pop("sensitivity", None)
    elif attr in ("available", "evaluable"):
        _put_mrd(doc, rs, tp, e if value else None)
        return
    elif attr == "markers":
        e["markers"] = int(value)
    else:
        raise GeneratorError(f"cannot set mrd.{tp}.{attr}")
    _put_mrd(doc, rs, tp, e)


def _lesions(doc: dict[str, Any], add: Sequence[str] = (), remove: Sequence[str] = ()) -> None:
    g = doc["genetics"]
    g["lesions"] = [x for x in g["lesions"] if x not in remove] + [
        x for x in add if x not in g["lesions"]
    ]


_TIER_LESION = {
    ("uk_tier", "good"): "ETV6::RUNX1",
    ("uk_tier", "high"): "iAMP21",
    ("cog_tier", "favourable"): "ETV6::RUNX1",
    ("cog_tier", "unfavourable"): "iAMP21",
}


def _set_genetics(doc: dict[str, Any], name: str, value: Any) -> None:
    g = doc["genetics"]
    if name in ("uk_tier", "cog_tier"):
        _lesions(doc, remove=[v for (n, _), v in _TIER_LESION.items() if n == name])
        if (name, value) in _TIER_LESION:
            _lesions(doc, add=[_TIER_LESION[(name, value)]])
    elif name == "ploidy_class":
        g["modal_chromosome_number"] = {"near_haploid": 27, "diploid": 46}[str(value)]
    elif name in ("modal_chromosome_number", "dna_index"):
        g[name] = int(value) if name == "modal_chromosome_number" else float(value)
    else:
        raise GeneratorError(f"cannot set genetics.{name}")


def set_fact(doc: dict[str, Any], rs: RuleSet, field: str, value: Any) -> None:
    """Change ``doc`` so that fact ``field`` takes ``value`` (``==`` semantics)."""
    head, _, rest = field.partition(".")
    if head == "patient":
        doc[rest] = value
    elif head == "nci_risk":
        doc.update(age_years=5.0, wbc_per_ul=10000 if value == "standard" else 60000)
    elif head == "prednisone_response":
        doc["day8_pb_blasts_per_ul"] = 200 if value == "good" else 5000
    elif head == "induction_outcome":
        doc["induction_outcome"] = value
    elif head == "genetics":
        _set_genetics(doc, rest, value)
    elif head == "mrd":
        tp, _, attr = rest.partition(".")
        _set_mrd(doc, rs, tp, attr, value)
    else:
        raise GeneratorError(f"cannot set {field}")


def satisfy(doc: dict[str, Any], rs: RuleSet, c: Condition, want: bool) -> None:
    """Change ``doc`` so that condition ``c`` holds (``want``) or does not hold."""
    op, thr = c.operator(rs.parameters), c.threshold(rs.parameters)
    if op in NUMERIC:
        high = (op in (">=", ">")) == want
        value = _away(c.field, float(thr), high)
        set_fact(doc, rs, c.field, value)
        if c.field == BLASTS:
            doc["induction_outcome"] = "cr" if value < M1_MAX_BLASTS_PERCENT else "no_cr"
    elif op in ("==", "!="):
        if (op == "==") == want:
            set_fact(doc, rs, c.field, thr)
        else:
            set_fact(doc, rs, c.field, _other(c.field, thr))
    elif op in ("contains", "not_contains", "contains_any", "contains_none"):
        items = [thr] if isinstance(thr, str) else list(thr)
        has = op in ("contains", "contains_any")
        if has == want:
            _lesions(doc, add=items[:1])
        else:
            _lesions(doc, remove=items)
    else:
        raise GeneratorError(f"operator {op} not supported by the generator")


def _away(field: str, thr: float, high: bool) -> float:
    """A value clearly on one side of ``thr`` (fractions stay in (0, 1])."""
    if field.startswith("mrd.") and field.endswith(".level"):
        return min(thr * 10, 1.0) if high else thr / 10
    if _integer(field):
        return thr + 1 if high else thr - 1
    if field == BLASTS:
        return min(thr * 2, 100.0) if high else 2.0
    return thr * 2 if high else thr / 2


def _other(field: str, value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    others = {
        "nci_risk": {"standard": "high", "high": "standard"},
        "prednisone_response": {"good": "poor", "poor": "good"},
        "induction_outcome": {"cr": "no_cr", "no_cr": "cr"},
        "patient.immunophenotype": {"B": "T", "T": "B"},
        "patient.cns_status": {"CNS3": "CNS1", "CNS1": "CNS3"},
        "genetics.uk_tier": {"good": "intermediate", "high": "intermediate"},
        "genetics.cog_tier": {"favourable": "neutral", "neutral": "unfavourable"},
        "genetics.ploidy_class": {"near_haploid": "diploid"},
    }
    try:
        return others[field][value]
    except KeyError:
        raise GeneratorError(f"no alternative value for {field} != {value!r}") from None


def _integer(field: str) -> bool:
    return field in INTEGER_FIELDS or field.endswith(".markers")


# ---------------------------------------------------------------------------------------------
# the reference evaluator (two-valued; independent of the engine's logic)
# ---------------------------------------------------------------------------------------------


def _holds(fact: Fact | None, c: Condition, rs: RuleSet) -> bool:
    op, thr = c.operator(rs.parameters), c.threshold(rs.parameters)
    if fact is None:
        if c.if_missing == "fail":
            return False
        raise GeneratorError(f"fact {c.field} missing")
    if not fact.resolved:
        raise GeneratorError(f"fact {c.field} unresolved")
    if fact.below is not None:  # level < below: decided only when below <= threshold
        if float(thr) < fact.below:
            raise GeneratorError(f"bound {c.field} < {fact.below} vs {thr}")
        return op in ("<", "<=")
    v = fact.value
    if op in NUMERIC:
        return bool(NUMERIC[op](float(v), float(thr)))  # type: ignore[arg-type]
    table: dict[str, Callable[[], bool]] = {
        "==": lambda: v == thr,
        "!=": lambda: v != thr,
        "in": lambda: v in thr,
        "not_in": lambda: v not in thr,
        "contains": lambda: thr in v,  # type: ignore[operator]
        "not_contains": lambda: thr not in v,  # type: ignore[operator]
        "contains_any": lambda: any(t in v for t in thr),  # type: ignore[operator]
        "contains_none": lambda: not any(t in v for t in thr),  # type: ignore[operator]
    }
    return table[op]()


def _fires(rule: Rule, facts: Any, rs: RuleSet) -> bool:
    if rule.enabled_by is not None and rs.parameters[rule.enabled_by].value is not True:
        return False

    def h(c: Condition) -> bool:
        return _holds(facts.get(c.field), c, rs)

    ok_all = all(h(c) for c in rule.all)
    ok_any = any(h(c) for c in rule.any) if rule.any else True
    ok_none = not any(h(c) for c in rule.none)
    return ok_all and ok_any and ok_none


def reference_group(doc: dict[str, Any], rs: RuleSet) -> str:
    """The group ``rs`` assigns to ``doc`` under the rule-file semantics (two-valued)."""
    facts = derive_facts(case_from_dict(doc), rs)
    if rs.eligibility and not any(_holds(facts.get(c.field), c, rs) for c in rs.eligibility):
        return NOT_ASSIGNABLE
    for ex in rs.exclusions:
        if all(_holds(facts.get(c.field), c, rs) for c in ex.all):
            return NOT_ASSIGNABLE
    if rs.precedence == "first_match":
        for r in rs.rules:
            if _fires(r, facts, rs):
                return r.group
    else:
        for g in reversed(rs.groups):
            if any(_fires(r, facts, rs) for r in rs.rules if r.group == g):
                return g
    assert rs.default_group is not None
    return rs.default_group


# ---------------------------------------------------------------------------------------------
# boundary vectors
# ---------------------------------------------------------------------------------------------


def boundary_values(field: str, thr: float) -> tuple[tuple[str, float], ...]:
    """The three values around ``thr`` with their names."""
    if _integer(field):
        return (("just below", thr - 1), ("at", thr), ("just above", thr + 1))
    return (
        ("just below", thr * (1 - EPSILON)),
        ("at", thr),
        ("just above", thr * (1 + EPSILON)),
    )


def _witness(rs: RuleSet, conds: Sequence[tuple[Condition, bool]]) -> dict[str, Any]:
    doc = base_case(rs)
    for c, want in conds:
        satisfy(doc, rs, c, want)
    return doc


def _rule_witness(rule: Rule, k: int) -> list[tuple[Condition, bool]]:
    """The other conditions of ``rule`` with the truth value that makes condition ``k`` decide."""
    n_all, n_any = len(rule.all), len(rule.any)
    out = []
    for j, c in enumerate(rule.conditions):
        if j == k:
            continue
        in_any, in_none = n_all <= j < n_all + n_any, j >= n_all + n_any
        k_in_any = n_all <= k < n_all + n_any
        want = not in_none and (not in_any or (not k_in_any and j == n_all))
        out.append((c, want))
    return out


def _vectors_for(
    rs: RuleSet,
    label: str,
    c: Condition,
    setup: list[tuple[Condition, bool]],
    params: dict[str, Any],
) -> list[dict[str, Any]]:
    op, thr = c.operator(rs.parameters), float(c.threshold(rs.parameters))
    out = []
    pinned = any(o.field == "induction_outcome" for o, _ in setup)
    for i, (where, value) in enumerate(boundary_values(c.field, thr)):
        doc = _witness(rs, setup)
        set_fact(doc, rs, c.field, value)
        if c.field == BLASTS and not pinned:  # keep the morphology consistent
            doc["induction_outcome"] = "cr" if value < M1_MAX_BLASTS_PERCENT else "no_cr"
        doc["patient_id"] = f"GEN-{rs.id}-{label}-{i}"
        v: dict[str, Any] = {
            "name": f"{label}: {c.field} {where} {thr:g}",
            "origin": "generated",
            "rule": label,
            "condition": {"field": c.field, "operator": op, "threshold": thr},
            "value": value,
            "condition_holds": bool(NUMERIC[op](value, thr)),
            "case": doc,
            "expected": reference_group(doc, rs),
        }
        if params:
            v["parameters"] = params
        out.append(v)
    return out


def _field_used_twice(rule: Rule, k: int) -> bool:
    f = rule.conditions[k].field
    return sum(c.field == f for c in rule.conditions) > 1


def generated_vectors(rs: RuleSet) -> list[dict[str, Any]]:
    """Boundary vectors for every numeric threshold of ``rs`` (rules, scope, exclusions)."""
    out: list[dict[str, Any]] = []
    for rule in rs.rules:
        params = {rule.enabled_by: True} if rule.enabled_by else {}
        active = rs.with_parameters(**params) if params else rs
        for k, c in enumerate(rule.conditions):
            if c.operator(active.parameters) not in NUMERIC or _field_used_twice(rule, k):
                continue
            out += _vectors_for(active, rule.id, c, _rule_witness(rule, k), params)
    for k, c in enumerate(rs.eligibility):
        if c.operator(rs.parameters) in NUMERIC:
            others = [(o, False) for j, o in enumerate(rs.eligibility) if j != k]
            out += _vectors_for(rs, f"ELIGIBILITY-{k}", c, others, {})
    for ex in rs.exclusions:
        for k, c in enumerate(ex.all):
            if c.operator(rs.parameters) in NUMERIC:
                others = [(o, True) for j, o in enumerate(ex.all) if j != k]
                out += _vectors_for(rs, f"EXCLUDE-{ex.id}", c, others, {})
    return out


def build(pid: str) -> dict[str, Any]:
    """The complete vector document of rule set ``pid``."""
    rs = load_ruleset(pid)
    worked_path = WORKED / f"{pid}.json"
    worked = json.loads(worked_path.read_text(encoding="utf-8")) if worked_path.exists() else {}
    return {
        "protocol": pid,
        "ruleset_version": rs.version,
        "description": worked.get("description", rs.title),
        "epsilon": EPSILON,
        "generated_by": "scripts/generate_vectors.py (hand-written vectors: tests/vectors/worked/)",
        "vectors": list(worked.get("vectors", [])) + generated_vectors(rs),
    }


def render(doc: dict[str, Any]) -> str:
    """The file text of a vector document (stable JSON)."""
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or ``--check``) every ``tests/vectors/<id>.json``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if any file would change")
    args = ap.parse_args(argv)
    stale = []
    for pid in available_protocols():
        path = VECTORS / f"{pid}.json"
        text = render(build(pid))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        sys.stderr.write("stale: " + ", ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
