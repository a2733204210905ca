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
    "stjude-total-xvi": ("low", "standard", "high"),
    "aieop-bfm-all-2017": ("sr", "mr", "hr"),
    "alltogether1": ("sr", "ir-low", "ir-high", "hr"),
}
PROTOCOLS = sorted(EXPECTED_GROUPS)


def test_available_protocols_are_exactly_the_public_ids() -> None:
    """The packaged rule files are exactly the protocol ids of the interface (10 + 3, #15)."""
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
    """Every declared parameter is referenced by a condition (rules, scope) or a rule switch."""
    rs = load_ruleset(pid)
    conds = [c for r in rs.rules for c in r.conditions] + list(rs.eligibility)
    conds += [c for ex in rs.exclusions for c in ex.all]
    used = {c.param for c in conds} | {c.op_param for c in conds}
    used |= {r.enabled_by for r in rs.rules}
    assert set(rs.parameters) <= used


def test_conflicts_are_parameters_with_primary_source_chosen() -> None:
    """Documented conflicts are parameters whose defaults follow the verified source."""
    dcog = load_ruleset("dcog-all10").parameters
    assert dcog["hr_tp2_threshold"].value == 5e-4  # verified table (issue 15)
    assert 1e-3 in dcog["hr_tp2_threshold"].alternatives  # recalled reading kept
    assert dcog["hr_tp1_alone"].value is False  # literal reading recorded, off
    assert True in dcog["hr_tp1_alone"].alternatives
    uk = load_ruleset("ukall2003").parameters["mrd_high_comparator"]
    assert uk.value == ">="
    assert ">" in uk.alternatives
    asan = load_ruleset("asan-mrd").parameters["trigger_comparator"]
    assert asan.value == ">="
    assert ">" in asan.alternatives


@pytest.mark.parametrize("pid", PROTOCOLS)
def test_gap_thresholds_are_documented_parameters(pid: str) -> None:
    """A parameter whose source says [GAP] explains itself with a bibliography key."""
    for p in load_ruleset(pid).parameters.values():
        if "[GAP]" in p.source:
            assert "[" + "sources: " in p.source, (pid, p.name)


def test_issue_15_corrections_are_encoded() -> None:
    """Spot checks of the wave-2 corrections (issue 15)."""
    xv = load_ruleset("stjude-total-xv")
    for rid in ("HIGH-EOI", "STD-D19", "STD-EOI"):
        rule = next(r for r in xv.rules if r.id == rid)
        assert rule.evidence == "R" and "transferred from XVI" in rule.note
    xvi = load_ruleset("stjude-total-xvi")
    assert "[GAP]" in xvi.parameters["hr_week15_threshold"].source
    kspho = load_ruleset("kspho-hr-2024")
    vhr = {r.id for r in kspho.rules if r.group == "vhr" and r.id.startswith("VHR-")}
    assert {"VHR-ETP", "VHR-DOWN-SYNDROME", "VHR-INDUCTION-FAILURE-M3"} <= vhr
    assert kspho.parameters["m3_blasts_percent"].value == 25
    assert kspho.parameters["entry_age_max_years"].value == 19
    at1 = load_ruleset("alltogether1")
    assert "[GAP]" in at1.parameters["sr_tp1_threshold_favourable"].source
    assert at1.parameters["hr_tp2_threshold"].value == 1e-3
