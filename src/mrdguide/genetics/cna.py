"""Copy-number classifiers: IKZF1plus (Stanulla 2018) and the UKALL-CNA profile (Moorman 2014).

Both are three-valued: ``None`` means the answer depends on genes that were not tested. A gene
counts as deleted when its :class:`~mrdguide.domain.CopyNumber` is ``DELETED``; untested genes
are simply absent from the mapping.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from itertools import product
from typing import Literal

from mrdguide.domain import CopyNumber

UKALLCNA = Literal["good", "poor"]

#: Genes of the PAR1 region (Xp22.33/Yp11.31); a deletion of any of them, a ``PAR1`` entry or a
#: ``P2RY8::CRLF2`` fusion (which is produced by the PAR1 deletion) counts as PAR1 deleted
#: [V: Stanulla 2018 definition] [sources: stanulla2018].
PAR1_GENES: tuple[str, ...] = ("PAR1", "CRLF2", "CSF2RA", "IL3RA", "P2RY8")

#: Moorman 2014 UKALL-CNA panel: the 8 most frequently deleted genes, CDKN2A/B counted once
#: [V: Moorman AV et al., Blood 2014;124(9):1434-44; gene list R] [sources: moorman2014].
UKALL_CNA_PANEL: tuple[str, ...] = (
    "IKZF1",
    "CDKN2A/B",
    "PAR1",
    "BTG1",
    "EBF1",
    "PAX5",
    "ETV6",
    "RB1",
)

#: Deletions allowed alone in the good-risk profile [V: Moorman 2014].
_GOOD_ISOLATED = frozenset({"ETV6", "PAX5", "BTG1"})
#: Deletions allowed together with an ETV6 deletion in the good-risk profile [V: Moorman 2014].
_GOOD_WITH_ETV6 = frozenset({"BTG1", "PAX5", "CDKN2A/B"})


def _gene(cn: Mapping[str, CopyNumber], gene: str) -> bool | None:
    """Deleted, not deleted, or untested (``None``)."""
    status = cn.get(gene)
    return None if status is None else status == CopyNumber.DELETED


def _any_of(values: list[bool | None]) -> bool | None:
    """Three-valued OR: ``True`` if any is, ``False`` if none is but some were tested."""
    if any(v is True for v in values):
        return True
    return False if any(v is False for v in values) else None


def deletion_status(
    copy_number: Mapping[str, CopyNumber], lesions: Collection[str] = ()
) -> dict[str, bool | None]:
    """Deleted (``True``), not deleted (``False``) or untested (``None``) per panel entry.

    Keys are the genes of both classifiers plus ``"CDKN2A/B"`` and ``"PAR1"``. ``CDKN2A/B`` is
    deleted if either gene is, and counts as tested when one of them was tested. A lesion
    ``IKZF1-del`` marks IKZF1 as deleted; ``P2RY8::CRLF2`` marks PAR1 as deleted.
    """
    cn = {k.upper(): v for k, v in copy_number.items()}
    status = {g: _gene(cn, g) for g in ("IKZF1", "CDKN2A", "CDKN2B", "PAX5", "ERG", "ETV6", "BTG1")}
    status |= {g: _gene(cn, g) for g in ("EBF1", "RB1")}
    if "IKZF1-del" in lesions:
        status["IKZF1"] = True
    status["CDKN2A/B"] = _any_of([status["CDKN2A"], status["CDKN2B"]])
    par1 = _any_of([_gene(cn, g) for g in PAR1_GENES])
    status["PAR1"] = True if "P2RY8::CRLF2" in lesions else par1
    return status


def ikzf1plus(copy_number: Mapping[str, CopyNumber], lesions: Collection[str] = ()) -> bool | None:
    """IKZF1plus status.

    IKZF1 deletion co-occurring with a deletion of CDKN2A, CDKN2B, PAX5 or PAR1, in the absence
    of an ERG deletion [V: Stanulla M et al., J Clin Oncol 2018;36(12):1240-9]
    [sources: stanulla2018].
    [R] The paper counts CDKN2A/B only when the deletion is homozygous; ``CopyNumber`` carries
    no zygosity, so any CDKN2A/B deletion counts here.

    Returns
    -------
    bool or None
        ``None`` when IKZF1, or a gene that could change the answer, was not tested.
    """
    s = deletion_status(copy_number, lesions)
    if s["IKZF1"] is not True:
        return s["IKZF1"]  # False (not deleted) or None (untested)
    if s["ERG"] is True:
        return False
    partners = _any_of([s["CDKN2A"], s["CDKN2B"], s["PAX5"], s["PAR1"]])
    if partners is True:
        return True if s["ERG"] is False else None
    if partners is False and all(s[g] is not None for g in ("CDKN2A", "CDKN2B", "PAX5", "PAR1")):
        return False
    return None


def _cna_good(deleted: frozenset[str]) -> bool:
    """Moorman 2014 good-risk CNA profile [V] [sources: moorman2014]."""
    if not deleted:
        return True  # normal copy number of all 8 genes
    if len(deleted) == 1:
        return deleted <= _GOOD_ISOLATED  # isolated ETV6, PAX5 or BTG1 deletion
    return len(deleted) == 2 and "ETV6" in deleted and (deleted - {"ETV6"}) <= _GOOD_WITH_ETV6


def ukall_cna(
    copy_number: Mapping[str, CopyNumber], lesions: Collection[str] = ()
) -> UKALLCNA | None:
    """UKALL-CNA profile (copy-number part only, without the cytogenetic overrides).

    Good: no deletion of the 8 panel genes; an isolated deletion of ETV6, PAX5 or BTG1; or an
    ETV6 deletion plus one deletion of BTG1, PAX5 or CDKN2A/B. Poor: every other profile,
    including any IKZF1 deletion [V: Moorman AV et al., Blood 2014;124(9):1434-44].

    Returns
    -------
    {"good", "poor"} or None
        ``None`` when no panel gene was tested, or when untested genes could change the answer.
    """
    s = deletion_status(copy_number, lesions)
    known = {g for g in UKALL_CNA_PANEL if s[g] is not None}
    if not known:
        return None
    deleted = frozenset(g for g in known if s[g])
    unknown = [g for g in UKALL_CNA_PANEL if s[g] is None]
    outcomes = set()
    for combo in product((False, True), repeat=len(unknown)):
        extra = {g for g, d in zip(unknown, combo, strict=True) if d}
        outcomes.add(_cna_good(deleted | extra))
    if len(outcomes) > 1:
        return None
    return "good" if outcomes.pop() else "poor"


__all__ = ["PAR1_GENES", "UKALL_CNA_PANEL", "deletion_status", "ikzf1plus", "ukall_cna"]
