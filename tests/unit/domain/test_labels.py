"""The label table: every code a person reads has words; lookups never fail; risk order."""

from __future__ import annotations

import pytest

from mrdguide.domain import MRDMethod, MRDStatus, Timepoint, Tissue, label, risk_order
from mrdguide.domain.labels import (
    KINDS,
    METHOD,
    MRD_STATUS,
    PROTOCOL_GROUPS,
    TIMEPOINT,
    TISSUE,
    field_label,
)
from mrdguide.protocols import available_protocols, load_ruleset

SHIPPED = available_protocols()


@pytest.mark.parametrize(
    ("kind", "enum", "table"),
    [
        ("mrd_status", MRDStatus, MRD_STATUS),
        ("timepoint", Timepoint, TIMEPOINT),
        ("tissue", Tissue, TISSUE),
        ("method", MRDMethod, METHOD),
    ],
)
def test_every_enum_code_has_words(kind: str, enum: type, table: dict[str, str]) -> None:
    """Every status, time point, tissue and method is in the table (not a fallback)."""
    for member in enum:
        assert member.value in table, (kind, member)
        words = label(kind, member)
        assert words == table[member.value]
        assert label(kind, member.value) == words  # enum member and value give the same
        if member.value not in ("negative",):
            assert words != member.value, (kind, member)


def test_the_issue_s_examples() -> None:
    """The three labels the issue asks for, word for word."""
    assert label("mrd_status", "positive_nq") == "positive, not quantifiable"
    assert label("timepoint", "eoi") == "end of induction (day 29–33)"
    assert label("group", "sr") == "standard risk"
    assert label("group", "mrd-high") == "MRD high"
    assert label("group", "not_assignable") == "not assignable"


@pytest.mark.parametrize("pid", SHIPPED)
def test_every_group_of_every_shipped_protocol_has_words(pid: str) -> None:
    """Each rule file's groups have labels, and the protocol has a name."""
    rs = load_ruleset(pid)
    for g in rs.groups:
        assert label("group", g, protocol=pid) != g, (pid, g)
    assert label("protocol", pid) != pid


@pytest.mark.parametrize("pid", SHIPPED)
def test_builtin_group_order_matches_the_rule_file(pid: str) -> None:
    """The copy of each rule set's risk order equals the file (lowest to highest risk)."""
    assert PROTOCOL_GROUPS[pid] == load_ruleset(pid).groups


@pytest.mark.parametrize("pid", SHIPPED)
def test_every_field_a_rule_reads_has_words(pid: str) -> None:
    """Every field path in rules, eligibility and caveat rules has a label (no raw paths)."""
    rs = load_ruleset(pid)
    conds = [c for r in rs.rules for c in r.conditions] + list(rs.eligibility)
    conds += [c for cr in rs.caveat_rules for c in cr.all]
    for c in conds:
        words = field_label(c.field)
        assert words != c.field and "." not in words and "_" not in words, (pid, c.field)


def test_mrd_field_paths_read_as_sentences() -> None:
    """``mrd.<time point>.<attribute>`` fields are composed from the time point and attribute."""
    assert field_label("mrd.eoc.negative_at_required") == (
        "end-of-consolidation MRD negative at the required sensitivity"
    )
    assert field_label("mrd.eoi.level") == "end-of-induction MRD"
    assert field_label("mrd.day8.level") == "day-8 MRD"
    assert field_label("mrd.post_im1.markers") == "post-IM1 MRD markers"


def test_unknown_codes_fall_back_to_the_code() -> None:
    """Unknown kinds, codes and time points give the code back; ``None`` gives a dash."""
    assert label("timepoint", "week99") == "week99"
    assert label("no-such-kind", "abc") == "abc"
    assert label("group", "brand-new-group", protocol="no-such-protocol") == "brand-new-group"
    assert field_label("mrd.week99.level") == "week99 MRD"
    assert field_label("something.else") == "something.else"
    assert label("sex", None) == "–"
    for kind in KINDS:
        assert label(kind, "zzz-unknown") == "zzz-unknown"


def test_protocol_specific_group_words() -> None:
    """Asan's 'standard' is not St Jude's 'standard risk'."""
    assert label("group", "standard", protocol="stjude-total-xv") == "standard risk"
    assert label("group", "standard", protocol="asan-mrd") != "standard risk"


def test_risk_order_follows_the_rule_file_then_not_assignable() -> None:
    """Groups in any order come back lowest to highest risk, not alphabetical."""
    assert risk_order("aieop-bfm-all-2000", ["hr", "not_assignable", "mr", "sr"]) == [
        "sr",
        "mr",
        "hr",
        "not_assignable",
    ]
    assert risk_order("kspho-hr-2024", ["vhr", "hr-standard", "hr-intensified"]) == [
        "hr-standard",
        "hr-intensified",
        "vhr",
    ]
    assert risk_order("ukall2003", ["mrd-high", "mrd-low", "mrd-indeterminate"]) == [
        "mrd-low",
        "mrd-indeterminate",
        "mrd-high",
    ]


def test_risk_order_prefers_the_given_rule_set_groups() -> None:
    """A changed rule file (passed in) wins over the built-in copy."""
    new_order = ("hr", "xr", "sr")
    got = risk_order("aieop-bfm-all-2000", ["sr", "hr", "xr"], ruleset_groups=new_order)
    assert got == ["hr", "xr", "sr"]


def test_risk_order_without_a_known_protocol_uses_a_generic_rank() -> None:
    """Unknown protocols: low < standard < intermediate < high < very high; unknown codes after."""
    got = risk_order(None, ["very-high", "zeta", "missing", "high", "low", "average", "zeta"])
    assert got == ["low", "average", "high", "very-high", "zeta", "missing"]
    assert risk_order("no-such", ["hr", "sr", "mr"]) == ["sr", "mr", "hr"]
