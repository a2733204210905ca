"""Genetic risk tiers of the UK, COG and St Jude protocol families, and the UKALL-HeH profile.

Every function takes a :class:`GeneticFacts` (the effective lesions, ploidy and trisomies built
by :func:`mrdguide.genetics.classify`) and returns ``(tier, notes)``. A tier is ``None`` when the
relevant genetics were not tested. Adverse features always take precedence over favourable
ones, so adding an adverse lesion never improves a tier.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from mrdguide.genetics.ploidy import PloidyClass

UKTier = Literal["good", "intermediate", "high"]
COGTier = Literal["favourable", "neutral", "unfavourable"]
StJudeTier = Literal["low", "standard", "high"]
HeHProfile = Literal["good", "poor"]

#: UK high-risk cytogenetics: KMT2A-r, near-haploidy, low hypodiploidy, iAMP21, TCF3::HLF
#: [R: UKALL2003/2011 convention, consistent with Moorman 2014]
#: [sources: moorman2014; hamadeh2019].
#: BCR::ABL1 is added here [R]: UK trials treat Ph+ ALL on separate protocols.
UK_HIGH_LESIONS: frozenset[str] = frozenset({"KMT2A-r", "iAMP21", "TCF3::HLF", "BCR::ABL1"})
UK_HIGH_PLOIDY: frozenset[str] = frozenset({"near_haploid", "low_hypodiploid"})
#: UK good-risk cytogenetics: ETV6::RUNX1 and high hyperdiploidy [R] [sources: moorman2014].
UK_GOOD_LESIONS: frozenset[str] = frozenset({"ETV6::RUNX1"})

#: COG unfavourable: KMT2A-r, iAMP21, hypodiploidy (<44 chromosomes or DNA index <0.81)
#: [R: AALL08B1 / NCI PDQ] [sources: nci-pdq]; BCR::ABL1 [R]: Ph+ ALL goes to separate trials.
COG_UNFAVOURABLE_LESIONS: frozenset[str] = frozenset({"KMT2A-r", "iAMP21", "BCR::ABL1"})
COG_HYPODIPLOID_BELOW = 44
COG_HYPODIPLOID_DI_BELOW = 0.81
#: COG favourable: ETV6::RUNX1 or simultaneous trisomies of 4 and 10 [R] [sources: nci-pdq].
COG_FAVOURABLE_LESIONS: frozenset[str] = frozenset({"ETV6::RUNX1"})
COG_FAVOURABLE_TRISOMIES: frozenset[int] = frozenset({4, 10})

#: St Jude Total XV/XVI provisional risk, genetic part [V: Blood 2024 SJ legend; AACR 2021
#: CT146]: HR = BCR::ABL1; LR = ETV6::RUNX1 or DNA index >= 1.16; SR = everything else,
#: explicitly including TCF3::PBX1 and hypodiploidy (<44 chromosomes).
STJUDE_HIGH_LESIONS: frozenset[str] = frozenset({"BCR::ABL1"})
STJUDE_LOW_LESIONS: frozenset[str] = frozenset({"ETV6::RUNX1"})
STJUDE_LOW_DNA_INDEX = 1.16
STJUDE_HYPODIPLOID_BELOW = 44
#: Features that keep a case out of provisional LR even with an LR feature [V for TCF3::PBX1
#: and hypodiploidy; R for KMT2A-r, iAMP21 and TCF3::HLF, added so adverse never improves].
STJUDE_BLOCK_LOW_LESIONS: frozenset[str] = frozenset(
    {"TCF3::PBX1", "KMT2A-r", "iAMP21", "TCF3::HLF", "BCR::ABL1"}
)

UK_R_NOTE = (
    "uk_tier: UK cytogenetic risk groups are [R] [sources: moorman2014], not protocol-checked"
)
COG_R_NOTE = "cog_tier: COG favourable/unfavourable lists are [R] [sources: nci-pdq]"

#: Lesions reported in ``high_risk_lesions`` (adverse in at least one family above).
HIGH_RISK_LESIONS: frozenset[str] = frozenset(
    {"BCR::ABL1", "KMT2A-r", "iAMP21", "TCF3::HLF", "hypodiploidy"}
)


def canonical(lesion: str) -> str:
    """``KMT2A::AFF1`` and other KMT2A fusions count as ``KMT2A-r``; others are unchanged."""
    return "KMT2A-r" if lesion.startswith("KMT2A::") else lesion


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneticFacts:
    """The effective genetic facts the tier functions read."""

    lesions: frozenset[str]
    modal_chromosome_number: int | None = None
    ploidy_class: PloidyClass | None = None
    trisomies: frozenset[int] = frozenset()
    dna_index: float | None = None
    immunophenotype: str | None = None
    cytogenetics_tested: bool = False
    trisomies_known: bool = False

    @property
    def canonical_lesions(self) -> frozenset[str]:
        """Lesions with KMT2A fusions folded into ``KMT2A-r``."""
        return frozenset(canonical(x) for x in self.lesions)

    @property
    def is_t_cell(self) -> bool:
        """Whether the immunophenotype is T."""
        return (self.immunophenotype or "").upper() == "T"

    @property
    def high_hyperdiploid(self) -> bool:
        """High hyperdiploidy by modal number, or the ``hyperdiploidy`` lesion."""
        return self.ploidy_class == "high_hyperdiploid" or "hyperdiploidy" in self.lesions

    def hypodiploid_below(self, cut: int, di_cut: float | None = None) -> bool:
        """Modal number below ``cut``, DNA index below ``di_cut``, or the lesion."""
        m, di = self.modal_chromosome_number, self.dna_index
        by_di = di_cut is not None and di is not None and di < di_cut
        return "hypodiploidy" in self.lesions or (m is not None and m < cut) or by_di


def _hits(lesions: Collection[str], table: frozenset[str]) -> list[str]:
    """The lesions that are in ``table``, sorted."""
    return sorted(x for x in lesions if x in table)


def uk_tier(f: GeneticFacts) -> tuple[UKTier | None, tuple[str, ...]]:
    """UK cytogenetic risk group: ``good`` / ``intermediate`` / ``high`` [R, see constants]."""
    if f.is_t_cell:
        return None, ("uk_tier: UK cytogenetic risk groups apply to B-ALL; T-ALL not tiered",)
    if not f.cytogenetics_tested:
        return None, ()
    lesions = f.canonical_lesions
    notes = [UK_R_NOTE]
    high = _hits(lesions, UK_HIGH_LESIONS)
    if high or f.ploidy_class in UK_HIGH_PLOIDY or "hypodiploidy" in lesions:
        if "BCR::ABL1" in high:
            notes.append("uk_tier: BCR::ABL1 tiered high [R]; UK treats Ph+ ALL separately")
        return "high", tuple(notes)
    if _hits(lesions, UK_GOOD_LESIONS) or f.high_hyperdiploid:
        return "good", tuple(notes)
    return "intermediate", tuple(notes)


def cog_tier(f: GeneticFacts) -> tuple[COGTier | None, tuple[str, ...]]:
    """COG (AALL08B1-era) genetic category for B-ALL [R, see constants]."""
    if f.is_t_cell:
        return None, ("cog_tier: the COG genetic categories apply to B-ALL only",)
    if not (f.cytogenetics_tested or f.dna_index is not None):
        return None, ()
    lesions = f.canonical_lesions
    notes = [COG_R_NOTE]
    bad = _hits(lesions, COG_UNFAVOURABLE_LESIONS)
    if bad or f.hypodiploid_below(COG_HYPODIPLOID_BELOW, COG_HYPODIPLOID_DI_BELOW):
        if "BCR::ABL1" in bad:
            notes.append("cog_tier: BCR::ABL1 tiered unfavourable [R]; COG treats Ph+ separately")
        return "unfavourable", tuple(notes)
    if _hits(lesions, COG_FAVOURABLE_LESIONS) or f.trisomies >= COG_FAVOURABLE_TRISOMIES:
        return "favourable", tuple(notes)
    if f.high_hyperdiploid and not f.trisomies_known:
        notes.append("cog_tier: trisomies 4 and 10 unknown; favourable not assessable")
    return "neutral", tuple(notes)


def stjude_tier(f: GeneticFacts) -> tuple[StJudeTier | None, tuple[str, ...]]:
    """St Jude Total XV/XVI provisional genetic risk [V/R, see constants]."""
    if f.is_t_cell:
        return "standard", ("stjude_tier: T-ALL is provisional standard risk (Total XVI) [V]",)
    if not (f.cytogenetics_tested or f.dna_index is not None):
        return None, ()
    lesions = f.canonical_lesions
    notes: list[str] = []
    if "KMT2A-r" in lesions:
        notes.append("stjude_tier: KMT2A-r is high risk in infants only (Total XVI); age not used")
    if _hits(lesions, STJUDE_HIGH_LESIONS):
        return "high", tuple(notes)
    blocked = _hits(lesions, STJUDE_BLOCK_LOW_LESIONS) or f.hypodiploid_below(
        STJUDE_HYPODIPLOID_BELOW
    )
    if set(_hits(lesions, STJUDE_BLOCK_LOW_LESIONS)) & {"KMT2A-r", "iAMP21", "TCF3::HLF"}:
        notes.append("stjude_tier: KMT2A-r / iAMP21 / TCF3::HLF exclude low risk [R]")
    di = f.dna_index
    low_di = di is not None and di >= STJUDE_LOW_DNA_INDEX
    low_mcn = di is None and f.high_hyperdiploid
    if not blocked and (_hits(lesions, STJUDE_LOW_LESIONS) or low_di or low_mcn):
        if low_mcn and not _hits(lesions, STJUDE_LOW_LESIONS):
            notes.append("stjude_tier: DNA index unknown; modal number >= 51 used as proxy [R]")
        return "low", tuple(notes)
    return "standard", tuple(notes)


def ukall_heh(f: GeneticFacts) -> tuple[HeHProfile | None, tuple[str, ...]]:
    """UKALL-HeH risk profile for high hyperdiploid ALL.

    [R, unverified] Good risk = trisomy 17 and/or 18, unless trisomies 5 *and* 20 are both
    present; every other high hyperdiploid case is poor risk. The profile is based on
    chromosomes 5, 17, 18 and 20 [V: Enshaei A et al., Lancet Haematol 2021;8:e828-39; HARMONY
    letter, Leukemia 2023], but the exact Boolean rule was not checked against the paper.
    """
    if not f.high_hyperdiploid or f.is_t_cell:
        return None, ()
    if not f.trisomies_known:
        return None, ("ukall_heh: trisomy pattern unknown",)
    t = f.trisomies
    good = bool({17, 18} & t) and not {5, 20} <= t
    note = "ukall_heh: rule '+17 and/or +18 without both +5 and +20' is [R], unverified"
    return ("good" if good else "poor"), (note,)


__all__ = [
    "COGTier",
    "GeneticFacts",
    "HeHProfile",
    "StJudeTier",
    "UKTier",
    "cog_tier",
    "stjude_tier",
    "uk_tier",
    "ukall_heh",
]
