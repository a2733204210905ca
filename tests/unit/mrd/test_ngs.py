"""NGS clonotype tracking: index rule, exact vs mismatch matching, templates and limits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mrdguide.domain import MRDStatus, Timepoint
from mrdguide.errors import AssayError, InputError
from mrdguide.mrd import (
    Clonotype,
    CountBasis,
    NGSCriteria,
    NGSResult,
    NGSSample,
    hamming_within,
    index_clones,
    interpret_ngs,
)

RNG = np.random.default_rng(7)
LEUK = "TGTGCGAGAGATCGGGGTTACTATGGTTCGGGGAGTTATTGG"  # 42 nt
ONE_MM = LEUK[:20] + ("A" if LEUK[20] != "A" else "C") + LEUK[21:]


def _random_junction(n: int) -> str:
    return "TGT" + "".join(RNG.choice(list("ACGT"), n - 6)) + "TGG"


def _diagnosis(leuk_count: float = 600.0, locus: str = "IGH") -> NGSSample:
    """One leukaemic clone plus 40 polyclonal clones of 10 counts each."""
    poly = tuple(
        Clonotype(junction=_random_junction(39), count=10.0, locus=locus) for _ in range(40)
    )
    return NGSSample(clonotypes=(Clonotype(junction=LEUK, count=leuk_count, locus=locus), *poly))


def _follow_up(*pairs: tuple[str, float], locus: str = "IGH", **kw: object) -> NGSSample:
    clones = tuple(Clonotype(junction=j, count=n, locus=locus) for j, n in pairs)
    return NGSSample(clonotypes=clones, **kw)  # type: ignore[arg-type]


def run(dx: NGSSample, fu: NGSSample, **kw: object) -> NGSResult:
    """Interpret at EOI with 100,000 cells unless told otherwise."""
    kw.setdefault("cells", 100_000)
    return interpret_ngs(dx, fu, timepoint=Timepoint.EOI, **kw)  # type: ignore[arg-type]


def test_exact_match_tracked() -> None:
    """An exact junction match counts toward the clone at tolerance 0."""
    r = run(_diagnosis(), _follow_up((LEUK, 20.0)))
    assert r.measurement.status is MRDStatus.POSITIVE
    assert r.measurement.level is not None
    assert r.measurement.level.fraction == pytest.approx(2e-4)


def test_one_mismatch_needs_tolerance() -> None:
    """A one-mismatch clone is ignored at k=0 and tracked at k=1."""
    fu = _follow_up((ONE_MM, 20.0))
    exact = run(_diagnosis(), fu)
    assert exact.measurement.status is MRDStatus.NEGATIVE
    loose = run(_diagnosis(), fu, criteria=NGSCriteria(max_mismatches=1))
    assert loose.measurement.status is MRDStatus.POSITIVE
    assert loose.clones[0].exact_counts == 0
    assert loose.clones[0].matched_counts == 20


def test_hamming_requires_equal_length() -> None:
    """Hamming tolerance never matches junctions of different length."""
    assert hamming_within("ACGT", "ACGA", 1)
    assert not hamming_within("ACGT", "ACGTA", 1)
    assert not hamming_within("ACGT", "TCGA", 1)


def test_other_locus_not_matched() -> None:
    """The same junction in another locus does not count."""
    r = run(_diagnosis(), _follow_up((LEUK, 20.0), locus="IGK"))
    assert r.measurement.status is MRDStatus.NEGATIVE


@pytest.mark.parametrize(("count", "is_index"), [(5.0, True), (4.9, False)])
def test_index_clone_boundary(count: float, is_index: bool) -> None:
    """A clone holding exactly 5 % of its locus is an index clone; 4.9 % is not."""
    other = Clonotype(junction=_random_junction(36), count=100.0 - count, locus="IGH")
    dx = NGSSample(clonotypes=(Clonotype(junction=LEUK, count=count, locus="IGH"), other))
    found = {c.junction for c, _ in index_clones(dx, NGSCriteria())}
    assert (LEUK in found) is is_index


def test_no_index_clone_raises() -> None:
    """A diagnosis without any clone above the index rule raises AssayError."""
    dx = NGSSample(
        clonotypes=tuple(
            Clonotype(junction=_random_junction(39), count=1.0, locus="IGH") for _ in range(50)
        )
    )
    with pytest.raises(AssayError, match="no index clone"):
        run(dx, _follow_up((LEUK, 1.0)))


def test_cells_from_dna_mass_and_poisson_lod() -> None:
    """1000 ng / 6.5 pg = 153,846 cells; LOD = -ln(0.05)/cells; negative at the LOD."""
    r = run(_diagnosis(), _follow_up(), cells=None, dna_ng=1000.0)
    assert r.cell_equivalents == pytest.approx(1e6 / 6.5)
    assert r.cell_source == "dna_mass"
    assert r.lod.fraction == pytest.approx(-math.log(0.05) * 6.5 / 1e6)
    assert r.measurement.status is MRDStatus.NEGATIVE
    assert r.measurement.sensitivity == r.lod


def test_reference_gene_count_used() -> None:
    """A reference-gene cell count in the follow-up sample is used when cells is not given."""
    r = run(_diagnosis(), _follow_up((LEUK, 5.0), cell_equivalents=50_000.0), cells=None)
    assert r.cell_source == "reference_gene"
    assert r.measurement.level is not None
    assert r.measurement.level.fraction == pytest.approx(1e-4)


@pytest.mark.parametrize(
    ("kw", "match"), [({"cells": None}, "unknown"), ({"dna_ng": 500.0}, "not both")]
)
def test_cell_input_errors(kw: dict[str, object], match: str) -> None:
    """Cell equivalents must be given exactly once."""
    with pytest.raises(InputError, match=match):
        run(_diagnosis(), _follow_up(), **kw)


@pytest.mark.parametrize(
    ("templates", "status"), [(9.0, MRDStatus.POSITIVE_NQ), (10.0, MRDStatus.POSITIVE)]
)
def test_lloq_boundary(templates: float, status: MRDStatus) -> None:
    """Fewer than 10 templates is PNQ; 10 is quantifiable."""
    assert run(_diagnosis(), _follow_up((LEUK, templates))).measurement.status is status


def test_reads_need_calibration() -> None:
    """Read counts without a spike-in raise; a spike-in converts reads to templates."""
    reads = _follow_up((LEUK, 400.0), count_basis=CountBasis.READS, spike_in_reads=2000.0)
    with pytest.raises(AssayError, match="cannot be converted"):
        run(_diagnosis(), reads)
    r = run(_diagnosis(), reads, spike_in_templates=100.0)
    assert r.clones[0].templates == pytest.approx(20.0)
    unc = run(_diagnosis(), reads, reads_are_templates=True)
    assert any("uncalibrated" in w for w in unc.measurement.warnings)


def test_per_clone_and_maximum() -> None:
    """Two index clones are reported separately; the sample result is the higher one."""
    igk = "TGTCAACAGAGTTACAGTACCCCTCGGACGTTC"
    dx = NGSSample(
        clonotypes=(*_diagnosis().clonotypes, Clonotype(junction=igk, count=300.0, locus="IGK"))
    )
    fu = NGSSample(
        clonotypes=(
            Clonotype(junction=LEUK, count=3.0, locus="IGH"),
            Clonotype(junction=igk, count=30.0, locus="IGK"),
        )
    )
    r = run(dx, fu)
    assert {c.locus for c in r.clones} == {"IGH", "IGK"}
    assert r.measurement.markers == 2
    assert r.measurement.level is not None
    assert r.measurement.level.fraction == pytest.approx(3e-4)


@pytest.mark.parametrize(
    "kw",
    [
        {"index_min_fraction": 0.0},
        {"index_min_fraction": 5.0},
        {"max_mismatches": -1},
        {"detection_probability": 1.0},
        {"pg_per_cell": 0.0},
    ],
)
def test_criteria_validation(kw: dict[str, float]) -> None:
    """Impossible criteria (e.g. a percent 5 for a fraction) are rejected."""
    with pytest.raises(InputError):
        NGSCriteria(**kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("junction", "count"), [("", 1.0), ("ACGT", -1.0), ("ACGT", math.nan)])
def test_clonotype_validation(junction: str, count: float) -> None:
    """Empty junctions and negative or NaN counts are rejected."""
    with pytest.raises(InputError):
        Clonotype(junction=junction, count=count)
