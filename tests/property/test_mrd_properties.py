"""Monotonicity of MRD interpretation: more events / lower Ct / more tolerance never lower."""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st

from mrdguide.domain import MRDMeasurement, Timepoint
from mrdguide.mrd import (
    Clonotype,
    NGSCriteria,
    NGSSample,
    Well,
    WellType,
    interpret_flow,
    interpret_ngs,
    interpret_pcr,
)
from mrdguide.mrd._common import result_key


def key(m: MRDMeasurement) -> tuple[int, float]:
    """Status rank, then level (0 when absent)."""
    return result_key(m)


def _plate() -> list[Well]:
    wells = [
        Well(
            sample="STD",
            sample_type=WellType.STANDARD,
            marker="M",
            dilution=d,
            ct=-3.4 * math.log10(d) + 21.0,
            replicate=r,
        )
        for d in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
        for r in (1, 2, 3)
    ]
    wells += [Well(sample="BG", sample_type=WellType.BACKGROUND, marker="M", ct=40.5)]
    return wells


PLATE = _plate()
ct_or_none = st.one_of(st.none(), st.floats(min_value=20.0, max_value=45.0))


@given(
    cells=st.integers(min_value=1, max_value=10**8),
    a=st.integers(min_value=0, max_value=10**8),
    b=st.integers(min_value=0, max_value=10**8),
)
def test_more_events_never_lower(cells: int, a: int, b: int) -> None:
    """For fixed cells, more events never give a lower status or level."""
    lo, hi = sorted((min(a, cells), min(b, cells)))
    m_lo = interpret_flow(events=lo, cells=cells, timepoint=Timepoint.EOI).measurement
    m_hi = interpret_flow(events=hi, cells=cells, timepoint=Timepoint.EOI).measurement
    assert key(m_hi) >= key(m_lo)


@given(
    cts=st.lists(ct_or_none, min_size=1, max_size=4), delta=st.floats(min_value=0.0, max_value=10.0)
)
@example(cts=[30.0, 39.4], delta=0.2)  # a replicate crosses into background level
def test_higher_ct_never_higher_level(cts: list[float | None], delta: float) -> None:
    """Shifting every follow-up Ct up never gives a higher status or level."""

    def interp(values: list[float | None]) -> MRDMeasurement:
        fu = [Well(sample="FU", sample_type=WellType.FOLLOW_UP, marker="M", ct=c) for c in values]
        return interpret_pcr([*PLATE, *fu], timepoint=Timepoint.EOI).measurement

    shifted = [None if c is None or c + delta > 60 else c + delta for c in cts]
    assert key(interp(shifted)) <= key(interp(cts))


LEUK = "TGTGCGAGAGATCGGGGTTACTATGGTTCGGGGAGTTATTGG"
DX = NGSSample(clonotypes=(Clonotype(junction=LEUK, count=100.0, locus="IGH"),))
junctions = st.text(alphabet="ACGT", min_size=len(LEUK), max_size=len(LEUK))


@given(
    fu=st.lists(st.tuples(junctions, st.integers(1, 50)), max_size=5),
    k=st.integers(min_value=0, max_value=3),
)
def test_more_tolerance_never_lower(fu: list[tuple[str, int]], k: int) -> None:
    """Allowing one more mismatch never lowers the NGS result."""
    sample = NGSSample(
        clonotypes=tuple(Clonotype(junction=j, count=float(n), locus="IGH") for j, n in fu)
    )

    def interp(kk: int) -> MRDMeasurement:
        return interpret_ngs(
            DX, sample, timepoint=Timepoint.EOI, cells=1e5, criteria=NGSCriteria(max_mismatches=kk)
        ).measurement

    assert key(interp(k + 1)) >= key(interp(k))
