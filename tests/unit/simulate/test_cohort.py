"""Tests of the virtual-cohort generator."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from mrdguide.domain import (
    MRDStatus,
    Timepoint,
    TreatmentKind,
    case_from_dict,
    case_to_dict,
    derive_endpoints,
)
from mrdguide.errors import InputError
from mrdguide.simulate import asan_like_cohort, default_params, simulate_cohort


@pytest.fixture(scope="module")
def cohort():  # type: ignore[no-untyped-def]
    return simulate_cohort(3000, seed=7, method="pcr")


def test_same_seed_same_cohort_other_seed_differs() -> None:
    """A seed fully determines the cohort."""
    a, b, c = (simulate_cohort(300, seed=s) for s in (1, 1, 2))
    for k in a.columns:
        np.testing.assert_array_equal(a.columns[k], b.columns[k])
    assert not np.array_equal(a.columns["age_years"], c.columns["age_years"])


def test_three_thousand_patients_in_well_under_a_second() -> None:
    """Generation is vectorised (generous bound: the CI machine is shared)."""
    simulate_cohort(100, seed=0)
    t0 = time.perf_counter()
    simulate_cohort(3000, seed=0)
    assert time.perf_counter() - t0 < 1.0


def test_endpoint_columns_agree_with_derive_endpoints(cohort) -> None:  # type: ignore[no-untyped-def]
    """EFS, OS and CIR columns equal derive_endpoints on the emitted outcome events."""
    cols = cohort.columns
    for i, case in enumerate(cohort.to_cases()):
        e = derive_endpoints(case.outcomes)
        assert e.efs_days == cols["efs_days"][i]
        assert e.efs_event == cols["efs_event"][i]
        assert e.os_days == cols["os_days"][i]
        assert e.os_event == cols["os_event"][i]
        if e.cir_cause is None:
            assert cols["cir_cause"][i] == -1
        else:
            assert int(e.cir_cause) == cols["cir_cause"][i]
            assert e.cir_days == cols["cir_days"][i]


def test_cases_round_trip_through_case_documents(cohort) -> None:  # type: ignore[no-untyped-def]
    """Every case serialises and parses back to an equal case, with synthetic ids."""
    for case in cohort.to_cases()[:300]:
        assert case.patient_id.startswith("SIM-")
        assert case_from_dict(case_to_dict(case)) == case


def test_mrd_status_respects_method_sensitivity(cohort) -> None:  # type: ignore[no-untyped-def]
    """Negative below the LOD, positive_nq between LOD and LLOQ, positive above.

    End-of-induction/consolidation MRD uses the cohort's method (PCR here); the early
    day-8/15/19 samples are flow, as in the protocols that use them.
    """
    params = default_params()
    for case in cohort.to_cases()[:1000]:
        for m in case.mrd:
            meth = params.methods[str(m.method)]
            assert (str(m.method) == "flow") == (m.timepoint.value in ("day8", "day15", "day19"))
            assert m.sensitivity is not None
            assert m.sensitivity.fraction == meth.lod
            if m.status is MRDStatus.NEGATIVE:
                assert m.level is None
            elif m.status is MRDStatus.POSITIVE_NQ:
                assert m.level is not None
                assert meth.lod <= m.level.fraction < meth.lloq
            else:
                assert m.level is not None
                assert m.level.fraction >= meth.lloq


def test_genetics_consistent_with_subtype(cohort) -> None:  # type: ignore[no-untyped-def]
    """Lesions and modal numbers match the subtype that generated them."""
    keys = cohort.subtype_keys
    for i, case in enumerate(cohort.to_cases()):
        g, key = case.genetics, keys[int(cohort.columns["subtype"][i])]
        assert g is not None
        if key == "high_hyperdiploid":
            assert 51 <= (g.modal_chromosome_number or 0) <= 65
            assert g.trisomies
        elif key == "hypodiploid":
            assert (g.modal_chromosome_number or 99) < 40
        elif key == "etv6_runx1":
            assert g.has("ETV6::RUNX1")
        elif key == "kmt2a_r":
            assert g.has("KMT2A-r")
        elif key == "t_all":
            assert case.patient.immunophenotype == "T"


def test_subtype_frequencies_match_parameters() -> None:
    """Observed subtype shares are within sampling error of the parameters."""
    c = simulate_cohort(20_000, seed=3)
    p = default_params()
    counts = np.bincount(c.columns["subtype"], minlength=len(p.subtypes)) / c.n
    for s, obs in zip(p.subtypes, counts, strict=True):
        assert abs(obs - s.frequency) < 4 * np.sqrt(s.frequency * (1 - s.frequency) / c.n)


def test_no_intensification_by_default(cohort) -> None:  # type: ignore[no-untyped-def]
    """The default cohort has no MRD-triggered intensification."""
    assert not np.isfinite(cohort.columns["intensification_day"]).any()


def test_asan_preset_intensifies_only_mrd_high() -> None:
    """Asan-like: 209 patients 2013-2023, intensification only after flow MRD >= 1e-3."""
    c = asan_like_cohort(5, n=2000)
    assert asan_like_cohort(5).n == 209
    n_int = 0
    for case in c.to_cases():
        assert dt.date(2013, 1, 1) <= case.patient.diagnosis_date <= dt.date(2023, 7, 2)
        for t in case.treatments:
            assert t.kind is TreatmentKind.INTENSIFICATION
            m = case.mrd_at(t.triggered_by)
            assert m is not None
            assert m.level is not None
            assert m.level.fraction >= 1e-3
            assert t.day > (m.sample_day or 0)
            ep = derive_endpoints(case.outcomes)
            assert ep.efs_days > t.day
            n_int += 1
    assert n_int > 0
    assert any(t.triggered_by is Timepoint.EOC for cs in c.to_cases() for t in cs.treatments)


def test_frame_and_columns_agree(cohort) -> None:  # type: ignore[no-untyped-def]
    """to_frame (pandas) and to_records expose the same wide table."""
    frame = cohort.to_frame()
    records = cohort.to_records()
    assert len(frame) == len(records) == cohort.n
    assert records[0]["patient_id"] == "SIM-000001" == frame["patient_id"][0]


def test_invalid_arguments_are_rejected() -> None:
    """Unknown methods and empty cohorts raise InputError."""
    with pytest.raises(InputError):
        simulate_cohort(0, seed=1)
    with pytest.raises(InputError):
        simulate_cohort(10, seed=1, method="ddpcr")


def test_relapse_risk_rises_with_mrd_within_subtype() -> None:
    """Within high hyperdiploidy, relapse is more frequent at higher true EOI MRD."""
    c = simulate_cohort(20_000, seed=4)
    cols = c.columns
    heh = cols["subtype"] == c.subtype_keys.index("high_hyperdiploid")
    m = np.nan_to_num(cols["true_eoi_mrd"])
    rel = np.isfinite(cols["relapse_day"])
    assert rel[heh & (m >= 1e-3)].mean() > rel[heh & (m < 1e-5)].mean()


def test_time_varying_intensification_hazard_ratio() -> None:
    """HR 0.01 for 2 years after the start, then 1: relapses cluster after year 2."""
    p = default_params().with_intensification(fraction=1.0, hr=(0.01, 1.0), hr_breaks_years=(2.0,))
    cols = simulate_cohort(20_000, seed=5, params=p).columns
    start = cols["intensification_day"]
    treated = np.isfinite(start)
    since = (cols["relapse_day"] - start)[treated & np.isfinite(cols["relapse_day"])] / 365.25
    assert treated.sum() > 500
    assert since.size > 50
    assert np.mean(since < 2.0) < 0.05
