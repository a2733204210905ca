"""Every packaged rule file loads, cites every rule and names only groups it declares."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from mrdguide.protocols import available_protocols, load_ruleset
from mrdguide.protocols.schema import NUMERIC_OPERATORS, OPERATORS

#: The public interface of issue 5: protocol ids and their risk groups, lowest risk first.
EXPECTED_GROUPS = {
    "aieop-bfm-all-2000": ("sr", "mr", "hr"),
    "aieop-bfm-all-2009": ("sr", "mr", "hr"),
    "ukall2003": ("mrd-low", "mrd-indeterminate", "mrd-high"),
    "ukall2011": ("low", "intermediate", "high"),
    "cog-b-all": ("low", "average", "high", "very-high"),
    "stjude-total-xv": ("low", "standard", "high"),
    "dcog-all10": ("sr", "mr", "hr"),
    "nopho-all2008": ("sr", "ir", "hr"),
    "kspho-hr-2024": ("hr-standard", "hr-double-di", "hr-intensified", "vhr"),
    "asan-mrd": ("standard", "intensify"),
}
PROTOCOLS = sorted(EXPECTED_GROUPS)


def test_available_protocols_are_exactly_the_public_ids() -> None:
    """The packaged rule files are exactly the ten protocol ids of the interface."""
    assert available_protocols() == tuple(PROTOCOLS)


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_groups_match_the_interface(pid: str) -> None:
    """Each rule set declares exactly the documented group vocabulary, in risk order."""
    assert load_ruleset(pid).groups == EXPECTED_GROUPS[pid]


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_every_rule_is_cited_and_names_a_declared_group(pid: str) -> None:
    """Every rule has a non-empty citation, an evidence tag and a declared group."""
    rs = load_ruleset(pid)
    assert rs.rules
    for rule in rs.rules:
        assert rule.cite.strip(), rule.id
        assert rule.evidence in {"V", "R"}, rule.id
        assert rule.group in rs.groups, rule.id
        if rule.evidence == "R":
            assert rule.note.strip(), f"{rule.id}: [R] rule without a note"


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_comparators_are_explicit(pid: str) -> None:
    """Every condition names a known operator and numeric thresholds use >=, >, < or <=."""
    rs = load_ruleset(pid)
    for rule in rs.rules:
        for c in rule.conditions:
            op = c.operator(rs.parameters)
            assert op in OPERATORS
            if c.field.endswith(".level"):
                assert op in NUMERIC_OPERATORS, (rule.id, c.field)
                assert isinstance(c.threshold(rs.parameters), float)


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_hash_is_sha256_of_the_file_bytes(pid: str) -> None:
    """The carried content hash is the sha256 of the packaged file's bytes."""
    data = (resources.files("mrdguide.protocols.rulesets") / f"{pid}.toml").read_bytes()
    assert load_ruleset(pid).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_precedence_is_exhaustive_and_documented(pid: str) -> None:
    """Each rule set has a default group (exhaustive), a time-point mapping and ambiguities."""
    rs = load_ruleset(pid)
    assert rs.default_group in rs.groups
    assert rs.timepoints
    assert rs.ambiguities
    assert 0 < rs.required_sensitivity <= 1e-3
    for tp in rs.timepoints:
        assert tp.cite.strip()
        assert tp.day_min <= tp.day_max


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_every_parameter_is_used(pid: str) -> None:
    """Every declared parameter is referenced by at least one condition."""
    rs = load_ruleset(pid)
    conds = [c for r in rs.rules for c in r.conditions]
    used = {c.param for c in conds} | {c.op_param for c in conds}
    assert set(rs.parameters) <= used


def test_conflicts_are_parameters_with_primary_source_chosen() -> None:
    """The three documented conflicts are parameters whose defaults follow the primary source."""
    dcog = load_ruleset("dcog-all10").parameters["hr_tp2_threshold"]
    assert dcog.value == 1e-3
    assert 5e-4 in dcog.alternatives
    uk = load_ruleset("ukall2003").parameters["mrd_high_comparator"]
    assert uk.value == ">="
    assert ">" in uk.alternatives
    asan = load_ruleset("asan-mrd").parameters["trigger_comparator"]
    assert asan.value == ">="
    assert ">" in asan.alternatives
