"""Cohort-level endpoint arrays derived from cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mrdguide.domain import Case, EventType, Timepoint, TreatmentKind, derive_endpoints
from mrdguide.domain.endpoints import InductionFailureTime


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointTable:
    """One row per patient; times in days since diagnosis.

    ``cases`` holds the patients' cases in row order (patients without outcomes are not rows), so
    that callers never re-align cases to rows themselves.

    ``cir_days``/``cir_cause`` are NaN/-1 for patients not at risk of relapse (induction failure).
    ``intensified_day`` is NaN when no MRD-triggered intensification was recorded, and
    ``intensified_by`` names the triggering time point (empty string otherwise).
    """

    patient_id: tuple[str, ...]
    cases: tuple[Case, ...]
    efs_days: NDArray[np.float64]
    efs_event: NDArray[np.bool_]
    os_days: NDArray[np.float64]
    os_event: NDArray[np.bool_]
    cir_days: NDArray[np.float64]
    cir_cause: NDArray[np.int64]
    intensified_day: NDArray[np.float64]
    intensified_by: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of patients."""
        return len(self.patient_id)

    def cir_evaluable(self) -> NDArray[np.bool_]:
        """Patients at risk of relapse (reached remission)."""
        return np.asarray(self.cir_cause >= 0)


def endpoint_table(
    cases: Sequence[Case], *, induction_failure_time: InductionFailureTime = "day0"
) -> EndpointTable:
    """Derive EFS, OS and CIR arrays for a cohort (patients without outcomes are skipped).

    Parameters
    ----------
    cases : sequence of Case
        The cohort.
    induction_failure_time : {"day0", "observed"}, optional
        When induction failure counts as an EFS event; see :func:`derive_endpoints`.

    Returns
    -------
    EndpointTable
    """
    rows = [c for c in cases if c.outcomes]
    ends = [
        derive_endpoints(c.outcomes, induction_failure_time=induction_failure_time) for c in rows
    ]
    intens_day: list[float] = []
    intens_by: list[str] = []
    for c in rows:
        ints = [t for t in c.treatments if t.kind is TreatmentKind.INTENSIFICATION]
        first = min(ints, key=lambda t: t.day) if ints else None
        intens_day.append(float(first.day) if first else np.nan)
        intens_by.append(str(first.triggered_by) if first and first.triggered_by else "")
    return EndpointTable(
        patient_id=tuple(c.patient_id for c in rows),
        cases=tuple(rows),
        efs_days=np.array([e.efs_days for e in ends], dtype=np.float64),
        efs_event=np.array([e.efs_event for e in ends], dtype=bool),
        os_days=np.array([e.os_days for e in ends], dtype=np.float64),
        os_event=np.array([e.os_event for e in ends], dtype=bool),
        cir_days=np.array([np.nan if e.cir_days is None else e.cir_days for e in ends]),
        cir_cause=np.array(
            [-1 if e.cir_cause is None else int(e.cir_cause) for e in ends], dtype=np.int64
        ),
        intensified_day=np.array(intens_day, dtype=np.float64),
        intensified_by=tuple(intens_by),
    )


def mrd_band_labels(
    cases: Sequence[Case],
    timepoint: Timepoint,
    bands: Sequence[float] = (1e-4, 1e-3),
) -> tuple[str, ...]:
    """Label each case by its MRD band at ``timepoint``.

    Bands: ``negative``; then ``<b0`` (detected below the first edge); ``b0–b1``; …; ``≥bk``.
    Comparators: a level equal to an edge belongs to the higher band (``≥``). Missing or not
    evaluable results are ``missing``.
    """
    edges = sorted(bands)
    out: list[str] = []
    for c in cases:
        m = c.mrd_at(timepoint)
        if m is None or m.status.value == "not_evaluable":
            out.append("missing")
        elif m.status.value == "negative":
            out.append("negative")
        else:
            lvl = m.level.fraction if m.level is not None else None
            out.append("missing" if lvl is None else _band(lvl, edges))
    return tuple(out)


def _band(level: float, edges: Sequence[float]) -> str:
    idx = int(np.searchsorted(np.asarray(edges), level * (1 + 1e-12), side="right"))
    if idx == 0:
        return f"<{edges[0]:.0e}"
    if idx == len(edges):
        return f"≥{edges[-1]:.0e}"
    return f"{edges[idx - 1]:.0e}–{edges[idx]:.0e}"


EVENT_CODES = {int(e): e.name.lower() for e in EventType}
