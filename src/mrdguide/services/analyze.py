"""Outcome tables from a registry (``mrdguide analyze``): KM or CIR by risk group or MRD band."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mrdguide.analysis._endpoints import endpoint_table, mrd_band_labels
from mrdguide.analysis.cohort import landmark_day_for
from mrdguide.analysis.landmarks import at_risk_after
from mrdguide.analysis.outcomes import GroupCurve, cif_by_group, km_by_group
from mrdguide.domain import Timepoint
from mrdguide.protocols import NOT_ASSIGNABLE, load_ruleset
from mrdguide.services.assess import assess_all
from mrdguide.settings import DEFAULT_PROTOCOL
from mrdguide.store import Registry

Endpoint = Literal["efs", "os", "cir"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeRow:
    """One group's estimate at the horizon."""

    group: str
    n: int
    events: int
    estimate: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeTable:
    """Estimates by group plus the test comparing them (log-rank or Gray)."""

    endpoint: str
    grouping: str
    horizon_days: float
    landmark_day: float | None
    test: str
    statistic: float | None
    p_value: float | None
    rows: tuple[OutcomeRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (non-finite numbers become ``null`` when written)."""
        return dataclasses.asdict(self)


def _rows(groups: tuple[GroupCurve, ...]) -> tuple[OutcomeRow, ...]:
    return tuple(
        OutcomeRow(
            group=g.group,
            n=g.n,
            events=g.n_events,
            estimate=g.at_horizon.value,
            ci_lower=g.at_horizon.ci_lower,
            ci_upper=g.at_horizon.ci_upper,
        )
        for g in groups
    )


def outcome_table(
    reg: Registry,
    *,
    endpoint: Endpoint,
    protocol: str | None,
    mrd_timepoint: Timepoint | None,
    horizon_days: float,
) -> OutcomeTable:
    """EFS/OS (Kaplan–Meier, log-rank) or CIR (Aalen–Johansen, Gray) by group.

    Groups are the protocol's risk groups (from diagnosis), or MRD bands at ``mrd_timepoint``
    (then from that time point's landmark: the 95th percentile of its sample days).
    """
    cases = list(reg.iter_cases())
    table = endpoint_table(cases)
    aligned = table.cases
    lm_day: float | None = None
    if mrd_timepoint is not None:
        labels = np.asarray(mrd_band_labels(aligned, mrd_timepoint))
        lm_day = landmark_day_for(aligned, mrd_timepoint)
        grouping = f"MRD band at {mrd_timepoint}"
    else:
        pid = protocol or DEFAULT_PROTOCOL
        load_ruleset(pid)
        assigned = {a.case: a.risk_group for a in assess_all(aligned, (pid,))[pid]}
        labels = np.asarray([assigned[p] for p in table.patient_id])
        grouping = f"{pid} risk group"
    keep = (labels != "missing") & (labels != NOT_ASSIGNABLE)
    shift = 0.0 if lm_day is None else lm_day
    if endpoint == "cir":
        times = np.nan_to_num(table.cir_days, nan=-1.0)
        keep &= table.cir_evaluable()
        if lm_day is not None:
            keep &= at_risk_after(np.maximum(times, 0.0), lm_day)
        gi = cif_by_group(
            times[keep] - shift, table.cir_cause[keep], labels[keep], horizon_days=horizon_days
        )
        return OutcomeTable(
            endpoint="cir",
            grouping=grouping,
            horizon_days=horizon_days,
            landmark_day=lm_day,
            test="Gray",
            statistic=gi.statistic,
            p_value=gi.p_value,
            rows=_rows(gi.groups),
        )
    t = table.efs_days if endpoint == "efs" else table.os_days
    ev = table.efs_event if endpoint == "efs" else table.os_event
    if lm_day is not None:
        keep &= at_risk_after(t, lm_day)
    gs = km_by_group(
        t[keep] - shift,
        ev[keep],
        labels[keep],
        endpoint=endpoint.upper(),
        horizon_days=horizon_days,
    )
    return OutcomeTable(
        endpoint=endpoint,
        grouping=grouping,
        horizon_days=horizon_days,
        landmark_day=lm_day,
        test="log-rank",
        statistic=gs.statistic,
        p_value=gs.p_value,
        rows=_rows(gs.groups),
    )
