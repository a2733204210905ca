"""Build model covariates and outcomes from :class:`~mrdguide.domain.Case` values.

Landmark convention [sources: anderson1983]: MRD is known only at its time point, so follow-up for
the relapse model starts at the MRD sample day (the *landmark*). Patients who relapsed, died or
were last seen on or before that day are excluded, and times are days since the landmark. When
a measurement has no ``sample_day`` the protocol-neutral default of :data:`DEFAULT_LANDMARK_DAY`
for its time point is used. A 5-year prediction is therefore 5 years from the MRD time point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mrdguide.domain import Case, MRDMeasurement, MRDStatus, Timepoint, derive_endpoints
from mrdguide.errors import InputError
from mrdguide.genetics import classify
from mrdguide.risk.design import T_ALL_TIER, Covariates, FloatArray, ModelSpec, RiskData

GroupOf = Callable[[Case], str | None]

#: Landmark day used when an MRD sample carries no day: EOI day 29 (UKALL/COG), EOC day 78
#: (AIEOP-BFM TP2); other time points use 0 (time from diagnosis).
DEFAULT_LANDMARK_DAY: dict[Timepoint, int] = {Timepoint.EOI: 29, Timepoint.EOC: 78}


def uk_tier(case: Case) -> str | None:
    """The UK cytogenetic risk tier (``good``/``intermediate``/``high``) of a case, or ``None``.

    Uses :func:`mrdguide.genetics.classify`; T-ALL and untested cytogenetics have no tier and
    are excluded from a tier model (pass another ``group_of`` to model them).
    """
    if case.genetics is None:
        return None
    p = case.patient
    phen = None if p.immunophenotype is None else p.immunophenotype.value
    tier = classify(case.genetics, immunophenotype=phen, down_syndrome=p.down_syndrome).uk_tier
    return None if tier is None else str(tier)


def model_tier(case: Case) -> str | None:
    """The UK cytogenetic tier of a B-ALL case, ``"T-ALL"`` for T-ALL, else ``None``.

    Pass it as ``group_of`` with ``ModelSpec(group_levels=MODEL_TIERS)`` so that T-ALL (about
    14% of patients, not covered by the UK tiers) has a tier of its own instead of being left
    out of the model.
    """
    p = case.patient
    if p.immunophenotype is not None and p.immunophenotype.value == "T":
        return T_ALL_TIER
    return uk_tier(case)


def mrd_value(m: MRDMeasurement) -> tuple[float, float] | None:
    """``(mrd_fraction, sensitivity)`` of one measurement, or ``None`` if unusable.

    Negatives give ``(0, sensitivity)`` and need a sensitivity. ``positive_nq`` without a level
    is placed at the lower limit of the quantitative range (else at the sensitivity): detected
    but not quantifiable means at most that level.
    """
    sens = m.sensitivity.fraction if m.sensitivity is not None else None
    if m.status is MRDStatus.NEGATIVE:
        return None if not sens else (0.0, sens)
    if m.status is MRDStatus.NOT_EVALUABLE:
        return None
    level = m.level.fraction if m.level is not None else None
    if level is None and m.status is MRDStatus.POSITIVE_NQ:
        qr = m.quantitative_range.fraction if m.quantitative_range is not None else None
        level = qr or sens
    if not level:
        return None
    return level, sens or level


def _landmark(m: MRDMeasurement) -> int:
    if m.sample_day is not None:
        return m.sample_day
    return DEFAULT_LANDMARK_DAY.get(m.timepoint, 0)


def _row(case: Case, spec: ModelSpec, group_of: GroupOf) -> dict[str, float | str] | str:
    """Covariate values of one case, or the reason it is excluded."""
    group = group_of(case)
    if group is None:
        return "no genetic group"
    tp = Timepoint(spec.timepoint)
    m = case.mrd_at(tp)
    val = mrd_value(m) if m is not None else None
    if m is None or val is None:
        return f"no usable MRD at {tp.value}"
    row: dict[str, float | str] = {"group": group, "mrd": val[0], "sens": val[1]}
    row["landmark"] = float(_landmark(m))
    if spec.kinetics != "none":
        e = case.mrd_at(Timepoint.EOC)
        ev = mrd_value(e) if e is not None else None
        if ev is None:
            return "no usable MRD at eoc (kinetics term)"
        row["mrd_eoc"], row["eoc_sens"] = ev
    p = case.patient
    if spec.log_wbc:
        if not p.wbc_per_ul:
            return "no WBC"
        row["wbc"] = p.wbc_per_ul
    if spec.age:
        if p.age_years is None:
            return "no age"
        row["age"] = p.age_years
    return row


def covariates_from_case(case: Case, spec: ModelSpec, *, group_of: GroupOf = uk_tier) -> Covariates:
    """One-row :class:`Covariates` for predicting a single case.

    Raises
    ------
    InputError
        If the case lacks something the spec needs (genetic group, MRD, WBC, age).
    """
    row = _row(case, spec, group_of)
    if isinstance(row, str):
        raise InputError(f"Case cannot be scored: {row}.", field="case", rule=row)
    return _covariates([row], spec)


def _covariates(rows: Sequence[dict[str, float | str]], spec: ModelSpec) -> Covariates:
    def col(key: str) -> FloatArray | None:
        if not rows or key not in rows[0]:
            return None
        return np.array([float(r[key]) for r in rows], dtype=np.float64)

    return Covariates(
        group=tuple(str(r["group"]) for r in rows),
        mrd=np.array([float(r["mrd"]) for r in rows]),
        sensitivity=np.array([float(r["sens"]) for r in rows]),
        mrd_eoc=col("mrd_eoc"),
        eoc_sensitivity=col("eoc_sens"),
        wbc_per_ul=col("wbc") if spec.log_wbc else None,
        age_years=col("age") if spec.age else None,
    )


def risk_data_from_cases(
    cases: Sequence[Case], spec: ModelSpec, *, group_of: GroupOf = uk_tier
) -> RiskData:
    """Model input from cases: covariates, landmark times and competing-risks causes.

    Parameters
    ----------
    cases : sequence of Case
        The cohort.
    spec : ModelSpec
        Which covariates are needed.
    group_of : callable, optional
        Maps a case to its genetic group label. Default :func:`uk_tier`.

    Returns
    -------
    RiskData
        With ``excluded`` listing ``(patient_id, reason)`` for every case left out (no
        remission, no usable MRD, event before the landmark, missing covariate, group outside
        ``spec.group_levels``).
    """
    rows: list[dict[str, float | str]] = []
    times: list[float] = []
    causes: list[int] = []
    ids: list[str] = []
    excluded: list[tuple[str, str]] = []
    for case in cases:
        row = _row(case, spec, group_of)
        if isinstance(row, str):
            excluded.append((case.patient_id, row))
            continue
        if row["group"] not in spec.group_levels:
            excluded.append((case.patient_id, f"group {row['group']!r} not in the model"))
            continue
        ep = derive_endpoints(case.outcomes) if case.outcomes else None
        if ep is None or ep.cir_days is None or ep.cir_cause is None:
            excluded.append((case.patient_id, "no remission / no outcome data"))
            continue
        t = ep.cir_days - float(row["landmark"])
        if t <= 0:
            excluded.append((case.patient_id, "event or last contact on/before the landmark"))
            continue
        rows.append(row)
        times.append(t)
        causes.append(int(ep.cir_cause))
        ids.append(case.patient_id)
    return RiskData(
        covariates=_covariates(rows, spec),
        time=np.array(times, dtype=np.float64),
        cause=np.array(causes, dtype=np.int64),
        ids=tuple(ids),
        excluded=tuple(excluded),
    )


__all__ = [
    "DEFAULT_LANDMARK_DAY",
    "covariates_from_case",
    "model_tier",
    "mrd_value",
    "risk_data_from_cases",
    "uk_tier",
]
