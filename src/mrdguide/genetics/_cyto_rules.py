"""From karyotype abnormalities to lesions (WHO-HAEM5 fusion notation) and implied deletions.

Breakpoints are matched by band *prefix*: a rule band ``"q22"`` matches ``q22``, ``q22.1`` and
``q22.12``. Gene locations are the standard cytobands (GRCh38) of each gene [R: recalled from
the genome browsers, not re-checked here]. Fusion partners are from the WHO-HAEM5 (Alaggio R et
al., Leukemia 2022;36:1720-48) and ICC 2022 (Arber DA et al., Blood 2022;140:1200-28) B-ALL
chapters, which name the defining translocations [R: entity list recalled]
[sources: alaggio2022; arber2022].
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations, product

from mrdguide.genetics._iscn_tokens import Abnormality, split_bands

Locus = tuple[str, str]  # (chromosome, band prefix)

#: Pairs of breakpoints and the lesion they define (non-KMT2A).
#: Each entry cites the karyotypic form used by WHO-HAEM5 / ICC 2022 [R].
FUSION_RULES: tuple[tuple[Locus, Locus, str], ...] = (
    (("12", "p13"), ("21", "q22"), "ETV6::RUNX1"),  # t(12;21)(p13.2;q22.1)
    (("9", "q34"), ("22", "q11"), "BCR::ABL1"),  # t(9;22)(q34.1;q11.2), Philadelphia
    (("1", "q23"), ("19", "p13"), "TCF3::PBX1"),  # t(1;19)(q23.3;p13.3), incl. der(19)
    (("17", "q22"), ("19", "p13"), "TCF3::HLF"),  # t(17;19)(q22;p13.3)
    (("5", "q31"), ("14", "q32"), "IGH::IL3"),  # t(5;14)(q31.1;q32.3)
    (("8", "q24"), ("14", "q32"), "IGH::MYC"),  # t(8;14)(q24.2;q32.3)
    (("X", "p22"), ("14", "q32"), "IGH::CRLF2"),  # t(X;14)(p22.3;q32.3), PAR1
    (("Y", "p11"), ("14", "q32"), "IGH::CRLF2"),  # t(Y;14)(p11.3;q32.3), PAR1
    (("14", "q32"), ("19", "q13"), "IGH::CEBP"),  # t(14;19)(q32;q13), IGH::CEBPA
    (("12", "p13"), ("19", "p13"), "ZNF384-r"),  # t(12;19)(p13.3;p13.3), TCF3::ZNF384
    (("12", "p13"), ("17", "q21"), "ZNF384-r"),  # t(12;17)(p13;q21), TAF15::ZNF384
    (("12", "p13"), ("22", "q12"), "ZNF384-r"),  # t(12;22)(p13;q12), EWSR1::ZNF384
)

#: KMT2A (11q23.3) partners by band; longest prefix wins. KMT2A::AFF1 t(4;11)(q21;q23),
#: KMT2A::MLLT1 t(11;19)(q23;p13.3), KMT2A::ELL t(11;19)(q23;p13.1), KMT2A::MLLT3
#: t(9;11)(p21~22;q23), KMT2A::MLLT10 t(10;11)(p12;q23), KMT2A::AFDN t(6;11)(q27;q23),
#: KMT2A::EPS15 t(1;11)(p32;q23), KMT2A::MLLT6 t(11;17)(q23;q21), KMT2A::MLLT11
#: t(1;11)(q21;q23) [R: partner bands recalled from the Meyer et al. KMT2A recombinome
#: papers (Leukemia 2018/2023)]. An unlisted or imprecise partner gives ``KMT2A-r``.
KMT2A_PARTNERS: tuple[tuple[Locus, str], ...] = (
    (("4", "q21"), "KMT2A::AFF1"),
    (("19", "p13.3"), "KMT2A::MLLT1"),
    (("19", "p13.1"), "KMT2A::ELL"),
    (("9", "p21"), "KMT2A::MLLT3"),
    (("9", "p22"), "KMT2A::MLLT3"),
    (("10", "p12"), "KMT2A::MLLT10"),
    (("6", "q27"), "KMT2A::AFDN"),
    (("1", "p32"), "KMT2A::EPS15"),
    (("17", "q21"), "KMT2A::MLLT6"),
    (("1", "q21"), "KMT2A::MLLT11"),
)

KMT2A_LOCUS: Locus = ("11", "q23")

#: Kinds whose chromosome/band pairs join two loci (fusion candidates).
_JOINING_KINDS = frozenset({"t", "ins", "dic"})

#: Gene -> (chromosome, band) for the genes of the IKZF1plus and UKALL-CNA panels [R, GRCh38].
GENE_LOCI: dict[str, tuple[str, str]] = {
    "IKZF1": ("7", "p12.2"),
    "CDKN2A": ("9", "p21.3"),
    "CDKN2B": ("9", "p21.3"),
    "PAX5": ("9", "p13.2"),
    "ETV6": ("12", "p13.2"),
    "BTG1": ("12", "q21.33"),
    "EBF1": ("5", "q33.3"),
    "RB1": ("13", "q14.2"),
    "ERG": ("21", "q22.2"),
}


def _matches(locus: Locus, chrom: str, band: str) -> bool:
    """Whether (chrom, band) lies in ``locus`` (band prefix match)."""
    return locus[0] == chrom and band.startswith(locus[1])


def _breakpoints(ab: Abnormality) -> list[list[tuple[str, str]]]:
    """Per chromosome of a joining rearrangement, its (chromosome, band) breakpoints."""
    out: list[list[tuple[str, str]]] = []
    for chrom, seg in zip(ab.chromosomes, ab.bands, strict=False):
        bands = split_bands(seg)
        if bands:
            out.append([(chrom, b) for b in bands])
    return out


def _pair_lesions(a: tuple[str, str], b: tuple[str, str]) -> tuple[str | None, str | None]:
    """Lesion from one pair of breakpoints, plus a note when the KMT2A partner is imprecise."""
    for x, y in ((a, b), (b, a)):
        if _matches(KMT2A_LOCUS, *x):
            return _kmt2a_partner(y)
        for l1, l2, lesion in FUSION_RULES:
            if _matches(l1, *x) and _matches(l2, *y):
                return lesion, None
    return None, None


def _kmt2a_partner(partner: tuple[str, str]) -> tuple[str, str | None]:
    """KMT2A fusion for a partner breakpoint, with a note when ambiguous."""
    chrom, band = partner
    hits = [(len(loc[1]), name) for loc, name in KMT2A_PARTNERS if _matches(loc, chrom, band)]
    if hits:
        return max(hits)[1], None
    near = [name for loc, name in KMT2A_PARTNERS if loc[0] == chrom and loc[1].startswith(band)]
    if near:
        note = f"11q23 partner {chrom}{band} is ambiguous ({', '.join(sorted(set(near)))})"
        return "KMT2A-r", note + "; reported as KMT2A-r"
    return "KMT2A-r", None


def _joined_lesions(ab: Abnormality, lesions: dict[str, None], notes: dict[str, None]) -> None:
    """Add the lesions of one joining rearrangement (t, ins, dic) to ``lesions``."""
    points = _breakpoints(ab)
    if len(points) > 2 and any(_matches(KMT2A_LOCUS, *x) for p in points for x in p):
        lesions["KMT2A-r"] = None
        notes[f"complex rearrangement {ab.text}: KMT2A partner not inferred"] = None
        return
    for first, second in combinations(points, 2):
        for a, b in product(first, second):
            lesion, note = _pair_lesions(a, b)
            if note:
                notes[note] = None
            if lesion:
                lesions[lesion] = None
                break


def _possible_kmt2a(ab: Abnormality) -> bool:
    """A non-joining change with an 11q23 breakpoint (``add(11)(q23)``, ``inv(11)``)."""
    return ab.kind in {"add", "inv", "der", "i", "dup"} and any(
        chrom == "11" and any(b.startswith("q23") for b in split_bands(seg))
        for chrom, seg in zip(ab.chromosomes, ab.bands, strict=False)
    )


def lesions_from(abnormalities: Iterable[Abnormality]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lesions defined by the structural abnormalities, and notes on ambiguous ones.

    Returns
    -------
    tuple
        ``(lesions, notes)``, both de-duplicated in order of first appearance.
    """
    lesions: dict[str, None] = {}
    notes: dict[str, None] = {}
    for top in abnormalities:
        for ab in top.rearrangements():
            if ab.kind == "iamp" and "21" in ab.chromosomes:
                lesions["iAMP21"] = None  # iAMP21: WHO-HAEM5 / ICC entity [R]
            elif ab.kind in _JOINING_KINDS:
                _joined_lesions(ab, lesions, notes)
            elif _possible_kmt2a(ab):
                notes[f"{ab.text}: 11q23 involved, KMT2A rearrangement possible (confirm)"] = None
    return tuple(lesions), tuple(notes)


