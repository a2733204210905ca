"""Fixtures for MRD interpretation tests: a synthetic RQ-PCR plate builder."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest

from mrdguide.mrd import Well, WellType

DILUTIONS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
SLOPE, INTERCEPT = -3.4, 21.0  # Ct 24.4, 27.8, 31.2, 34.6, 38.0 at the dilutions above


def build_plate(
    *,
    fu_cts: Sequence[float | None] = (33.0, 33.1, 32.9),
    marker: str = "IGH-1",
    slope: float = SLOPE,
    intercept: float = INTERCEPT,
    dilutions: Sequence[float] = DILUTIONS,
    background: Sequence[float | None] = (None, None, None, None, 40.5, 41.0),
    alb_dx: float | None = 25.0,
    alb_fu: float | None = 25.0,
    noise: Callable[[], float] = lambda: 0.0,
    sample: str = "FU",
) -> list[Well]:
    """A plate: triplicate standards, 6 background wells, an NTC, ALB controls, follow-up."""
    wells = [
        Well(
            sample="STD",
            sample_type=WellType.STANDARD,
            marker=marker,
            dilution=d,
            ct=slope * math.log10(d) + intercept + noise(),
            replicate=r,
        )
        for d in dilutions
        for r in (1, 2, 3)
    ]
    wells += [
        Well(sample="BG", sample_type=WellType.BACKGROUND, marker=marker, ct=ct)
        for ct in background
    ]
    wells.append(Well(sample="NTC", sample_type=WellType.NTC, marker=marker, ct=None))
    wells += [
        Well(sample=sample, sample_type=WellType.FOLLOW_UP, marker=marker, ct=ct) for ct in fu_cts
    ]
    for kind, name, ct in (
        (WellType.DIAGNOSIS, "DX", alb_dx),
        (WellType.FOLLOW_UP, sample, alb_fu),
    ):
        if ct is not None:
            wells += [Well(sample=name, sample_type=kind, marker="ALB", ct=ct) for _ in range(3)]
    return wells


@pytest.fixture(scope="session")
def make_plate() -> Callable[..., list[Well]]:
    """The plate builder as a fixture."""
    return build_plate
