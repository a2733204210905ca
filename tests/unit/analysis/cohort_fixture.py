"""A small seeded synthetic cohort for analysis and report tests (no real data)."""

from __future__ import annotations

import numpy as np

from mrdguide.domain import (
    Case,
    GeneticProfile,
    Immunophenotype,
    MRDLevel,
    MRDMeasurement,
    MRDMethod,
    MRDStatus,
    OutcomeEvent,
    OutcomeKind,
    Patient,
    Sex,
    Timepoint,
    TreatmentEvent,
    TreatmentKind,
)


def _mrd(tp: Timepoint, day: int, level: float) -> MRDMeasurement:
    if level < 1e-4:
        return MRDMeasurement(
            timepoint=tp,
            method=MRDMethod.FLOW,
            status=MRDStatus.NEGATIVE,
            sensitivity=MRDLevel(1e-4),
            sample_day=day,
        )
    return MRDMeasurement(
        timepoint=tp,
        method=MRDMethod.FLOW,
        status=MRDStatus.POSITIVE,
        level=MRDLevel(min(level, 0.9)),
        sensitivity=MRDLevel(1e-4),
        quantitative_range=MRDLevel(1e-4),
        sample_day=day,
    )


def _outcomes(rng: np.random.Generator, log_mrd: float, intens: bool) -> list[OutcomeEvent]:
    rate = 0.00005 * 10 ** (0.5 * (log_mrd + 4)) * (0.5 if intens else 1.0)
    t_rel = rng.exponential(1 / rate)
    t_death = rng.exponential(1 / 0.00002)
    fu = int(rng.uniform(900, 3600))
    if min(t_rel, t_death) > fu:
        return [OutcomeEvent(kind=OutcomeKind.LAST_FOLLOW_UP, day=fu)]
    if t_rel < t_death:
        d = int(max(t_rel, 40))
        return [
            OutcomeEvent(kind=OutcomeKind.RELAPSE, day=d),
            OutcomeEvent(kind=OutcomeKind.LAST_FOLLOW_UP, day=max(fu, d)),
        ]
    d = int(max(t_death, 40))
    return [OutcomeEvent(kind=OutcomeKind.DEATH, day=d, in_remission=True)]


def make_cohort(n: int = 400, seed: int = 7) -> list[Case]:
    """``n`` synthetic cases with EOI/EOC flow MRD, intensification and outcomes."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        log_eoi = rng.normal(-3.8, 1.2)
        log_eoc = log_eoi - rng.uniform(0.5, 2.0)
        high = log_eoi >= -3
        intens = bool(high and rng.random() < 0.6)
        lesion = rng.choice(["ETV6::RUNX1", "KMT2A::AFF1", "", ""], p=[0.3, 0.05, 0.35, 0.3])
        out.append(
            Case(
                patient=Patient(
                    patient_id=f"SYN-{i:04d}",
                    age_years=float(rng.uniform(1, 17)),
                    sex=Sex.MALE if rng.random() < 0.55 else Sex.FEMALE,
                    immunophenotype=Immunophenotype.T if rng.random() < 0.15 else Immunophenotype.B,
                    wbc_per_ul=float(rng.lognormal(9.5, 1.2)) + 500,
                ),
                genetics=GeneticProfile(
                    lesions=(lesion,) if lesion else (),
                    modal_chromosome_number=int(rng.choice([46, 55])),
                ),
                mrd=(
                    _mrd(Timepoint.EOI, int(rng.integers(29, 34)), 10**log_eoi),
                    _mrd(Timepoint.EOC, int(rng.integers(78, 86)), 10**log_eoc),
                ),
                treatments=(
                    TreatmentEvent(
                        kind=TreatmentKind.INTENSIFICATION,
                        day=int(rng.integers(36, 45)),
                        triggered_by=Timepoint.EOI,
                    ),
                )
                if intens
                else (),
                outcomes=tuple(_outcomes(rng, log_eoi, intens)),
            )
        )
    return out


def group_of(case: Case) -> str:
    """A toy risk grouping by EOI MRD (for tests only)."""
    m = case.mrd_at(Timepoint.EOI)
    assert m is not None
    return "high" if (m.level is not None and m.level.fraction >= 1e-3) else "standard"
