"""IKZF1plus (Stanulla 2018) and UKALL-CNA (Moorman 2014) at their boundaries."""

from __future__ import annotations

import pytest

from mrdguide.domain import CopyNumber
from mrdguide.genetics import deletion_status, ikzf1plus, ukall_cna

D, N = CopyNumber.DELETED, CopyNumber.NORMAL
PANEL = ("IKZF1", "CDKN2A", "CDKN2B", "PAR1", "BTG1", "EBF1", "PAX5", "ETV6", "RB1", "ERG")


def cn(*deleted: str, untested: tuple[str, ...] = ()) -> dict[str, CopyNumber]:
    """A full-panel copy-number mapping with ``deleted`` genes deleted."""
    return {g: (D if g in deleted else N) for g in PANEL if g not in untested}


@pytest.mark.parametrize("partner", ["CDKN2A", "CDKN2B", "PAX5", "PAR1", "CRLF2"])
def test_ikzf1plus_with_each_partner(partner: str) -> None:
    """IKZF1 deletion plus any one partner deletion, no ERG deletion, is IKZF1plus."""
    mapping = cn("IKZF1", partner) | ({"CRLF2": D} if partner == "CRLF2" else {})
    assert ikzf1plus(mapping) is True


def test_ikzf1plus_false_with_erg_deletion() -> None:
    """An ERG deletion excludes IKZF1plus."""
    assert ikzf1plus(cn("IKZF1", "PAX5", "ERG")) is False


def test_ikzf1_alone_is_not_ikzf1plus() -> None:
    """An isolated IKZF1 deletion is not IKZF1plus."""
    assert ikzf1plus(cn("IKZF1")) is False


def test_partner_without_ikzf1_is_not_ikzf1plus() -> None:
    """Partner deletions without IKZF1 deletion are not IKZF1plus."""
    assert ikzf1plus(cn("CDKN2A", "PAX5")) is False


def test_ikzf1plus_unknown_when_erg_untested() -> None:
    """With IKZF1 and a partner deleted but ERG untested, the answer is unknown."""
    assert ikzf1plus(cn("IKZF1", "PAX5", untested=("ERG",))) is None


def test_ikzf1plus_unknown_when_ikzf1_untested() -> None:
    """Without an IKZF1 result there is no IKZF1plus call."""
    assert ikzf1plus(cn("PAX5", untested=("IKZF1",))) is None


def test_ikzf1plus_unknown_when_partner_untested() -> None:
    """IKZF1 deleted, tested partners normal, one partner untested: unknown."""
    assert ikzf1plus(cn("IKZF1", untested=("PAR1",))) is None


def test_ikzf1_del_lesion_and_p2ry8_crlf2_count() -> None:
    """The IKZF1-del lesion and a P2RY8::CRLF2 fusion stand for the deletions."""
    mapping = cn(untested=("IKZF1", "PAR1"))
    assert ikzf1plus(mapping, ["IKZF1-del", "P2RY8::CRLF2"]) is True


GOOD = [(), ("ETV6",), ("PAX5",), ("BTG1",), ("ETV6", "BTG1"), ("ETV6", "PAX5"), ("ETV6", "CDKN2A")]
POOR = [
    ("IKZF1",),
    ("CDKN2A",),
    ("RB1",),
    ("EBF1",),
    ("PAR1",),
    ("PAX5", "BTG1"),
    ("ETV6", "IKZF1"),
    ("ETV6", "RB1"),
    ("ETV6", "PAX5", "BTG1"),
]


@pytest.mark.parametrize("deleted", GOOD)
def test_ukall_cna_good_profiles(deleted: tuple[str, ...]) -> None:
    """Moorman 2014 good-risk CNA profiles are good."""
    assert ukall_cna(cn(*deleted)) == "good"


@pytest.mark.parametrize("deleted", POOR)
def test_ukall_cna_poor_profiles(deleted: tuple[str, ...]) -> None:
    """Every other CNA profile, including any IKZF1 deletion, is poor."""
    assert ukall_cna(cn(*deleted)) == "poor"


def test_ukall_cna_untested() -> None:
    """No panel gene tested gives None."""
    assert ukall_cna({}) is None


def test_ukall_cna_unknown_when_untested_gene_could_flip() -> None:
    """CDKN2A/B alone is poor, but becomes good if the untested ETV6 were deleted."""
    assert ukall_cna(cn("CDKN2A", untested=("ETV6",))) is None


def test_ukall_cna_poor_even_with_untested_genes() -> None:
    """An IKZF1 deletion is poor whatever the untested genes show."""
    assert ukall_cna(cn("IKZF1", untested=("ETV6", "RB1"))) == "poor"


def test_deletion_status_cdkn2a_b_combined() -> None:
    """CDKN2A/B counts as deleted when either gene is deleted."""
    status = deletion_status({"CDKN2B": D, "CDKN2A": N})
    assert status["CDKN2A/B"] is True
    assert status["PAR1"] is None
