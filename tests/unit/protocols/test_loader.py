"""The loader rejects malformed rule files with a message naming the problem."""

from __future__ import annotations

import pytest

from mrdguide.errors import RuleSetError
from mrdguide.protocols import load_ruleset, parse_ruleset

MINIMAL = """
[ruleset]
id = "toy"
version = "0.1"
title = "toy"
source = "test"
precedence = "highest_risk_wins"
groups = ["low", "high"]
default_group = "low"

[mrd]
required_sensitivity = 1e-4

[[timepoints]]
label = "EOI"
timepoint = "eoi"
tissue = "bm"
methods = ["flow"]
day_min = 20
day_max = 40
cite = "test"

[[rules]]
id = "HIGH"
group = "high"
evidence = "V"
cite = "test"
all = [{ field = "mrd.eoi.level", op = ">=", value = 1e-3 }]
"""


def test_minimal_file_parses_and_hashes() -> None:
    """A minimal valid file parses and gets a 64-hex content hash."""
    rs = parse_ruleset(MINIMAL.encode())
    assert rs.id == "toy"
    assert len(rs.sha256) == 64


def test_hash_changes_with_the_bytes() -> None:
    """Any change of the file bytes changes the hash."""
    a = parse_ruleset(MINIMAL.encode()).sha256
    b = parse_ruleset((MINIMAL + "\n# comment\n").encode()).sha256
    assert a != b


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('op = ">="', 'op = "=>"', "unknown operator"),
        ('field = "mrd.eoi.level"', 'field = "mrd.eoi.colour"', "unknown field"),
        ('field = "mrd.eoi.level"', 'field = "mrd.day8.level"', "unmapped time point"),
        ('group = "high"', 'group = "vhr"', "unknown group"),
        ('cite = "test"\nall', 'cite = " "\nall', "empty citation"),
        ('evidence = "V"', 'evidence = "X"', "evidence"),
        ('evidence = "V"', 'evidence = "R"', "needs a note"),
        ('default_group = "low"', 'default_group = "mid"', "not a group"),
        ('default_group = "low"\n', "", "needs a default_group"),
        ('precedence = "highest_risk_wins"', 'precedence = "vote"', "precedence"),
        ("value = 1e-3", 'param = "nope"', "unknown parameter"),
        ("[mrd]", "[mrd]\ncolour = 1", "unknown key"),
        ("required_sensitivity = 1e-4", "", "required_sensitivity"),
    ],
)
def test_invalid_files_are_rejected(old: str, new: str, message: str) -> None:
    """Each corruption of a valid file raises RuleSetError mentioning the problem."""
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(RuleSetError, match=message):
        parse_ruleset(text.encode(), origin="toy.toml")


def test_duplicate_rule_ids_are_rejected() -> None:
    """Two rules with one id are rejected."""
    rule = MINIMAL[MINIMAL.index("[[rules]]") :]
    with pytest.raises(RuleSetError, match="duplicate rule ids"):
        parse_ruleset((MINIMAL + rule).encode())


def test_invalid_toml_is_rejected() -> None:
    """Text that is not TOML raises RuleSetError naming the origin."""
    with pytest.raises(RuleSetError, match=r"bad\.toml: not valid TOML"):
        parse_ruleset(b"[ruleset\n", origin="bad.toml")


def test_unknown_protocol_lists_the_available_ones() -> None:
    """Loading an unknown id names the available protocols."""
    with pytest.raises(RuleSetError, match="ukall2003"):
        load_ruleset("ukall1999")


def test_with_parameters_rejects_unknown_names_and_bad_comparators() -> None:
    """Parameter overrides must name a parameter and keep comparators valid."""
    rs = load_ruleset("ukall2003")
    with pytest.raises(RuleSetError, match="unknown parameter"):
        rs.with_parameters(nope=1.0)
    with pytest.raises(RuleSetError, match="comparator"):
        rs.with_parameters(mrd_high_comparator="=>")
    assert (
        rs.with_parameters(mrd_high_comparator=">").parameters["mrd_high_comparator"].value == ">"
    )
    assert rs.parameters["mrd_high_comparator"].value == ">="