def _position(band: str, precision: str | None = None) -> float | None:
    """Distance code of a band from the centromere (``"p21.3"`` -> 21.3; ``pter`` -> inf).

    With ``precision`` (another band), the band is truncated to that band's written precision,
    so that ``p21.3`` lies *in* breakpoint ``p21``.
    """
    if band in {"pter", "qter"}:
        return float("inf")
    if band == "cen" or len(band) < 2:
        return None
    text = band[1:]
    if precision is not None and precision not in {"pter", "qter"}:
        text = text[: max(1, len(precision) - 1)].rstrip(".")
    return float(text)


def _covers(gene_band: str, lo: str, hi: str | None) -> bool:
    """Whether the lost segment from ``lo`` to ``hi`` (``None``: telomere) holds ``gene_band``."""
    hi_band = hi if hi is not None else f"{lo[0]}ter"
    if gene_band[0] != lo[0] or hi_band[0] != lo[0]:
        return False
    a, b = _position(lo), _position(hi_band)
    if a is None or b is None:
        return False
    (low, low_band), (high, high_band) = sorted(((a, lo), (b, hi_band)))
    g_low, g_high = _position(gene_band, low_band), _position(gene_band, high_band)
    if g_low is None or g_high is None:
        return False
    return low <= g_low and g_high <= high


