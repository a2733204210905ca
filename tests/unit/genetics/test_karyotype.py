"""ISCN karyotype parser: real-style strings and malformed input."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mrdguide.errors import InputError
from mrdguide.genetics import KaryotypeError, PloidyBoundaries, parse_karyotype


@dataclass(frozen=True)
class Case:
    """Expected parse of one karyotype string."""

    text: str
    modal: int
    ploidy: str
    lesions: tuple[str, ...] = ()
    gains: tuple[str, ...] = ()
    losses: tuple[str, ...] = ()
    constitutional: tuple[str, ...] = ()


CASES = [
    Case("46,XY,t(12;21)(p13;q22)[12]/46,XY[8]", 46, "diploid", ("ETV6::RUNX1",)),
    Case(
        "47,XX,+21c,t(12;21)(p13;q22)[15]/47,XX,+21c[5]",
        47,
        "low_hyperdiploid",
        ("ETV6::RUNX1",),
        constitutional=("+21c",),
    ),
    Case(
        "26,X,+10,+14,+18,+21,+21[10]/46,XX[10]",
        26,
        "near_haploid",
        gains=("10", "14", "18", "21", "21"),
    ),
    Case(
        "55,XY,+X,+4,+6,+10,+14,+17,+18,+21,+21[20]",
        55,
        "high_hyperdiploid",
        gains=("X", "4", "6", "10", "14", "17", "18", "21", "21"),
    ),
    Case(
        "54,XX,+X,+4,+6,+10,+14,+17,+18,+21[14]/46,XX[6]",
        54,
        "high_hyperdiploid",
        gains=("X", "4", "6", "10", "14", "17", "18", "21"),
    ),
    Case(
        "56~58,XY,+X,+4,+6,+10,+14,+17,+18,+21,+21,+mar[cp8]",
        57,
        "high_hyperdiploid",
        gains=("X", "4", "6", "10", "14", "17", "18", "21", "21"),
    ),
    Case("46,XY,t(9;22)(q34;q11.2)[20]", 46, "diploid", ("BCR::ABL1",)),
    Case(
        "46,XX,t(9;22)(q34;q11.2),del(9)(p13p21)[10]/47,idem,+der(22)t(9;22)(q34;q11.2)[8]"
        "/46,XX[2]",
        46,
        "diploid",
        ("BCR::ABL1",),
    ),
    Case("46,XX,t(4;11)(q21;q23)[20]", 46, "diploid", ("KMT2A::AFF1",)),
    Case("46,XY,t(11;19)(q23;p13.3)[15]", 46, "diploid", ("KMT2A::MLLT1",)),
    Case("46,XY,t(9;11)(p22;q23)[20]", 46, "diploid", ("KMT2A::MLLT3",)),
    Case("46,XY,t(9;11)(p21;q23.3)[20]", 46, "diploid", ("KMT2A::MLLT3",)),
    Case("46,XX,t(10;11)(p12;q23)[12]", 46, "diploid", ("KMT2A::MLLT10",)),
    Case("46,XY,t(6;11)(q27;q23)[10]", 46, "diploid", ("KMT2A::AFDN",)),
    Case("46,XX,t(1;11)(p32;q23)[9]", 46, "diploid", ("KMT2A::EPS15",)),
    Case("46,XX,t(11;19)(q23;p13)[10]", 46, "diploid", ("KMT2A-r",)),
    Case(
        "47,XY,+X,t(4;11)(q21;q23)[18]/46,XY[2]",
        47,
        "low_hyperdiploid",
        ("KMT2A::AFF1",),
        gains=("X",),
    ),
    Case("46,XX,der(19)t(1;19)(q23;p13)[20]", 46, "diploid", ("TCF3::PBX1",)),
    Case("46,XY,t(1;19)(q23;p13)[20]", 46, "diploid", ("TCF3::PBX1",)),
    Case("46,XX,t(17;19)(q22;p13)[10]", 46, "diploid", ("TCF3::HLF",)),
    Case(
        "47,XY,+X,iamp(21)(q21q22)[12]/46,XY[8]",
        47,
        "low_hyperdiploid",
        ("iAMP21",),
        gains=("X",),
    ),
    Case("45,XX,dic(9;20)(p13;q11.2)[10]/46,XX[10]", 45, "high_hypodiploid"),
    Case("45,X,-X,t(12;21)(p13;q22)[14]", 45, "high_hypodiploid", ("ETV6::RUNX1",), losses=("X",)),
    Case("44,XY,-7,-9,del(12)(p13)[8]/46,XY[12]", 44, "high_hypodiploid", losses=("7", "9")),
    Case(
        "36,XY,-2,-3,-4,-7,-12,-13,-15,-16,-17,-20[10]/46,XY[10]",
        36,
        "low_hypodiploid",
        losses=("2", "3", "4", "7", "12", "13", "15", "16", "17", "20"),
    ),
    Case("69<3n>,XXY,+5,-9[10]", 69, "near_triploid", gains=("5",), losses=("9",)),
    Case("92<4n>,XXYY[5]/46,XY[15]", 92, "near_tetraploid"),
    Case("46,XY,del(9)(p21)[15]/46,XY[5]", 46, "diploid"),
    Case("47,XY,+21c[20]", 47, "low_hyperdiploid", constitutional=("+21c",)),
    Case("46,XX,i(17)(q10),t(12;21)(p13;q22)[8]/46,XX[12]", 46, "diploid", ("ETV6::RUNX1",)),
    Case(
        "48,XY,+X,+21,idic(20)(q11.2),add(19)(p13)[10]",
        48,
        "low_hyperdiploid",
        gains=("X", "21"),
    ),
    Case("47,XX,+8,dup(1)(q21q32),r(8)(p21q24)[6]/46,XX[14]", 47, "low_hyperdiploid", gains=("8",)),
    Case(
        "46,XY,t(12;21)(p13;q22)[5]/47,idem,+21[10]/48,sdl,+16[4]",
        47,
        "low_hyperdiploid",
        ("ETV6::RUNX1",),
        gains=("21",),
    ),
    Case(
        "46,XY,t(4;11)(q21;q23)[5]/47,sl,+X[15]",
        47,
        "low_hyperdiploid",
        ("KMT2A::AFF1",),
        gains=("X",),
    ),
    Case("46,XY,t(5;14)(q31;q32)[10]", 46, "diploid", ("IGH::IL3",)),
    Case("46,XY,t(X;14)(p22;q32)[10]", 46, "diploid", ("IGH::CRLF2",)),
    Case("46,XY,t(8;14)(q24;q32)[20]", 46, "diploid", ("IGH::MYC",)),
    Case(
        "51,XY,+4,+6,+10,+18,+21[10]/46,XY[10]",
        51,
        "high_hyperdiploid",
        gains=("4", "6", "10", "18", "21"),
    ),
    Case("50,XX,+4,+6,+10,+21[10]", 50, "low_hyperdiploid", gains=("4", "6", "10", "21")),
    Case("46,XY,t(12;21)(p13;q22).ish t(12;21)(ETV6+,RUNX1+)", 46, "diploid", ("ETV6::RUNX1",)),
    Case("48,XY,+2mar[10]", 48, "low_hyperdiploid"),
    Case("47,XX,+der(21)t(12;21)(p13;q22)[10]", 47, "low_hyperdiploid", ("ETV6::RUNX1",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.text for c in CASES])
def test_real_style_karyotypes(case: Case) -> None:
    """Each real-style karyotype yields the expected modal number, class and changes."""
    k = parse_karyotype(case.text)
    assert k.modal_chromosome_number == case.modal
    assert k.ploidy_class == case.ploidy
    assert k.lesions == case.lesions
    assert k.gains == case.gains
    assert k.losses == case.losses
    assert k.constitutional == case.constitutional


def test_there_are_at_least_thirty_real_style_strings() -> None:
    """The issue asks for at least 30 real-style ISCN strings."""
    assert len(CASES) >= 30


def test_normal_clone_is_ignored_for_the_modal_number() -> None:
    """A larger normal clone never sets the modal number."""
    k = parse_karyotype("44,XY,-7,-9[3]/46,XY[17]")
    assert k.modal_chromosome_number == 44
    assert [c.normal for c in k.clones] == [False, True]


def test_largest_abnormal_clone_sets_the_modal_number() -> None:
    """Among abnormal clones, the one with most cells gives the modal number."""
    k = parse_karyotype("46,XY,t(12;21)(p13;q22)[5]/47,idem,+21[10]")
    assert k.modal_chromosome_number == 47
    assert k.clones[1].inherits_from == 0


def test_clone_cells_and_composite() -> None:
    """Cell counts and the composite flag are kept per clone."""
    k = parse_karyotype("56~58,XY,+4,+6,+10,+21,+21[cp8]/46,XY[12]")
    assert [c.cells for c in k.clones] == [8, 12]
    assert [c.composite for c in k.clones] == [True, False]
    assert k.clones[0].modal_range == (56, 58)


def test_sdl_number_refers_to_sideline() -> None:
    """``sdl1`` inherits from the first sideline (second abnormal clone)."""
    k = parse_karyotype("46,XY,t(12;21)(p13;q22)[5]/47,sl,+21[4]/48,sdl1,+16[3]")
    assert k.clones[2].inherits_from == 1
    assert k.clones[2].gains == ("16", "21")


def test_down_syndrome_flag_from_constitutional_trisomy() -> None:
    """``+21c`` sets ``down_syndrome``; an acquired ``+21`` does not."""
    assert parse_karyotype("47,XY,+21c[20]").down_syndrome
    assert not parse_karyotype("47,XY,+21[20]").down_syndrome


def test_constitutional_only_clone_counts_as_normal() -> None:
    """A clone with only constitutional changes is the patient's constitution."""
    k = parse_karyotype("47,XX,+21c,t(12;21)(p13;q22)[15]/47,XX,+21c[5]")
    assert [c.normal for c in k.clones] == [False, True]
    assert any("constitutional" in n for n in k.notes)


