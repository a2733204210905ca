"""Every rule set against its vectors (tests/vectors/<protocol-id>.json).

Each file holds hand-written worked examples (``origin`` "hand-written" or "published", kept in
tests/vectors/worked/) and boundary vectors generated from the rule file by
scripts/generate_vectors.py (``origin`` "generated"; see test_generate_vectors.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mrdguide.domain import case_from_dict
from mrdguide.protocols import available_protocols, evaluate, load_ruleset

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.extend((doc["protocol"], v) for v in doc["vectors"])
    return out


ALL_VECTORS = _load()


def test_every_protocol_has_vectors_covering_every_group() -> None:
    """Each rule set has a vector file whose expected groups include every group."""
    by_protocol: dict[str, set[str]] = {}
    for pid, v in ALL_VECTORS:
        by_protocol.setdefault(pid, set()).add(v["expected"])
    assert set(by_protocol) == set(available_protocols())
    for pid, groups in by_protocol.items():
        assert set(load_ruleset(pid).groups) <= groups, pid


def test_vectors_bracket_thresholds() -> None:
    """Each file has 'just below', 'at' and 'just above' vectors."""
    names: dict[str, str] = {}
    for pid, v in ALL_VECTORS:
        names[pid] = names.get(pid, "") + " | " + v["name"]
    for pid, text in names.items():
        for word in ("just below", " at ", "just above"):
            assert word in text, (pid, word)


@pytest.mark.parametrize(
    ("pid", "vector"), ALL_VECTORS, ids=[f"{p}:{v['name']}" for p, v in ALL_VECTORS]
)
def test_vector(pid: str, vector: dict[str, Any]) -> None:
    """The case gets the expected group (and phase and missing inputs, when given)."""
    rs = load_ruleset(pid).with_parameters(**vector.get("parameters", {}))
    a = evaluate(case_from_dict(vector["case"]), rs)
    assert a.risk_group == vector["expected"], (a.fired_rules, a.missing_inputs, a.caveats)
    if "triggering_phase" in vector:
        assert a.triggering_phase == vector["triggering_phase"]
    if "missing_inputs" in vector:
        assert list(a.missing_inputs) == vector["missing_inputs"]
    if "designations" in vector:
        assert list(a.designations) == vector["designations"]
    if vector["origin"] == "generated":
        _check_condition(a.trace, vector)


def _check_condition(trace: Any, vector: dict[str, Any]) -> None:
    """The engine decided the boundary condition exactly as its declared comparator says."""
    cond = vector["condition"]
    hits = [
        t
        for t in trace
        if t.rule.split(":")[-1] in (vector["rule"], vector["rule"].removeprefix("EXCLUDE-"))
        and t.field == cond["field"]
        and t.operator == cond["operator"]
    ]
    if vector["rule"].startswith("ELIGIBILITY"):
        hits = [t for t in trace if t.rule == "ELIGIBILITY" and t.field == cond["field"]]
    assert hits, vector["name"]
    assert hits[0].passed is vector["condition_holds"], (vector["name"], hits[0])


def test_every_vector_is_marked_with_its_origin() -> None:
    """Hand-written, published and generated vectors are told apart."""
    for _pid, v in ALL_VECTORS:
        assert v["origin"] in ("hand-written", "published", "generated"), v["name"]


def test_every_numeric_threshold_has_generated_boundaries() -> None:
    """Each numeric condition of every rule has just-below, at and just-above vectors."""
    from mrdguide.protocols.schema import NUMERIC_OPERATORS

    covered = {(pid, v["rule"], v["condition"]["field"]) for pid, v in ALL_VECTORS if "rule" in v}
    for pid in available_protocols():
        rs = load_ruleset(pid)
        for rule in rs.rules:
            fields = [c.field for c in rule.conditions]
            for c in rule.conditions:
                params = {rule.enabled_by: True} if rule.enabled_by else {}
                op = c.operator(rs.with_parameters(**params).parameters)
                if op in NUMERIC_OPERATORS and fields.count(c.field) == 1:
                    assert (pid, rule.id, c.field) in covered, (pid, rule.id, c.field)
