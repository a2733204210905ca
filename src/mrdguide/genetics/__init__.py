"""Pure genetics core: ISCN karyotypes, ploidy, WHO-HAEM5/ICC subtypes, risk tiers, CNA profiles.

The main entry points are :func:`parse_karyotype` and :func:`classify`.
"""

from mrdguide.errors import KaryotypeError
from mrdguide.genetics.classify import GeneticClassification, classify
from mrdguide.genetics.cna import deletion_status, ikzf1plus, ukall_cna
from mrdguide.genetics.karyotype import Clone, Karyotype, parse_karyotype
from mrdguide.genetics.ploidy import (
    DEFAULT_BOUNDARIES,
    PLOIDY_CLASSES,
    PloidyBoundaries,
    PloidyClass,
    ploidy_class,
)
from mrdguide.genetics.subtypes import assign_subtypes
from mrdguide.genetics.tiers import GeneticFacts, cog_tier, stjude_tier, uk_tier, ukall_heh

#: Alias following the design document's verb naming (``classify_genetics``).
classify_genetics = classify

__all__ = [
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
