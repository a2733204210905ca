"""Tests of the calibration check against published figures."""

from __future__ import annotations

import math
import re

import pytest

from mrdguide.errors import InputError
from mrdguide.simulate import calibration_check, default_params, load_targets, simulate_cohort
from mrdguide.simulate.calibrate import calibration_settings, wilson_ci
from mrdguide.simulate.cohort import (
    ASAN_CONFOUNDING_LOG_OR,
    ASAN_DELAY_DAYS,
    ASAN_EOI_LOG10_SHIFT,
    asan_params,
)

#: A docs/sources.md citation (the pattern is split so this file is not itself a citation).
CITES_A_KEY = re.compile(r"\[" + "sources: " + r"[a-z]")

#: Misses documented in docs/simulation.md (and why). Any other miss is a regression. Issue 15
#: closed the last three (COG band by era, Asan share and non-intensified EFS by the preset).
DOCUMENTED_MISSES: set[str] = set()


def test_targets_have_sources_tags_and_cis() -> None:
    """Every target names its source, a tag and a CI that contains the published value."""
    targets = load_targets()
    assert len(targets) >= 25
    for t in targets:
        assert CITES_A_KEY.search(t.source), t.id
        assert t.tag in ("[V]", "[R]")
        assert t.ci_lower <= t.value <= t.ci_upper


def test_wilson_interval_known_value() -> None:
    """Wilson 95% CI of 9/12 matches the textbook value (0.468, 0.911)."""
    lo, hi = wilson_ci(0.75, 12)
    assert lo == pytest.approx(0.4677, abs=1e-3)
    assert hi == pytest.approx(0.9111, abs=1e-3)


def test_small_cohort_runs_and_orders_efs_like_published() -> None:
    """On a small seeded cohort, EFS falls across MRD groups as in the publications."""
    report = calibration_check(simulate_cohort(4000, seed=11, method="pcr"), seed=11)
    assert len(report.rows) == len(load_targets())
    efs = {r.target.id: r.simulated for r in report.rows}
    assert (
        efs["conter2010.bfm2000.efs5y.mrd_sr"]
        > efs["conter2010.bfm2000.efs5y.mrd_ir"]
        > efs["conter2010.bfm2000.efs5y.mrd_hr"]
    )
    assert efs["borowitz2008.cog.efs5y.d29_negative"] > efs["borowitz2008.cog.efs5y.d29_1e-4_1e-3"]
    heh = [
        efs[f"enshaei2021.heh.relapse5y.{b}"]
        for b in ("mrd_undetectable", "mrd_1e-4_1e-3", "mrd_ge1e-2")
    ]
    assert heh == sorted(heh)


def test_large_cohort_hits_targets_except_documented_misses() -> None:
    """At n = 20,000 every target is hit (issue 15: 32 of 32) with the point inside the CI."""
    report = calibration_check(n=20_000, seed=20_240_601)
    missed = {r.target.id for r in report.misses}
    assert missed <= DOCUMENTED_MISSES, missed - DOCUMENTED_MISSES
    assert report.hits >= len(report.rows) - len(DOCUMENTED_MISSES)
    assert len(report.rows) == 32
    assert report.cog_band_source == "era-matched"


def test_cog_source_choice_is_a_documented_parameter() -> None:
    """One contemporary model misses the Borowitz 2008 band; one historical misses AALL0232."""
    settings = calibration_settings()
    assert settings["cog_band_source"] == "era-matched"
    assert CITES_A_KEY.search(settings["historical_cite"])
    band08, band15 = (
        "borowitz2008.cog.efs5y.d29_1e-4_1e-3",
        "borowitz2015.aall0232.efs5y.eoi_1e-4_1e-3",
    )
    contemporary = calibration_check(n=20_000, seed=20_240_601, cog_band_source="aall0232")
    assert band08 in {r.target.id for r in contemporary.misses}
    assert contemporary.row(band15).hit
    historical = calibration_check(n=20_000, seed=20_240_601, cog_band_source="borowitz2008")
    assert band15 in {r.target.id for r in historical.misses}
    assert historical.row(band08).hit
    with pytest.raises(InputError):
        calibration_check(n=500, seed=1, cog_band_source="nope")


def test_historical_era_lowers_efs_of_mrd_positive_patients_only() -> None:
    """The era hazard ratio acts on MRD-positive patients: negatives keep their EFS."""
    base = default_params()
    hist = base.with_hazards(mrd_positive_log_hr=math.log(2.0))
    a = calibration_check(base, n=6000, seed=3)
    b = calibration_check(hist, n=6000, seed=3)
    neg, pos = "enshaei2021.heh.efs5y.mrd_undetectable", "enshaei2021.heh.efs5y.mrd_1e-3_1e-2"
    assert b.row(neg).simulated == pytest.approx(a.row(neg).simulated, abs=1e-12)
    assert b.row(pos).simulated < a.row(pos).simulated


def test_asan_preset_is_documented() -> None:
    """The Asan preset's calibrated constants are what asan_params applies."""
    p = asan_params()
    base = default_params()
    assert p.intensification.fraction == pytest.approx(12 / 21)
    assert p.intensification.confounding_log_or == ASAN_CONFOUNDING_LOG_OR
    assert p.intensification.delay_days == ASAN_DELAY_DAYS
    for s, b in zip(p.subtypes, base.subtypes, strict=True):
        assert s.eoi_log10_mean == pytest.approx(b.eoi_log10_mean + ASAN_EOI_LOG10_SHIFT)


def test_report_serialises() -> None:
    """to_dict gives plain rows with the hit flag and both CIs."""
    d = calibration_check(n=2000, seed=1).to_dict()
    assert d["targets"] == len(d["rows"])
    assert {"value", "ci_lower", "simulated", "sim_lower", "hit"} <= set(d["rows"][0])
