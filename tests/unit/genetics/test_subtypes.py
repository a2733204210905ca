"""WHO-HAEM5 and ICC 2022 subtype labels."""

from __future__ import annotations

import pytest

from mrdguide.genetics import assign_subtypes


@pytest.mark.parametrize(
    ("lesions", "ploidy", "who_part", "icc"),
    [
        (
            ["ETV6::RUNX1"],
            "diploid",
            "with ETV6::RUNX1 fusion",
            "B-ALL with t(12;21)(p13.2;q22.1)/ETV6::RUNX1",
        ),
        (["BCR::ABL1"], None, "with BCR::ABL1 fusion", "B-ALL with t(9;22)(q34.1;q11.2)/BCR::ABL1"),
        (
            ["KMT2A::AFF1"],
            None,
            "with KMT2A rearrangement",
            "B-ALL with t(v;11q23.3)/KMT2A rearranged",
        ),
        (
            ["TCF3::PBX1"],
            None,
            "with TCF3::PBX1 fusion",
            "B-ALL with t(1;19)(q23.3;p13.3)/TCF3::PBX1",
        ),
        (["TCF3::HLF"], None, "with TCF3::HLF fusion", "B-ALL with HLF rearrangement"),
        (["iAMP21"], "diploid", "with iAMP21", "B-ALL with iAMP21"),
        ([], "high_hyperdiploid", "with high hyperdiploidy", "B-ALL, hyperdiploid"),
        ([], "near_haploid", "with hypodiploidy", "B-ALL, near haploid"),
        ([], "low_hypodiploid", "with hypodiploidy", "B-ALL, low hypodiploid"),
        ([], "diploid", "not otherwise specified", "B-ALL, NOS"),
        (["DUX4-r"], None, "other defined genetic abnormalities", "B-ALL with DUX4 rearrangement"),
        (
            ["ABL-class"],
            None,
            "BCR::ABL1-like features",
            "B-ALL, BCR::ABL1-like, ABL-1 class rearranged",
        ),
    ],
)
def test_subtype_labels(lesions: list[str], ploidy: str | None, who_part: str, icc: str) -> None:
    """Each defining lesion or ploidy class maps to its WHO-HAEM5 and ICC label."""
    who, icc_label, _ = assign_subtypes(lesions, ploidy)
    assert who is not None
    assert who_part in who
    assert icc_label == icc


def test_fusion_takes_precedence_over_ploidy() -> None:
    """ETV6::RUNX1 in a hyperdiploid clone is the ETV6::RUNX1 entity, with a note."""
    who, _, notes = assign_subtypes(["ETV6::RUNX1"], "high_hyperdiploid")
    assert who is not None
    assert "ETV6::RUNX1" in who
    assert any("takes precedence over high_hyperdiploid" in n for n in notes)


def test_labels_are_flagged_as_unverified() -> None:
    """Every assigned label comes with the [R] caveat."""
    assert any("[R]" in n for n in assign_subtypes([], "diploid")[2])


def test_nothing_tested_gives_none() -> None:
    """No lesions and no ploidy: no subtype."""
    assert assign_subtypes([], None)[:2] == (None, None)


def test_t_all_labels() -> None:
    """T-ALL gets the T-lineage labels, not B-ALL ones."""
    who, icc, _ = assign_subtypes(["ETV6::RUNX1"], "diploid", immunophenotype="T")
    assert who is not None
    assert who.startswith("T-lymphoblastic")
    assert icc == "T-ALL"
