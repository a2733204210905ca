"""docs/protocols.md stays in step with the packaged rule files."""

from __future__ import annotations

from pathlib import Path

from mrdguide.protocols import available_protocols, load_ruleset

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocols.md"


def test_docs_list_every_protocol_rule_parameter_and_ambiguity() -> None:
    """Every protocol id, rule id, parameter and ambiguity of the rule files is in the docs."""
    text = DOC.read_text(encoding="utf-8")
    for pid in available_protocols():
        rs = load_ruleset(pid)
        assert f"`{pid}`" in text
        for rule in rs.rules:
            assert f"`{rule.id}`" in text, (pid, rule.id)
            assert rule.cite in text, (pid, rule.id)
        for name in rs.parameters:
            assert f"`{name}`" in text, (pid, name)
        for amb in rs.ambiguities:
            assert amb in text, (pid, amb[:40])


def test_docs_reference_sections_are_generated_from_the_rule_files() -> None:
    """docs/protocols.md equals what scripts/generate_protocol_docs.py renders now."""
    import importlib.util

    script = DOC.parents[1] / "scripts" / "generate_protocol_docs.py"
    spec = importlib.util.spec_from_file_location("generate_protocol_docs", script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    current = DOC.read_text(encoding="utf-8")
    assert mod.BEGIN in current
    assert mod.render(current) == current, "run: python scripts/generate_protocol_docs.py"