def test_masked_hypodiploidy_reports_the_hypodiploid_number() -> None:
    """A near-haploid clone with its doubled clone is not called hyperdiploid."""
    k = parse_karyotype(
        "30,X,+X,+14,+18,+21,+21,+21,+21[3]/60,XX,+X,+X,+14,+14,+18,+18,+21,+21[12]"
    )
    assert k.doubled_hypodiploid
    assert k.modal_chromosome_number == 30
    assert k.ploidy_class == "near_haploid"


def test_structural_list_keeps_markers_and_rearrangements() -> None:
    """``structural`` lists rearrangements and markers as written, de-duplicated."""
    k = parse_karyotype("48,XY,+X,idic(20)(q11.2),+mar[5]/49,idem,+21[5]")
    assert k.structural == ("idic(20)(q11.2)", "+mar")


def test_implied_deletions_from_del9p() -> None:
    """``del(9)(p21)`` implies CDKN2A/B but not PAX5; ``del(9)(p13)`` implies all three."""
    assert parse_karyotype("46,XY,del(9)(p21)").implied_deletions == ("CDKN2A", "CDKN2B")
    assert set(parse_karyotype("46,XY,del(9)(p13)").implied_deletions) == {
        "CDKN2A",
        "CDKN2B",
        "PAX5",
    }