def _lost_segments(ab: Abnormality) -> list[tuple[str, str, str | None]]:
    """(chromosome, from band, to band or None for terminal) lost by del/dic/i [R: ISCN]."""
    out: list[tuple[str, str, str | None]] = []
    if ab.sign == "+" or not ab.bands:
        return out
    if ab.kind == "del":
        bands = split_bands(ab.bands[0])
        if bands:
            out.append((ab.chromosomes[0], bands[0], bands[1] if len(bands) > 1 else None))
    elif ab.kind == "dic":
        for chrom, seg in zip(ab.chromosomes, ab.bands, strict=False):
            bands = split_bands(seg)
            if bands:
                out.append((chrom, bands[0], None))
    elif ab.kind == "i":
        bands = split_bands(ab.bands[0])
        if bands in {("q10",), ("p10",)}:
            lost_arm = "p" if bands[0] == "q10" else "q"
            out.append((ab.chromosomes[0], f"{lost_arm}10", None))
    return out


def implied_deletions(abnormalities: Iterable[Abnormality]) -> tuple[str, ...]:
    """Panel genes whose locus lies in a segment lost by ``del``, ``dic`` or ``i`` [R].

    A karyotypic deletion is a *hint* (usually one copy); MLPA or arrays are authoritative.
    """
    genes: dict[str, None] = {}
    for top in abnormalities:
        for ab in top.rearrangements():
            for chrom, lo, hi in _lost_segments(ab):
                for gene, (gchrom, gband) in GENE_LOCI.items():
                    if gchrom == chrom and _covers(gband, lo, hi):
                        genes[gene] = None
    return tuple(genes)
