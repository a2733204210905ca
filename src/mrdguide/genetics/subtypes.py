"""WHO-HAEM5 and ICC 2022 B-ALL subtype labels from lesions and ploidy.

Sources: Alaggio R et al., Leukemia 2022;36:1720-48 (WHO-HAEM5 lymphoid); Arber DA et al.,
Blood 2022;140:1200-28 (ICC). The entity names below are [R]: recalled from those papers
[sources: alaggio2022; arber2022], not re-checked against their tables. Verify spelling and
provisional status before treating them as a controlled vocabulary.

When several defining lesions are present, the first row of :data:`SUBTYPE_TABLE` that matches
wins (fusions before ploidy, established before provisional entities), and a note lists the
others.
"""

from __future__ import annotations

from collections.abc import Collection

from mrdguide.genetics.tiers import canonical

_W = "B-lymphoblastic leukaemia/lymphoma"

#: (key, WHO-HAEM5 label, ICC 2022 label). A key is a lesion (KMT2A fusions are folded into
#: ``KMT2A-r``) or ``@`` + a ploidy class. Order is precedence.
SUBTYPE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("BCR::ABL1", f"{_W} with BCR::ABL1 fusion", "B-ALL with t(9;22)(q34.1;q11.2)/BCR::ABL1"),
    ("KMT2A-r", f"{_W} with KMT2A rearrangement", "B-ALL with t(v;11q23.3)/KMT2A rearranged"),
    (
        "ETV6::RUNX1",
        f"{_W} with ETV6::RUNX1 fusion",
        "B-ALL with t(12;21)(p13.2;q22.1)/ETV6::RUNX1",
    ),
    ("TCF3::PBX1", f"{_W} with TCF3::PBX1 fusion", "B-ALL with t(1;19)(q23.3;p13.3)/TCF3::PBX1"),
    ("TCF3::HLF", f"{_W} with TCF3::HLF fusion", "B-ALL with HLF rearrangement"),
    ("IGH::IL3", f"{_W} with IGH::IL3 fusion", "B-ALL with t(5;14)(q31.1;q32.3)/IL3::IGH"),
    ("@near_haploid", f"{_W} with hypodiploidy", "B-ALL, near haploid"),
    ("@low_hypodiploid", f"{_W} with hypodiploidy", "B-ALL, low hypodiploid"),
    ("hypodiploidy", f"{_W} with hypodiploidy", "B-ALL, low hypodiploid"),
    ("iAMP21", f"{_W} with iAMP21", "B-ALL with iAMP21"),
    ("@high_hyperdiploid", f"{_W} with high hyperdiploidy", "B-ALL, hyperdiploid"),
    ("hyperdiploidy", f"{_W} with high hyperdiploidy", "B-ALL, hyperdiploid"),
    (
        "ABL-class",
        f"{_W} with BCR::ABL1-like features",
        "B-ALL, BCR::ABL1-like, ABL-1 class rearranged",
    ),
    (
        "JAK-STAT",
        f"{_W} with BCR::ABL1-like features",
        "B-ALL, BCR::ABL1-like, JAK-STAT activated",
    ),
    ("BCR::ABL1-like", f"{_W} with BCR::ABL1-like features", "B-ALL, BCR::ABL1-like, NOS"),
    (
        "ETV6::RUNX1-like",
        f"{_W} with ETV6::RUNX1-like features",
        "Provisional entity: B-ALL, ETV6::RUNX1-like",
    ),
    ("DUX4-r", f"{_W} with other defined genetic abnormalities", "B-ALL with DUX4 rearrangement"),
    ("MEF2D-r", f"{_W} with other defined genetic abnormalities", "B-ALL with MEF2D rearrangement"),
    (
        "ZNF384-r",
        f"{_W} with other defined genetic abnormalities",
        "B-ALL with ZNF384(362) rearrangement",
    ),
    ("NUTM1-r", f"{_W} with other defined genetic abnormalities", "B-ALL with NUTM1 rearrangement"),
    ("IGH::MYC", f"{_W} with other defined genetic abnormalities", "B-ALL with MYC rearrangement"),
    (
        "PAX5::P80R",
        f"{_W} with other defined genetic abnormalities",
        "B-ALL with mutated PAX5 P80R",
    ),
    (
        "IKZF1::N159Y",
        f"{_W} with other defined genetic abnormalities",
        "B-ALL with mutated IKZF1 N159Y",
    ),
    (
        "PAX5alt",
        f"{_W} with other defined genetic abnormalities",
        "Provisional entity: B-ALL with PAX5 alteration",
    ),
    (
        "IGH::CEBP",
        f"{_W} with other defined genetic abnormalities",
        "Provisional entity: B-ALL with mutated ZEB2 (p.H1038R)/IGH::CEBPE",
    ),
)

SUBTYPE_R_NOTE = "subtype labels are [R]: verify against the WHO-HAEM5 and ICC 2022 tables"
WHO_NOS = f"{_W}, not otherwise specified"
ICC_NOS = "B-ALL, NOS"
#: T-lineage labels [R].
WHO_T = "T-lymphoblastic leukaemia/lymphoma"
ICC_T = "T-ALL"


def _keys(lesions: Collection[str], ploidy_class: str | None) -> set[str]:
    """Lookup keys: canonical lesions plus ``@`` + ploidy class."""
    keys = {canonical(x) for x in lesions}
    if ploidy_class is not None:
        keys.add(f"@{ploidy_class}")
    return keys


def assign_subtypes(
    lesions: Collection[str],
    ploidy_class: str | None,
    *,
    immunophenotype: str | None = None,
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """WHO-HAEM5 and ICC 2022 labels, plus notes.

    Parameters
    ----------
    lesions : collection of str
        Effective lesions (WHO-HAEM5 fusion notation).
    ploidy_class : str or None
        Ploidy class of the leukaemic clone.
    immunophenotype : {"B", "T"} or None
        ``None`` assumes B-ALL.

    Returns
    -------
    tuple
        ``(who_subtype, icc_subtype, notes)``; the labels are ``None`` when nothing was tested.
    """
    if (immunophenotype or "").upper() == "T":
        return WHO_T, ICC_T, ("T-ALL: genetic subtypes of T-ALL are not assigned",)
    if not lesions and ploidy_class is None:
        return None, None, ()
    keys = _keys(lesions, ploidy_class)
    matched = [row for row in SUBTYPE_TABLE if row[0] in keys]
    if not matched:
        return WHO_NOS, ICC_NOS, (SUBTYPE_R_NOTE,)
    notes: tuple[str, ...] = (SUBTYPE_R_NOTE,)
    others = sorted({row[0].lstrip("@") for row in matched[1:]} - {matched[0][0].lstrip("@")})
    if others:
        first = matched[0][0].lstrip("@")
        notes += (f"subtype: {first} takes precedence over {', '.join(others)}",)
    return matched[0][1], matched[0][2], notes


__all__ = ["ICC_NOS", "SUBTYPE_TABLE", "WHO_NOS", "assign_subtypes"]
