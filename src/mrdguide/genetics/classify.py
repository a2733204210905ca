"""One entry point: :func:`classify` turns a :class:`GeneticProfile` into every genetic label.

Protocol rule files read the fields of :class:`GeneticClassification` by name (for example
``genetics.uk_tier``, ``genetics.ploidy_class``, ``genetics.ikzf1plus``) and test lesion
membership in ``genetics.lesions``. Those names are public interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mrdguide.domain import KNOWN_LESIONS, CopyNumber, GeneticProfile
from mrdguide.genetics.cna import UKALLCNA, ikzf1plus, ukall_cna
from mrdguide.genetics.karyotype import Karyotype, parse_karyotype
from mrdguide.genetics.ploidy import DEFAULT_BOUNDARIES, PloidyBoundaries, PloidyClass, ploidy_class
from mrdguide.genetics.subtypes import assign_subtypes
from mrdguide.genetics.tiers import (
    HIGH_RISK_LESIONS,
    COGTier,
    GeneticFacts,
    HeHProfile,
    StJudeTier,
    UKTier,
    canonical,
    cog_tier,
    stjude_tier,
    uk_tier,
    ukall_heh,
)

UKIntegrated = Literal["good", "poor"]

IKZF1PLUS_R_NOTE = (
    "ikzf1plus: [R] Stanulla 2018 counts only homozygous CDKN2A/B deletions; zygosity not modelled"
)

#: Largest tolerated gap between the DNA index and modal number / 46 before a note is added.
DNA_INDEX_TOLERANCE = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneticClassification:
    """Every genetic label of one case. Build it with :func:`classify`.

    Attributes
    ----------
    lesions : tuple of str
        Effective lesions: the profile's lesions plus those derived from the karyotype.
    modal_chromosome_number : int or None
    ploidy_class : str or None
    who_subtype, icc_subtype : str or None
        WHO-HAEM5 and ICC 2022 labels ([R] names, see :mod:`mrdguide.genetics.subtypes`).
    uk_tier : {"good", "intermediate", "high"} or None
    cog_tier : {"favourable", "neutral", "unfavourable"} or None
    stjude_tier : {"low", "standard", "high"} or None
    ikzf1plus : bool or None
    ukall_cna : {"good", "poor"} or None
        Moorman 2014 copy-number profile alone.
    ukall_integrated : {"good", "poor"} or None
        Moorman 2014 integrated profile: good-risk cytogenetics -> good, high-risk -> poor,
        intermediate cytogenetics -> ``ukall_cna``.
    ukall_heh : {"good", "poor"} or None
        UKALL-HeH profile for high hyperdiploid cases ([R] rule).
    trisomies : tuple of int
    dna_index : float or None
    down_syndrome : bool or None
    high_risk_lesions : tuple of str
    unknown_lesions : tuple of str
        Lesions outside :data:`mrdguide.domain.KNOWN_LESIONS`.
    karyotype : Karyotype or None
    notes : tuple of str
        Caveats: [R] rules used, conflicts, unknown lesions, untested genes.
    """

    lesions: tuple[str, ...]
    modal_chromosome_number: int | None
    ploidy_class: PloidyClass | None
    who_subtype: str | None
    icc_subtype: str | None
    uk_tier: UKTier | None
    cog_tier: COGTier | None
    stjude_tier: StJudeTier | None
    ikzf1plus: bool | None
    ukall_cna: UKALLCNA | None
    ukall_integrated: UKIntegrated | None
    ukall_heh: HeHProfile | None
    trisomies: tuple[int, ...]
    dna_index: float | None
    down_syndrome: bool | None
    high_risk_lesions: tuple[str, ...]
    unknown_lesions: tuple[str, ...]
    karyotype: Karyotype | None
    notes: tuple[str, ...]

    def has(self, lesion: str) -> bool:
        """Whether ``lesion`` is present (``KMT2A-r`` also matches any ``KMT2A::X`` fusion)."""
        if lesion == "KMT2A-r":
            return any(canonical(x) == "KMT2A-r" for x in self.lesions)
        return lesion in self.lesions

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; ``karyotype`` is the parsed karyotype's dict or ``None``."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        out["karyotype"] = None if self.karyotype is None else self.karyotype.to_dict()
        return out


def classify(
    profile: GeneticProfile,
    *,
    immunophenotype: str | None = None,
    down_syndrome: bool | None = None,
    boundaries: PloidyBoundaries = DEFAULT_BOUNDARIES,
) -> GeneticClassification:
    """Classify a genetic profile under WHO-HAEM5, ICC 2022, UK, COG and St Jude conventions.

    Parameters
    ----------
    profile : GeneticProfile
        Lesions, modal number, DNA index, karyotype, copy number and trisomies.
    immunophenotype : {"B", "T"} or None, optional
        ``None`` assumes B-ALL (with a note when genetics are present).
    down_syndrome : bool or None, optional
        Clinical Down syndrome status; a constitutional ``+21c`` in the karyotype also sets it.
    boundaries : PloidyBoundaries, optional
        Ploidy class boundaries (see :mod:`mrdguide.genetics.ploidy`).

    Returns
    -------
    GeneticClassification

    Raises
    ------
    KaryotypeError
        When ``profile.karyotype`` is malformed.
    """
    notes: list[str] = []
    kt = parse_karyotype(profile.karyotype, boundaries=boundaries) if profile.karyotype else None
    if kt is not None:
        notes.extend(f"karyotype: {n}" for n in kt.notes)
    lesions = tuple(dict.fromkeys((*profile.lesions, *(kt.lesions if kt else ()))))
    facts = _facts(profile, kt, lesions, immunophenotype, boundaries, notes)
    modal, pclass, trisomies = facts.modal_chromosome_number, facts.ploidy_class, facts.trisomies
    copy_number = _copy_number(profile, kt, notes)
    notes.extend(_context_notes(facts, profile, kt, immunophenotype))
    ds = _down_syndrome(down_syndrome, kt, notes)
    who, icc, sub_notes = assign_subtypes(lesions, pclass, immunophenotype=immunophenotype)
    uk, uk_notes = uk_tier(facts)
    cog, cog_notes = cog_tier(facts)
    sj, sj_notes = stjude_tier(facts)
    heh, heh_notes = ukall_heh(facts)
    notes.extend((*uk_notes, *cog_notes, *sj_notes, *heh_notes, *sub_notes))
    cna = ukall_cna(copy_number, lesions)
    plus = ikzf1plus(copy_number, lesions)
    if plus:
        notes.append(IKZF1PLUS_R_NOTE)
    return GeneticClassification(
        lesions=lesions,
        modal_chromosome_number=modal,
        ploidy_class=pclass,
        who_subtype=who,
        icc_subtype=icc,
        uk_tier=uk,
        cog_tier=cog,
        stjude_tier=sj,
        ikzf1plus=plus,
        ukall_cna=cna,
        ukall_integrated=_integrated(uk, cna),
        ukall_heh=heh,
        trisomies=tuple(sorted(trisomies)),
        dna_index=profile.dna_index,
        down_syndrome=ds,
        high_risk_lesions=tuple(x for x in lesions if canonical(x) in HIGH_RISK_LESIONS),
        unknown_lesions=_unknown(lesions),
        karyotype=kt,
        notes=tuple(dict.fromkeys(notes)),
    )


def _facts(
    profile: GeneticProfile,
    kt: Karyotype | None,
    lesions: tuple[str, ...],
    immunophenotype: str | None,
    boundaries: PloidyBoundaries,
    notes: list[str],
) -> GeneticFacts:
    """Effective modal number, ploidy class and trisomies for the tier functions."""
    modal = _modal(profile, kt, notes)
    trisomies = frozenset(profile.trisomies) | frozenset(kt.trisomies if kt else ())
    return GeneticFacts(
        lesions=frozenset(lesions),
        modal_chromosome_number=modal,
        ploidy_class=ploidy_class(modal, boundaries) if modal is not None else None,
        trisomies=trisomies,
        dna_index=profile.dna_index,
        immunophenotype=immunophenotype,
        cytogenetics_tested=bool(lesions or modal is not None or trisomies or kt),
        trisomies_known=bool(trisomies or kt),
    )


def _modal(profile: GeneticProfile, kt: Karyotype | None, notes: list[str]) -> int | None:
    """The profile's modal number wins over the karyotype's; a disagreement is noted."""
    given = profile.modal_chromosome_number
    if kt is None:
        return given
    if given is not None and given != kt.modal_chromosome_number:
        notes.append(
            f"conflict: modal_chromosome_number {given} differs from the karyotype's "
            f"{kt.modal_chromosome_number}; {given} used"
        )
        return given
    return kt.modal_chromosome_number


def _copy_number(
    profile: GeneticProfile, kt: Karyotype | None, notes: list[str]
) -> dict[str, CopyNumber]:
    """Tested copy number, completed by deletions the karyotype implies for untested genes."""
    cn = dict(profile.copy_number)
    for gene in kt.implied_deletions if kt else ():
        if gene not in cn:
            cn[gene] = CopyNumber.DELETED
            notes.append(f"copy number: {gene} deletion inferred from the karyotype (not tested)")
    return cn


def _context_notes(
    f: GeneticFacts, profile: GeneticProfile, kt: Karyotype | None, immunophenotype: str | None
) -> list[str]:
    """Caveats: modal number below 24, DNA index conflict, assumed B lineage."""
    notes: list[str] = []
    m, di = f.modal_chromosome_number, profile.dna_index
    if m is not None and m < 24:
        notes.append(f"modal number {m} is below the near-haploid range (24-30)")
    if m is not None and di is not None and abs(di - m / 46) > DNA_INDEX_TOLERANCE:
        notes.append(
            f"conflict: DNA index {di} does not match modal number {m} (expected about "
            f"{m / 46:.2f}); masked hypodiploidy or a second clone?"
        )
    if immunophenotype is None and f.cytogenetics_tested:
        notes.append("immunophenotype not given: B-ALL assumed for subtypes and tiers")
    if kt is not None and kt.doubled_hypodiploid and profile.modal_chromosome_number is None:
        notes.append("masked hypodiploidy: the hypodiploid modal number is used for all tiers")
    return notes


def _down_syndrome(given: bool | None, kt: Karyotype | None, notes: list[str]) -> bool | None:
    """Down syndrome from the argument or a constitutional +21; conflicts are noted."""
    from_karyotype = kt is not None and kt.down_syndrome
    if given is False and from_karyotype:
        notes.append("conflict: down_syndrome=False but the karyotype shows +21c; True used")
    if from_karyotype or given:
        notes.append("Down syndrome: protocols treat DS-ALL on separate arms or modified therapy")
        return True
    return given


def _integrated(uk: UKTier | None, cna: UKALLCNA | None) -> UKIntegrated | None:
    """Moorman 2014 integrated genetic profile [V; R for the HR override] [sources: moorman2014]."""
    if uk == "good":
        return "good"
    if uk == "high":
        return "poor"
    return cna if uk == "intermediate" else None


def _unknown(lesions: tuple[str, ...]) -> tuple[str, ...]:
    """Lesions outside KNOWN_LESIONS (KMT2A fusions count as known)."""
    return tuple(x for x in lesions if x not in KNOWN_LESIONS and canonical(x) != "KMT2A-r")


__all__ = ["GeneticClassification", "classify"]
