"""classify(): effective lesions, tiers, conflicts and notes from a GeneticProfile."""

from __future__ import annotations

import json

import pytest

from mrdguide import genetics
from mrdguide.domain import CopyNumber, GeneticProfile
from mrdguide.genetics import GeneticClassification, KaryotypeError, classify

D, N = CopyNumber.DELETED, CopyNumber.NORMAL


def test_public_api_is_exact() -> None:
    """The genetics package exports exactly its documented names."""
    assert sorted(genetics.__all__) == sorted(
        [
            "DEFAULT_BOUNDARIES",
            "PLOIDY_CLASSES",
            "Clone",
            "GeneticClassification",
            "GeneticFacts",
            "Karyotype",
            "KaryotypeError",
            "PloidyBoundaries",
            "PloidyClass",
            "assign_subtypes",
            "classify",
            "classify_genetics",
            "cog_tier",
            "deletion_status",
            "ikzf1plus",
            "parse_karyotype",
            "ploidy_class",
            "stjude_tier",
            "uk_tier",
            "ukall_cna",
            "ukall_heh",
        ]
    )


def test_lesions_are_given_union_karyotype() -> None:
    """Effective lesions combine the profile's lesions and the karyotype's."""
    c = classify(
        GeneticProfile(lesions=("IKZF1-del",), karyotype="46,XY,t(9;22)(q34;q11.2)[20]"),
        immunophenotype="B",
    )
    assert c.lesions == ("IKZF1-del", "BCR::ABL1")
    assert c.has("BCR::ABL1")
    assert c.high_risk_lesions == ("BCR::ABL1",)


def test_etv6_runx1_is_good_everywhere() -> None:
    """ETV6::RUNX1 is UK good, COG favourable and St Jude low."""
    c = classify(GeneticProfile(lesions=("ETV6::RUNX1",), modal_chromosome_number=46))
    assert (c.uk_tier, c.cog_tier, c.stjude_tier) == ("good", "favourable", "low")
    assert c.who_subtype is not None
    assert "ETV6::RUNX1" in c.who_subtype


def test_high_hyperdiploid_from_karyotype() -> None:
    """A HeH karyotype sets ploidy, trisomies, COG double trisomy and UKALL-HeH."""
    c = classify(GeneticProfile(karyotype="55,XY,+X,+4,+6,+10,+14,+17,+18,+21,+21[20]"))
    assert c.modal_chromosome_number == 55
    assert c.ploidy_class == "high_hyperdiploid"
    assert c.trisomies == (4, 6, 10, 14, 17, 18, 21)
    assert (c.uk_tier, c.cog_tier, c.ukall_heh) == ("good", "favourable", "good")


def test_kmt2a_partner_is_kmt2a_r() -> None:
    """Any KMT2A fusion counts as KMT2A-r for tiers and membership."""
    c = classify(GeneticProfile(karyotype="46,XX,t(4;11)(q21;q23)[20]"), immunophenotype="B")
    assert c.lesions == ("KMT2A::AFF1",)
    assert c.has("KMT2A-r")
    assert (c.uk_tier, c.cog_tier) == ("high", "unfavourable")


def test_untested_profile_gives_none_everywhere() -> None:
    """An empty profile gives no tiers and no subtype."""
    c = classify(GeneticProfile())
    assert c.uk_tier is None
    assert c.cog_tier is None
    assert c.stjude_tier is None
    assert c.who_subtype is None
    assert c.ikzf1plus is None
    assert c.ukall_cna is None


def test_ikzf1plus_from_copy_number() -> None:
    """IKZF1plus and UKALL-CNA are computed from the copy-number mapping."""
    cn = dict.fromkeys(("CDKN2A", "CDKN2B", "PAR1", "BTG1", "EBF1", "ETV6", "RB1", "ERG"), N)
    c = classify(GeneticProfile(copy_number=cn | {"IKZF1": D, "PAX5": D}))
    assert c.ikzf1plus is True
    assert c.ukall_cna == "poor"
    c2 = classify(GeneticProfile(copy_number=cn | {"IKZF1": D, "PAX5": D, "ERG": D}))
    assert c2.ikzf1plus is False


def test_karyotype_deletion_fills_untested_gene_with_note() -> None:
    """A del(9)(p21) marks untested CDKN2A/B as deleted and says so."""
    c = classify(
        GeneticProfile(
            karyotype="46,XY,del(9)(p21)[10]",
            copy_number={"IKZF1": D, "ERG": N, "PAX5": N, "PAR1": N},
        )
    )
    assert c.ikzf1plus is True
    assert any("inferred from the karyotype" in n for n in c.notes)


def test_tested_copy_number_wins_over_karyotype_hint() -> None:
    """A tested normal CDKN2A is not overridden by a karyotypic 9p deletion."""
    cn = {"IKZF1": D, "ERG": N, "PAX5": N, "PAR1": N, "CDKN2A": N, "CDKN2B": N}
    c = classify(GeneticProfile(karyotype="46,XY,del(9)(p21)[10]", copy_number=cn))
    assert c.ikzf1plus is False


