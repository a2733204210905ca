"""Landmark analyses by MRD band and the seed study's intensification table.

MRD is known only at its time point, and MRD-triggered intensification happens after it: any
comparison by MRD or by intensification must start at a landmark. Patients with an event or lost
to follow-up before the landmark are excluded, and time is re-zeroed at the landmark
(Anderson, Cain & Gelber, J Clin Oncol 1983).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis._endpoints import EndpointTable, mrd_band_labels
from mrdguide.analysis.outcomes import (
    GroupedIncidence,
    GroupedSurvival,
    cif_by_group,
    km_by_group,
)
from mrdguide.domain import DAYS_PER_YEAR, Case, Timepoint
from mrdguide.domain.labels import label
from mrdguide.survival import landmark

SMALL_CELL = 20

CONFOUNDING_WARNING = (
    "Intensification was assigned because of MRD, not at random: the intensified and "
    "non-intensified groups differ in prognosis for reasons other than treatment (confounding "
    "by indication), and a comparison from diagnosis credits the intensified group with the "
    "event-free time before the decision (immortal-time bias). The landmark analysis removes "
    f"the immortal time but not the confounding. Groups under {SMALL_CELL} patients give unstable "
    "estimates. These figures describe the cohort; they are not evidence that intensification "
    "works and are not a treatment recommendation."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LandmarkAnalysis:
    """EFS and CIR from a landmark, by MRD band at a time point."""

    timepoint: str
    landmark_day: float
    n_evaluable: int
    n_excluded_before_landmark: int
    efs: GroupedSurvival
    cir: GroupedIncidence


def at_risk_after(time: NDArray[np.float64], at: float) -> NDArray[np.bool_]:
    """Rows event-free and under follow-up strictly after ``at`` (``survival.landmark``'s rule)."""
    return landmark(time, np.zeros(time.shape, dtype=np.int64), at).mask


def landmark_by_mrd(
    table: EndpointTable,
    timepoint: Timepoint,
    *,
    landmark_day: float,
    bands: Sequence[float] = (1e-4, 1e-3),
    horizon_days: float = 5 * DAYS_PER_YEAR,
) -> LandmarkAnalysis:
    """EFS (KM, log-rank) and CIR (Aalen–Johansen, Gray) from ``landmark_day`` by MRD band.

    Patients whose MRD at ``timepoint`` is missing are excluded; so are patients whose EFS time
    is not beyond the landmark (they had an event or were censored before it).
    """
    band = np.asarray(mrd_band_labels(table.cases, timepoint, bands))
    has = band != "missing"
    at_risk = at_risk_after(table.efs_days, landmark_day) & has
    efs = km_by_group(
        table.efs_days[at_risk] - landmark_day,
        table.efs_event[at_risk],
        band[at_risk],
        endpoint=f"EFS from the {label('timepoint_adjective', timepoint)} landmark",
        horizon_days=horizon_days,
    )
    cmask = at_risk & table.cir_evaluable()
    cir = cif_by_group(
        table.cir_days[cmask] - landmark_day,
        table.cir_cause[cmask],
        band[cmask],
        horizon_days=horizon_days,
    )
    return LandmarkAnalysis(
        timepoint=str(timepoint),
        landmark_day=landmark_day,
        n_evaluable=int(at_risk.sum()),
        n_excluded_before_landmark=int((has & ~at_risk).sum()),
        efs=efs,
        cir=cir,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class IntensificationRow:
    """The seed study's comparison for one triggering phase."""

    phase: str
    threshold: float
    n_mrd_high: int
    naive: GroupedSurvival | None
    landmark_day: float | None
    landmark: GroupedSurvival | None
    small_cells: bool


def _mrd_high(cases: Sequence[Case], tp: Timepoint, threshold: float) -> NDArray[np.bool_]:
    out = []
    for c in cases:
        m = c.mrd_at(tp)
        lvl = m.level.fraction if (m is not None and m.is_detected and m.level) else None
        out.append(lvl is not None and lvl >= threshold * (1 - 1e-12))
    return np.asarray(out, dtype=bool)


def intensification_table(
    table: EndpointTable,
    *,
    phases: Sequence[Timepoint] = (
        Timepoint.EOI,
        Timepoint.EOC,
        Timepoint.POST_IM1,
        Timepoint.POST_DI1,
        Timepoint.PRE_MAINTENANCE,
    ),
    threshold: float = 1e-3,
    horizon_days: float = 5 * DAYS_PER_YEAR,
) -> tuple[IntensificationRow, ...]:
    """5-year EFS, intensified vs not, within MRD-high patients, for each triggering phase.

    The naive analysis starts at diagnosis. The landmark analysis starts at the day by which 95%
    of that phase's intensifications had begun; patients intensified later count as not
    intensified (exposure as known at the landmark), and patients with an event or censored
    before it are excluded.
    """
    rows = []
    for tp in phases:
        high = _mrd_high(table.cases, tp, threshold)
        if high.any():
            rows.append(_intensification_row(table, tp, high, threshold, horizon_days))
    return tuple(rows)


def _intensification_row(
    table: EndpointTable,
    tp: Timepoint,
    high: NDArray[np.bool_],
    threshold: float,
    horizon_days: float,
) -> IntensificationRow:
    """Naive (from diagnosis) and landmark EFS of one triggering phase's MRD-high patients."""
    triggered = np.asarray(table.intensified_by) == str(tp)
    arm = np.where(triggered, "intensified", "not intensified")
    naive = km_by_group(
        table.efs_days[high], table.efs_event[high], arm[high],
        endpoint="EFS (naive, from diagnosis)", horizon_days=horizon_days,
    )  # fmt: skip
    days = table.intensified_day[high & triggered]
    lm_day = float(np.percentile(days, 95)) if days.size else None
    lm = None
    if lm_day is not None:
        keep = at_risk_after(table.efs_days, lm_day) & high
        # Exposure as known at the landmark: intensified later counts as not intensified.
        by_then = triggered & (table.intensified_day <= lm_day)
        arm_lm = np.where(by_then, "intensified", "not intensified")
        if keep.any():
            lm = km_by_group(
                table.efs_days[keep] - lm_day, table.efs_event[keep], arm_lm[keep],
                endpoint="EFS (landmark)", horizon_days=horizon_days,
            )  # fmt: skip
    small = any(g.n < SMALL_CELL for g in naive.groups) or len(naive.groups) < 2
    return IntensificationRow(
        phase=str(tp), threshold=threshold, n_mrd_high=int(high.sum()), naive=naive,
        landmark_day=lm_day, landmark=lm, small_cells=small,
    )  # fmt: skip
