"""Ploidy classes from the modal chromosome number (MCN).

Default boundaries [V unless marked], see [sources: safavi2017; harrison2004; harmony2023]:

=====================  =========  ==========================================================
class                  MCN        source
=====================  =========  ==========================================================
``near_haploid``       24–30      Safavi & Paulsson, Blood 2017;129:420 [V]
``low_hypodiploid``    31–39      same [V]
``high_hypodiploid``   40–45      same [V] (Harrison BJH 2004 uses 42–45 [V])
``diploid``            46
``low_hyperdiploid``   47–50      [R]
``high_hyperdiploid``  51–67      51–65, "some definitions extend to 67" (HARMONY letter,
                                  Leukemia 2023) [V]; the upper bound is a parameter
``near_triploid``      68–80      [R]
``near_tetraploid``    81+        [R]
=====================  =========  ==========================================================

Protocols disagree on the hypodiploid cut-offs (COG calls "<44 chromosomes" hypodiploid [R]), so
the lower bound of ``high_hypodiploid`` is the parameter
:attr:`PloidyBoundaries.high_hypodiploid_min`: with ``44`` the numbers 40–43 fall into
``low_hypodiploid``. Numbers below 24 are still reported as ``near_haploid`` (the lowest class);
:func:`mrdguide.genetics.classify` adds a note for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from mrdguide.errors import InputError

PloidyClass = Literal[
    "near_haploid",
    "low_hypodiploid",
    "high_hypodiploid",
    "diploid",
    "low_hyperdiploid",
    "high_hyperdiploid",
    "near_triploid",
    "near_tetraploid",
]

#: Every ploidy class, lowest chromosome number first.
PLOIDY_CLASSES: tuple[PloidyClass, ...] = (
    "near_haploid",
    "low_hypodiploid",
    "high_hypodiploid",
    "diploid",
    "low_hyperdiploid",
    "high_hyperdiploid",
    "near_triploid",
    "near_tetraploid",
)

#: Classes that count as "hypodiploid" in WHO-HAEM5 / ICC entity terms (<40 chromosomes) [R].
HYPODIPLOID_ENTITY_CLASSES: frozenset[str] = frozenset({"near_haploid", "low_hypodiploid"})


@dataclass(frozen=True, slots=True, kw_only=True)
class PloidyBoundaries:
    """Lower bounds (inclusive) of each class above ``near_haploid``.

    Parameters
    ----------
    low_hypodiploid_min : int
        First MCN of ``low_hypodiploid`` (default 31).
    high_hypodiploid_min : int
        First MCN of ``high_hypodiploid`` (default 40; some groups use 44).
    low_hyperdiploid_min : int
        First MCN of ``low_hyperdiploid`` (default 47).
    high_hyperdiploid_min : int
        First MCN of ``high_hyperdiploid`` (default 51).
    near_triploid_min : int
        First MCN of ``near_triploid`` (default 68, i.e. HeH ends at 67).
    near_tetraploid_min : int
        First MCN of ``near_tetraploid`` (default 81).
    """

    low_hypodiploid_min: int = 31
    high_hypodiploid_min: int = 40
    low_hyperdiploid_min: int = 47
    high_hyperdiploid_min: int = 51
    near_triploid_min: int = 68
    near_tetraploid_min: int = 81

    def __post_init__(self) -> None:
        """Reject boundaries that do not increase around 46."""
        seq = (
            self.low_hypodiploid_min,
            self.high_hypodiploid_min,
            46,
            self.low_hyperdiploid_min,
            self.high_hyperdiploid_min,
            self.near_triploid_min,
            self.near_tetraploid_min,
        )
        ok = all(a < b for a, b in pairwise(seq))
        if not ok or self.low_hypodiploid_min < 2 or self.low_hyperdiploid_min != 47:
            raise InputError(
                f"ploidy boundaries must increase around 46; got {seq!r}.",
                field="ploidy_boundaries",
                value=seq,
                rule="2 <= low_hypo < high_hypo < 46 < 47 = low_hyper < high_hyper < 3n < 4n",
            )


#: The default boundaries (documented in the module docstring).
DEFAULT_BOUNDARIES = PloidyBoundaries()


def ploidy_class(
    modal_number: int, boundaries: PloidyBoundaries = DEFAULT_BOUNDARIES
) -> PloidyClass:
    """Map a modal chromosome number to its ploidy class.

    Parameters
    ----------
    modal_number : int
        Modal chromosome number of the leukaemic clone.
    boundaries : PloidyBoundaries, optional
        Class boundaries; see the module docstring for the defaults and their sources.

    Returns
    -------
    PloidyClass
        One of :data:`PLOIDY_CLASSES`.
    """
    b = boundaries
    cuts: tuple[tuple[int, PloidyClass], ...] = (
        (b.near_tetraploid_min, "near_tetraploid"),
        (b.near_triploid_min, "near_triploid"),
        (b.high_hyperdiploid_min, "high_hyperdiploid"),
        (b.low_hyperdiploid_min, "low_hyperdiploid"),
        (46, "diploid"),
        (b.high_hypodiploid_min, "high_hypodiploid"),
        (b.low_hypodiploid_min, "low_hypodiploid"),
    )
    for lower, name in cuts:
        if modal_number >= lower:
            return name
    return "near_haploid"
