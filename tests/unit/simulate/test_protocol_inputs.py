"""Simulated protocol inputs: early MRD, testicular status, PCR markers; calibration untouched."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.domain import Sex, Timepoint, Tissue
from mrdguide.protocols import assess
from mrdguide.simulate import _engine, simulate_cohort


def test_early_mrd_and_presenting_inputs() -> None:
    """Day-8 PB, day-15/19 BM flow MRD exist; testicular involvement only in boys."""
    cases = simulate_cohort(800, seed=4).to_cases()
    with_early = [c for c in cases if c.mrd_at(Timepoint.DAY15) is not None]
    assert len(with_early) > 700
    for c in with_early[:200]:
        d8 = c.mrd_at(Timepoint.DAY8)
        assert d8 is not None and d8.tissue is Tissue.PERIPHERAL_BLOOD
    boys_testis = [c for c in cases if c.patient.testicular_involvement]
    assert boys_testis
    assert all(c.patient.sex is Sex.MALE for c in boys_testis)
    assert all(c.patient.steroid_pretreatment is not None for c in cases)


def test_pcr_cohort_records_markers() -> None:
    """A PCR-measured cohort records one or two markers at the end of induction."""
    cases = simulate_cohort(300, seed=5, method="pcr").to_cases()
    markers = {m.markers for c in cases for m in c.mrd if str(m.method) == "pcr"}
    assert markers == {1, 2}


def test_extra_inputs_do_not_change_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extra columns come from a spawned generator: without them, outcomes are identical."""
    with_extra = simulate_cohort(500, seed=9).columns
    monkeypatch.setattr(_engine, "_protocol_inputs", lambda p, cols, rng: None)
    without = simulate_cohort(500, seed=9).columns
    assert "day15_level" in with_extra and "day15_level" not in without
    for col in ("relapse_day", "death_day", "eoi_level", "last_follow_up_day"):
        np.testing.assert_array_equal(with_extra[col], without[col])


def test_more_protocols_become_assignable() -> None:
    """With early MRD present, NOPHO and St Jude can assign most simulated B-ALL patients."""
    cases = simulate_cohort(300, seed=6).to_cases()
    for pid in ("nopho-all2008", "stjude-total-xv"):
        groups = [assess(c, pid).risk_group for c in cases]
        assert np.mean([g != "not_assignable" for g in groups]) > 0.9
