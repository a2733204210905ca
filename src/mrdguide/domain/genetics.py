"""Genetic profile of a leukaemia at diagnosis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mrdguide.domain.enums import CopyNumber
from mrdguide.errors import InputError

#: Lesion names use WHO-HAEM5 fusion notation. ``KMT2A-r`` is a KMT2A rearrangement whose
#: partner is unknown. Lesions outside this list are accepted but flagged by the classifiers.
KNOWN_LESIONS: frozenset[str] = frozenset(
    {
        "ETV6::RUNX1",
        "BCR::ABL1",
        "KMT2A::AFF1",
        "KMT2A::MLLT1",
        "KMT2A::MLLT3",
        "KMT2A::MLLT10",
        "KMT2A::ENL",
        "KMT2A::ELL",
        "KMT2A::AFDN",
        "KMT2A::EPS15",
        "KMT2A::MLLT6",
        "KMT2A::MLLT11",
        "KMT2A-r",
        "TCF3::PBX1",
        "TCF3::HLF",
        "iAMP21",
        "DUX4-r",
        "MEF2D-r",
        "ZNF384-r",
        "NUTM1-r",
        "PAX5alt",
        "PAX5::P80R",
        "IKZF1::N159Y",
        "ETV6::RUNX1-like",
        "BCR::ABL1-like",
        "CRLF2-r",
        "ABL-class",
        "JAK-STAT",
        "IGH::CRLF2",
        "P2RY8::CRLF2",
        "IGH::MYC",
        "IGH::CEBP",
        "IGH::IL3",
        "TP53",
        "IKZF1-del",
        "hyperdiploidy",
        "hypodiploidy",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneticProfile:
    """Lesions, ploidy and copy-number status at diagnosis.

    ``copy_number`` maps gene symbols (upper case) to :class:`CopyNumber`. It is stored as a
    read-only mapping.
    """

    lesions: tuple[str, ...] = ()
    modal_chromosome_number: int | None = None
    dna_index: float | None = None
    karyotype: str | None = None
    copy_number: Mapping[str, CopyNumber] = field(default_factory=dict)
    trisomies: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "lesions", tuple(self.lesions))
        object.__setattr__(self, "trisomies", tuple(sorted(set(self.trisomies))))
        cn = {str(k).upper(): CopyNumber(v) for k, v in dict(self.copy_number).items()}
        object.__setattr__(self, "copy_number", MappingProxyType(cn))
        m = self.modal_chromosome_number
        if m is not None and not 20 <= m <= 100:
            raise InputError(
                f"modal_chromosome_number must be in [20, 100]; got {m!r}.",
                field="genetics.modal_chromosome_number",
                value=m,
                rule="20 <= modal number <= 100",
            )
        d = self.dna_index
        if d is not None and not 0.3 <= d <= 3.0:
            raise InputError(
                f"dna_index must be in [0.3, 3.0]; got {d!r}.",
                field="genetics.dna_index",
                value=d,
                rule="0.3 <= DNA index <= 3.0",
            )
        for t in self.trisomies:
            if not 1 <= t <= 22:
                raise InputError(
                    f"trisomies must be autosomes 1-22; got {t!r}.",
                    field="genetics.trisomies",
                    value=t,
                    rule="1 <= chromosome <= 22",
                )

    def has(self, lesion: str) -> bool:
        """Whether ``lesion`` is present (``KMT2A-r`` also matches any ``KMT2A::X`` fusion)."""
        if lesion == "KMT2A-r":
            return any(x == "KMT2A-r" or x.startswith("KMT2A::") for x in self.lesions)
        return lesion in self.lesions

    def cn(self, gene: str) -> CopyNumber | None:
        """Copy-number status of ``gene`` or ``None`` when not tested."""
        return self.copy_number.get(gene.upper())