def test_interstitial_deletion_outside_locus_implies_nothing() -> None:
    """An interstitial 9p deletion that stops short of 9p21 does not imply CDKN2A loss."""
    assert parse_karyotype("46,XY,del(9)(p22p24)").implied_deletions == ()


def test_ambiguous_kmt2a_partner_is_noted() -> None:
    """19p13 without sub-band could be MLLT1 or ELL: KMT2A-r with a note."""
    k = parse_karyotype("46,XX,t(11;19)(q23;p13)")
    assert k.lesions == ("KMT2A-r",)
    assert any("ambiguous" in n for n in k.notes)


def test_count_mismatch_is_noted_not_raised() -> None:
    """A stated modal number that disagrees with the listed changes adds a note."""
    k = parse_karyotype("47,XY,+21,+8[10]")
    assert k.modal_chromosome_number == 47
    assert any("differs" in n for n in k.notes)


def test_range_spanning_two_classes_is_noted() -> None:
    """A modal range across a class boundary uses the midpoint and says so."""
    k = parse_karyotype("49~53,XX,+4,+6,+10,+21[cp10]")
    assert k.modal_chromosome_number == 51
    assert any("spans two ploidy classes" in n for n in k.notes)


def test_hypodiploid_boundary_parameter() -> None:
    """With the high-hypodiploid class starting at 44, 43 chromosomes are low hypodiploid."""
    text = "43,XY,-7,-9,-13[10]"
    assert parse_karyotype(text).ploidy_class == "high_hypodiploid"
    b = PloidyBoundaries(high_hypodiploid_min=44)
    assert parse_karyotype(text, boundaries=b).ploidy_class == "low_hypodiploid"


def test_ish_part_is_ignored_with_a_note() -> None:
    """In-situ hybridisation results after ``.ish`` are dropped with a note."""
    k = parse_karyotype("46,XY,t(12;21)(p13;q22).ish t(12;21)(ETV6+,RUNX1+)")
    assert any("in-situ" in n for n in k.notes)


