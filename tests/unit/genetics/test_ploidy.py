"""Ploidy classes at every boundary, and the configurable hypodiploid cut-off."""

from __future__ import annotations

import pytest

from mrdguide.errors import InputError
from mrdguide.genetics import PLOIDY_CLASSES, PloidyBoundaries, ploidy_class

EDGES = [
    (24, "near_haploid"),
    (30, "near_haploid"),
    (31, "low_hypodiploid"),
    (39, "low_hypodiploid"),
    (40, "high_hypodiploid"),
    (45, "high_hypodiploid"),
    (46, "diploid"),
    (47, "low_hyperdiploid"),
    (50, "low_hyperdiploid"),
    (51, "high_hyperdiploid"),
    (67, "high_hyperdiploid"),
    (68, "near_triploid"),
    (80, "near_triploid"),
    (81, "near_tetraploid"),
    (92, "near_tetraploid"),
]


@pytest.mark.parametrize(("n", "expected"), EDGES)
def test_default_class_edges(n: int, expected: str) -> None:
    """Each side of 30/31, 39/40, 45/46, 46/47, 50/51, 67/68 and 80/81 is classed correctly."""
    assert ploidy_class(n) == expected


def test_below_24_is_lowest_class() -> None:
    """Numbers under 24 fall into the lowest class (classify adds a note)."""
    assert ploidy_class(22) == "near_haploid"


@pytest.mark.parametrize(("n", "expected"), [(43, "low_hypodiploid"), (44, "high_hypodiploid")])
def test_hypodiploid_cut_off_44(n: int, expected: str) -> None:
    """With the high-hypodiploid class starting at 44, 43 is low hypodiploid and 44 is not."""
    assert ploidy_class(n, PloidyBoundaries(high_hypodiploid_min=44)) == expected


def test_heh_upper_bound_is_a_parameter() -> None:
    """HeH ending at 65 (near-triploid from 66) moves 66 out of HeH."""
    b = PloidyBoundaries(near_triploid_min=66)
    assert ploidy_class(66, b) == "near_triploid"
    assert ploidy_class(65, b) == "high_hyperdiploid"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"high_hypodiploid_min": 47},
        {"low_hypodiploid_min": 41},
        {"high_hyperdiploid_min": 47},
        {"low_hyperdiploid_min": 48},
        {"near_tetraploid_min": 60},
    ],
)
def test_inconsistent_boundaries_are_rejected(kwargs: dict[str, int]) -> None:
    """Boundaries that do not increase around 46 raise InputError."""
    with pytest.raises(InputError):
        PloidyBoundaries(**kwargs)


def test_classes_are_ordered_by_number() -> None:
    """PLOIDY_CLASSES lists the classes in increasing chromosome number."""
    seen = [ploidy_class(n) for n in range(24, 100)]
    assert list(dict.fromkeys(seen)) == list(PLOIDY_CLASSES)
