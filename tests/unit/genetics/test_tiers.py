"""UK, COG and St Jude genetic tiers and the UKALL-HeH profile at their boundaries."""

from __future__ import annotations

import pytest

from mrdguide.genetics import GeneticFacts, cog_tier, ploidy_class, stjude_tier, uk_tier, ukall_heh


def facts(
    *lesions: str,
    modal: int | None = None,
    trisomies: tuple[int, ...] = (),
    dna_index: float | None = None,
    immunophenotype: str | None = "B",
    tested: bool = True,
) -> GeneticFacts:
    """GeneticFacts for a B-ALL with the given features."""
    return GeneticFacts(
        lesions=frozenset(lesions),
        modal_chromosome_number=modal,
        ploidy_class=ploidy_class(modal) if modal is not None else None,
        trisomies=frozenset(trisomies),
        dna_index=dna_index,
        immunophenotype=immunophenotype,
        cytogenetics_tested=tested,
        trisomies_known=bool(trisomies),
    )


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (facts("ETV6::RUNX1", modal=46), "good"),
        (facts(modal=55, trisomies=(4, 6, 10)), "good"),
        (facts(modal=46), "intermediate"),
        (facts("TCF3::PBX1", modal=46), "intermediate"),
        (facts(modal=50), "intermediate"),
        (facts(modal=40), "intermediate"),
        (facts(modal=39), "high"),
        (facts(modal=28), "high"),
        (facts("KMT2A::AFF1", modal=46), "high"),
        (facts("iAMP21"), "high"),
        (facts("TCF3::HLF"), "high"),
        (facts("BCR::ABL1"), "high"),
        (facts("ETV6::RUNX1", "iAMP21"), "high"),
    ],
)
def test_uk_tier(f: GeneticFacts, expected: str) -> None:
    """UK good / intermediate / high cytogenetic risk."""
    assert uk_tier(f)[0] == expected


def test_uk_tier_untested_and_t_cell() -> None:
    """Untested cytogenetics and T-ALL give no UK tier."""
    assert uk_tier(facts(tested=False))[0] is None
    assert uk_tier(facts(modal=46, immunophenotype="T"))[0] is None


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (facts("ETV6::RUNX1"), "favourable"),
        (facts(modal=55, trisomies=(4, 10)), "favourable"),
        (facts(modal=55, trisomies=(4, 6, 17)), "neutral"),
        (facts(modal=55, trisomies=(10, 17)), "neutral"),
        (facts(modal=44), "neutral"),
        (facts(modal=43), "unfavourable"),
        (facts(modal=46, dna_index=0.80), "unfavourable"),
        (facts(modal=46, dna_index=0.81), "neutral"),
        (facts("KMT2A-r"), "unfavourable"),
        (facts("iAMP21"), "unfavourable"),
        (facts("BCR::ABL1"), "unfavourable"),
        (facts("ETV6::RUNX1", "KMT2A::MLLT1"), "unfavourable"),
        (facts("TCF3::PBX1", modal=46), "neutral"),
    ],
)
def test_cog_tier(f: GeneticFacts, expected: str) -> None:
    """COG favourable needs ETV6::RUNX1 or both +4 and +10; adverse features win."""
    assert cog_tier(f)[0] == expected


def test_cog_tier_untested_is_none() -> None:
    """No genetics at all gives no COG tier."""
    assert cog_tier(facts(tested=False))[0] is None


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (facts("BCR::ABL1"), "high"),
        (facts("ETV6::RUNX1"), "low"),
        (facts(modal=46, dna_index=1.16), "low"),
        (facts(modal=46, dna_index=1.15), "standard"),
        (facts(modal=55), "low"),
        (facts(modal=55, dna_index=1.10), "standard"),
        (facts("TCF3::PBX1", dna_index=1.2), "standard"),
        (facts(modal=43), "standard"),
        (facts("KMT2A::AFF1"), "standard"),
        (facts(modal=46), "standard"),
        (facts(modal=46, immunophenotype="T"), "standard"),
    ],
)
def test_stjude_tier(f: GeneticFacts, expected: str) -> None:
    """St Jude Total XV/XVI provisional genetic risk."""
    assert stjude_tier(f)[0] == expected


@pytest.mark.parametrize(
    ("trisomies", "expected"),
    [
        ((4, 10, 17), "good"),
        ((4, 10, 18), "good"),
        ((17, 18), "good"),
        ((5, 17), "good"),
        ((17, 20), "good"),
        ((5, 17, 20), "poor"),
        ((5, 17, 18, 20), "poor"),
        ((4, 6, 10, 14, 21), "poor"),
    ],
)
def test_ukall_heh(trisomies: tuple[int, ...], expected: str) -> None:
    """[R] UKALL-HeH: +17 and/or +18 without both +5 and +20 is good risk."""
    assert ukall_heh(facts(modal=56, trisomies=trisomies))[0] == expected


def test_ukall_heh_only_for_high_hyperdiploid() -> None:
    """UKALL-HeH is None outside high hyperdiploidy or when the trisomies are unknown."""
    assert ukall_heh(facts(modal=50, trisomies=(17, 18)))[0] is None
    assert ukall_heh(facts(modal=56))[0] is None


def test_ukall_heh_flags_its_rule_as_unverified() -> None:
    """The UKALL-HeH note says the rule is [R]."""
    assert any("[R]" in n for n in ukall_heh(facts(modal=56, trisomies=(17,)))[1])
