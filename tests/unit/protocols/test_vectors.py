"""Every rule set against its worked vectors (tests/vectors/<protocol-id>.json)."""

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
