"""Property tests for the genetics core: parser robustness, tier monotonicity, totality."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mrdguide.domain import KNOWN_LESIONS, CopyNumber, GeneticProfile
from mrdguide.genetics import KaryotypeError, classify, parse_karyotype, ploidy_class, ukall_cna

ISCN_ALPHABET = "0123456789XYpqtdelrcmainsupx()[];,/~<>.+-? "
TOKENS = [
    "46",
    "47",
    "55",
    "26",
    "XX",
    "XY",
    "X",
    "+21",
    "+21c",
    "-7",
    "+X",
    "t(12;21)(p13;q22)",
    "t(9;22)(q34;q11.2)",
    "der(19)t(1;19)(q23;p13)",
    "del(9)(p21)",
    "i(17)(q10)",
    "idic(20)(q11.2)",
    "+mar",
    "idem",
    "sl",
    "sdl1",
    "[10]",
    "[cp5]",
    "/",
    ",",
    "(",
    ")",
    "54~58",
    "69<3n>",
]
ADVERSE = [
    "BCR::ABL1",
    "KMT2A-r",
    "KMT2A::AFF1",
    "KMT2A::MLLT1",
    "iAMP21",
    "TCF3::HLF",
    "hypodiploidy",
]
UK_RANK = {"good": 0, "intermediate": 1, "high": 2}
COG_RANK = {"favourable": 0, "neutral": 1, "unfavourable": 2}
SJ_RANK = {"low": 0, "standard": 1, "high": 2}
AUTOSOMES = [str(i) for i in range(1, 23)]


def _parse_error(text: str) -> KaryotypeError | None:
    """The KaryotypeError raised by parsing ``text``; any other exception propagates."""
    try:
        parse_karyotype(text)
    except KaryotypeError as exc:
        return exc
    return None


@given(st.text(alphabet=ISCN_ALPHABET, max_size=60))
def test_parse_random_characters_raises_only_karyotype_error(text: str) -> None:
    """Random ISCN-like characters either parse or raise KaryotypeError, nothing else."""
    error = _parse_error(text)
    if error is not None:
        assert 0 <= error.position <= len(text)


@given(st.lists(st.sampled_from(TOKENS), max_size=12))
def test_parse_random_token_strings_raises_only_karyotype_error(tokens: list[str]) -> None:
    """Random sequences of ISCN tokens either parse or raise KaryotypeError, nothing else."""
    text = ",".join(tokens)
    error = _parse_error(text)
    if error is not None:
        assert f"position {error.position}" in str(error)
    else:
        assert parse_karyotype(text).modal_chromosome_number >= 10


@given(st.lists(st.sampled_from([*AUTOSOMES, "X"]), max_size=20), st.sampled_from(["XX", "XY"]))
def test_generated_numerical_karyotypes_round_trip(gains: list[str], sex: str) -> None:
    """A karyotype built from gains parses back to its modal number and gains."""
    modal = 46 + len(gains)
    text = ",".join([str(modal), sex, *(f"+{g}" for g in gains)]) + "[10]/46," + sex + "[5]"
    k = parse_karyotype(text)
    assert k.modal_chromosome_number == modal
    assert sorted(k.gains) == sorted(gains)
    assert k.ploidy_class == ploidy_class(modal)
    assert not k.notes


@given(st.integers(20, 99), st.integers(20, 99))
def test_ploidy_class_is_monotone(a: int, b: int) -> None:
    """A higher modal number never gives a lower ploidy class."""
    from mrdguide.genetics import PLOIDY_CLASSES

    lo, hi = sorted((a, b))
    assert PLOIDY_CLASSES.index(ploidy_class(lo)) <= PLOIDY_CLASSES.index(ploidy_class(hi))


profiles = st.builds(
    GeneticProfile,
    lesions=st.lists(st.sampled_from(sorted(KNOWN_LESIONS)), max_size=3).map(tuple),
    modal_chromosome_number=st.none() | st.integers(20, 100),
    dna_index=st.none() | st.floats(0.3, 3.0),
    trisomies=st.lists(st.integers(1, 22), max_size=8).map(tuple),
)


@given(profiles, st.sampled_from(ADVERSE), st.sampled_from([None, "B"]))
def test_adding_an_adverse_lesion_never_improves_tiers(
    profile: GeneticProfile, lesion: str, immuno: str | None
) -> None:
    """Adding an adverse lesion never improves the UK, COG or St Jude tier."""
    before = classify(profile, immunophenotype=immuno)
    worse = GeneticProfile(
        lesions=(*profile.lesions, lesion),
        modal_chromosome_number=profile.modal_chromosome_number,
        dna_index=profile.dna_index,
        trisomies=profile.trisomies,
    )
    after = classify(worse, immunophenotype=immuno)
    for field, rank in (("uk_tier", UK_RANK), ("cog_tier", COG_RANK), ("stjude_tier", SJ_RANK)):
        old, new = getattr(before, field), getattr(after, field)
        assert new is not None
        if old is not None:
            assert rank[new] >= rank[old], (field, old, new)


@given(profiles, st.sampled_from([None, "B", "T"]), st.sampled_from([None, True, False]))
def test_classify_is_total_over_valid_profiles(
    profile: GeneticProfile, immuno: str | None, ds: bool | None
) -> None:
    """Every valid profile classifies, with tier values from their vocabularies."""
    c = classify(profile, immunophenotype=immuno, down_syndrome=ds)
    assert c.uk_tier in {None, *UK_RANK}
    assert c.cog_tier in {None, *COG_RANK}
    assert c.stjude_tier in {None, *SJ_RANK}
    assert c.ukall_heh in {None, "good", "poor"}
    assert c.ikzf1plus in {None, True, False}
    assert set(c.high_risk_lesions) <= set(c.lesions)


PANEL = ("IKZF1", "CDKN2A", "CDKN2B", "PAR1", "BTG1", "EBF1", "PAX5", "ETV6", "RB1")


@given(st.sets(st.sampled_from(PANEL)))
def test_ikzf1_deletion_always_makes_ukall_cna_poor(deleted: set[str]) -> None:
    """With the full panel tested, any IKZF1 deletion gives a poor UKALL-CNA profile."""
    cn = {g: CopyNumber.DELETED if g in deleted | {"IKZF1"} else CopyNumber.NORMAL for g in PANEL}
    assert ukall_cna(cn) == "poor"