def test_to_dict_has_the_cli_fields() -> None:
    """``to_dict`` carries the fields the CLI promises."""
    d = parse_karyotype("47,XY,+21c,t(12;21)(p13;q22)[15]/46,XY[5]").to_dict()
    for key in ("modal_chromosome_number", "ploidy_class", "lesions", "gains", "losses"):
        assert key in d
    assert d["constitutional"] == ["+21c"]
    assert len(d["clones"]) == 2


MALFORMED = [
    ("46,XY,t(12;21)(p13;q22", "(", 14, "unbalanced"),
    ("46,XY,t(12;21(p13;q22)", "(", 13, "nested"),
    ("46,XY,foo(12)(p13)", "foo", 6, "unknown abnormality 'foo'"),
    ("46,XY,t(12;21)(x13;q22)", "x13", 15, "bad band 'x13'"),
    ("46,XY,del(9)(p2x1)", "p2x1", 13, "bad band"),
    ("XY,t(12;21)(p13;q22)", "XY", 0, "modal number"),
    ("46,t(12;21)(p13;q22)", "t(12;21)(p13;q22)", 3, "sex chromosomes"),
    ("46,XY,t(12;21)(p13)", "p13", 15, "band segment"),
    ("46,XY,+25", "+25", 6, "expected an abnormality"),
    ("46,XY,,+21", ",", 6, "empty item"),
    ("46,XY,t(12;21)(p13;q22)/", "/", 24, "empty item"),
    ("46,XY[20", "[", 5, "unbalanced"),
    ("46,XY,del(9)[10]", "del(9)", 6, "needs a band group"),
    ("47,idem,+21", "idem", 3, "without an earlier abnormal clone"),
    ("46,XY,t(12;21)(p13;q22)[12],+21", "[", 23, "must end its clone"),
    ("46~44,XY", "46~44", 0, "implausible"),
    ("46,XY,t(9;22)(q34;q11.2)//46,XX", "//", 24, "chimerism"),
    ("46,XY,t(12;25)(p13;q22)", "25", 11, "bad chromosome"),
    ("46,XY,+21]", "]", 9, "unbalanced"),
    ("4 6,XY", "4 6", 0, "modal number"),
]


@pytest.mark.parametrize(("text", "token", "position", "reason"), MALFORMED)
def test_malformed_karyotypes(text: str, token: str, position: int, reason: str) -> None:
    """Malformed strings raise KaryotypeError naming the token and its position."""
    with pytest.raises(KaryotypeError) as info:
        parse_karyotype(text)
    err = info.value
    assert err.token == token
    assert err.position == position
    assert reason in str(err)
    assert f"position {position}" in str(err)


def test_karyotype_error_is_an_input_error() -> None:
    """KaryotypeError is an InputError so callers can catch the family."""
    with pytest.raises(InputError):
        parse_karyotype("")


def test_non_ascii_character_is_rejected_with_position() -> None:
    """A non-ASCII character is reported at its position."""
    with pytest.raises(KaryotypeError) as info:
        parse_karyotype("46,XY,t(12;21)(p13;q22)\u2013")
    assert info.value.position == 23


def test_insertion_gives_kmt2a_fusion() -> None:
    """``ins(4;11)(q21;q14q23)`` finds 11q23 among the inserted bands: KMT2A::AFF1."""
    assert parse_karyotype("46,XX,ins(4;11)(q21;q14q23)").lesions == ("KMT2A::AFF1",)


def test_three_way_kmt2a_translocation_is_kmt2a_r() -> None:
    """A three-way 11q23 translocation is KMT2A-r without a guessed partner."""
    k = parse_karyotype("46,XX,t(1;11;19)(p32;q23;p13.3)")
    assert k.lesions == ("KMT2A-r",)
    assert any("partner not inferred" in n for n in k.notes)


def test_add_11q23_is_only_a_note() -> None:
    """``add(11)(q23)`` does not prove a KMT2A fusion but is flagged."""
    k = parse_karyotype("46,XY,add(11)(q23)")
    assert k.lesions == ()
    assert any("KMT2A rearrangement possible" in n for n in k.notes)


def test_sex_chromosome_loss_counts_once() -> None:
    """``45,X,-X`` is consistent: the lost X is already absent from the sex field."""
    assert parse_karyotype("45,X,-X,t(12;21)(p13;q22)[14]").notes == ()