def test_ukall_integrated_uses_cna_only_for_intermediate_cytogenetics() -> None:
    """Good cytogenetics are good and high are poor whatever the CNA; B-other uses the CNA."""
    poor_cna = {"IKZF1": D}
    good = classify(GeneticProfile(lesions=("ETV6::RUNX1",), copy_number=poor_cna))
    assert good.ukall_integrated == "good"
    b_other = classify(GeneticProfile(modal_chromosome_number=46, copy_number=poor_cna))
    assert b_other.ukall_integrated == "poor"
    high = classify(GeneticProfile(lesions=("iAMP21",)))
    assert high.ukall_integrated == "poor"


def test_modal_conflict_is_noted_and_profile_wins() -> None:
    """A modal number that disagrees with the karyotype is noted; the given one is used."""
    c = classify(GeneticProfile(modal_chromosome_number=47, karyotype="46,XY,t(1;19)(q23;p13)"))
    assert c.modal_chromosome_number == 47
    assert any(n.startswith("conflict: modal") for n in c.notes)


def test_dna_index_conflict_is_noted() -> None:
    """A DNA index far from modal number / 46 is noted (possible masked hypodiploidy)."""
    c = classify(GeneticProfile(modal_chromosome_number=58, dna_index=1.0))
    assert any("DNA index" in n for n in c.notes)
    c2 = classify(GeneticProfile(modal_chromosome_number=58, dna_index=1.25))
    assert not any("DNA index" in n for n in c2.notes)


def test_down_syndrome_from_karyotype_or_argument() -> None:
    """+21c or down_syndrome=True set down_syndrome; a contradiction is noted."""
    c = classify(GeneticProfile(karyotype="47,XY,+21c[20]"), down_syndrome=False)
    assert c.down_syndrome is True
    assert any("conflict: down_syndrome" in n for n in c.notes)
    assert classify(GeneticProfile(), down_syndrome=None).down_syndrome is None
    assert classify(GeneticProfile(), down_syndrome=False).down_syndrome is False


def test_unknown_lesions_are_listed() -> None:
    """Lesions outside KNOWN_LESIONS are reported, KMT2A fusions are not."""
    c = classify(GeneticProfile(lesions=("FOO::BAR", "KMT2A::AFDN")))
    assert c.unknown_lesions == ("FOO::BAR",)


def test_masked_hypodiploidy_is_not_heh() -> None:
    """A doubled near-haploid clone is classed near-haploid and UK high risk."""
    kt = "30,X,+X,+14,+18,+21,+21,+21,+21[3]/60,XX,+X,+X,+14,+14,+18,+18,+21,+21[12]"
    c = classify(GeneticProfile(karyotype=kt), immunophenotype="B")
    assert c.ploidy_class == "near_haploid"
    assert (c.uk_tier, c.cog_tier) == ("high", "unfavourable")
    assert c.ukall_heh is None


def test_hypodiploid_boundary_parameter_reaches_tiers() -> None:
    """With the cut-off at 44, MCN 43 is low hypodiploid and UK high risk."""
    from mrdguide.genetics import PloidyBoundaries

    p = GeneticProfile(modal_chromosome_number=43)
    assert classify(p).uk_tier == "intermediate"
    b = PloidyBoundaries(high_hypodiploid_min=44)
    assert classify(p, boundaries=b).uk_tier == "high"


def test_t_all() -> None:
    """T-ALL gets T labels, no UK/COG tier and St Jude standard."""
    c = classify(GeneticProfile(modal_chromosome_number=46), immunophenotype="T")
    assert c.who_subtype is not None
    assert c.who_subtype.startswith("T-")
    assert (c.uk_tier, c.cog_tier, c.stjude_tier) == (None, None, "standard")


def test_malformed_karyotype_propagates() -> None:
    """A malformed karyotype in the profile raises KaryotypeError."""
    with pytest.raises(KaryotypeError):
        classify(GeneticProfile(karyotype="46,XY,t(12;21"))


def test_to_dict_is_json_ready_and_complete() -> None:
    """to_dict has every field by name and serialises to JSON."""
    c = classify(GeneticProfile(karyotype="46,XY,t(12;21)(p13;q22)[20]"))
    d = c.to_dict()
    assert set(d) == set(GeneticClassification.__dataclass_fields__)
    assert d["lesions"] == ["ETV6::RUNX1"]
    assert d["karyotype"]["modal_chromosome_number"] == 46
    json.dumps(d)


def test_result_is_frozen() -> None:
    """GeneticClassification is immutable."""
    c = classify(GeneticProfile())
    with pytest.raises(AttributeError):
        c.uk_tier = "good"  # type: ignore[misc]
