"""scripts/generate_vectors.py: the committed vectors are what the rule files generate now."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mrdguide.domain import case_from_dict
from mrdguide.protocols import NOT_ASSIGNABLE, available_protocols, evaluate, load_ruleset

ROOT = Path(__file__).resolve().parents[3]


def _script() -> ModuleType:
    path = ROOT / "scripts" / "generate_vectors.py"
    spec = importlib.util.spec_from_file_location("generate_vectors", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["generate_vectors"] = mod
    spec.loader.exec_module(mod)
    return mod


GEN = _script()


@pytest.mark.parametrize("pid", available_protocols())
def test_committed_vectors_equal_the_generator_output(pid: str) -> None:
    """tests/vectors/<id>.json is exactly what the generator produces from the rule file."""
    committed = (ROOT / "tests" / "vectors" / f"{pid}.json").read_text(encoding="utf-8")
    assert committed == GEN.render(GEN.build(pid)), "run: python scripts/generate_vectors.py"


def test_boundary_values_bracket_the_threshold() -> None:
    """Fractions step by epsilon, whole-number fields by one."""
    vals = dict(GEN.boundary_values("mrd.eoi.level", 1e-3))
    assert vals["at"] == 1e-3
    assert vals["just below"] == pytest.approx(1e-3 * (1 - GEN.EPSILON))
    assert vals["just above"] == pytest.approx(1e-3 * (1 + GEN.EPSILON))
    ints = dict(GEN.boundary_values("genetics.modal_chromosome_number", 45.0))
    assert (ints["just below"], ints["at"], ints["just above"]) == (44.0, 45.0, 46.0)


def test_a_changed_threshold_regenerates_the_vectors() -> None:
    """Moving a threshold moves the generated values and the expectations with it."""
    rs = load_ruleset("dcog-all10")
    before = [v for v in GEN.generated_vectors(rs) if v["rule"] == "HR-MRD-TP2"]
    after = [
        v
        for v in GEN.generated_vectors(rs.with_parameters(hr_tp2_threshold=1e-3))
        if v["rule"] == "HR-MRD-TP2"
    ]
    assert [v["value"] for v in before] != [v["value"] for v in after]
    assert after[1]["value"] == 1e-3 and after[1]["condition_holds"] is True
    assert [v["expected"] for v in after] == ["mr", "hr", "hr"]


def test_expected_side_follows_the_comparator() -> None:
    """'condition_holds' is the declared comparator applied to the value."""
    ops = {">=": (False, True, True), ">": (False, False, True), "<": (True, False, False)}
    for pid in available_protocols():
        vs = [v for v in json.loads(_vectors(pid))["vectors"] if v["origin"] == "generated"]
        for i in range(0, len(vs), 3):
            triple = vs[i : i + 3]
            op = triple[0]["condition"]["operator"]
            if op in ops:
                assert tuple(v["condition_holds"] for v in triple) == ops[op], triple[0]["name"]


def _vectors(pid: str) -> str:
    return (ROOT / "tests" / "vectors" / f"{pid}.json").read_text(encoding="utf-8")


def _worked() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((ROOT / "tests" / "vectors" / "worked").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out += [(doc["protocol"], v) for v in doc["vectors"]]
    return out


def test_reference_evaluator_agrees_with_the_engine_on_worked_examples() -> None:
    """The generator's two-valued evaluator and the engine agree on every complete worked case."""
    compared = 0
    for pid, v in _worked():
        rs = load_ruleset(pid).with_parameters(**v.get("parameters", {}))
        try:
            ref = GEN.reference_group(v["case"], rs)
        except GEN.GeneratorError:
            continue  # an incomplete case (missing or unresolved facts): the engine's domain
        engine = evaluate(case_from_dict(v["case"]), rs).risk_group
        assert ref == engine, (pid, v["name"])
        compared += 1
    assert compared > 150


def test_reference_evaluator_refuses_incomplete_cases() -> None:
    """A case whose facts cannot decide a rule raises instead of guessing."""
    rs = load_ruleset("dcog-all10")
    doc = GEN.base_case(rs)
    doc["mrd"] = [m for m in doc["mrd"] if m["timepoint"] != "eoi"]
    with pytest.raises(GEN.GeneratorError):
        GEN.reference_group(doc, rs)


def test_generated_cases_are_in_scope_or_deliberately_out() -> None:
    """Only scope boundary vectors may be not assignable."""
    for pid in available_protocols():
        for v in json.loads(_vectors(pid))["vectors"]:
            if v["origin"] == "generated" and v["expected"] == NOT_ASSIGNABLE:
                assert v["rule"].startswith(("ELIGIBILITY", "EXCLUDE")), v["name"]
