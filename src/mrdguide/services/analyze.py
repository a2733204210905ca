"""Outcome tables from a registry (``mrdguide analyze``): KM or CIR by risk group or MRD band."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis import EndpointTable, endpoint_table, mrd_band_labels
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Grouping:
    labels: NDArray[np.str_]
    name: str
    landmark_day: float | None


def _grouping(
    table: EndpointTable, protocol: str | None, mrd_timepoint: Timepoint | None
) -> _Grouping:
    """MRD bands at ``mrd_timepoint`` (with its landmark) or the protocol's risk groups."""
    if mrd_timepoint is not None:
        return _Grouping(
            labels=np.asarray(mrd_band_labels(table.cases, mrd_timepoint)),
            name=f"MRD band at {mrd_timepoint}",
            landmark_day=landmark_day_for(table.cases, mrd_timepoint),
        )
    pid = protocol or DEFAULT_PROTOCOL
    load_ruleset(pid)
    assigned = {a.case: a.risk_group for a in assess_all(table.cases, (pid,))[pid]}
    labels = np.asarray([assigned[p] for p in table.patient_id])
    return _Grouping(labels=labels, name=f"{pid} risk group", landmark_day=None)


def _cir_table(table: EndpointTable, g: _Grouping, horizon_days: float) -> OutcomeTable:
    keep = _known(g) & table.cir_evaluable()
    times = np.nan_to_num(table.cir_days, nan=-1.0)
    if g.landmark_day is not None:
        keep &= at_risk_after(np.maximum(times, 0.0), g.landmark_day)
    shift = g.landmark_day or 0.0
    gi = cif_by_group(
        times[keep] - shift, table.cir_cause[keep], g.labels[keep], horizon_days=horizon_days
    )
    return OutcomeTable(
        endpoint="cir", grouping=g.name, horizon_days=horizon_days, landmark_day=g.landmark_day,
        test="Gray", statistic=gi.statistic, p_value=gi.p_value, rows=_rows(gi.groups),
    )  # fmt: skip


def _km_table(
    table: EndpointTable, g: _Grouping, endpoint: Endpoint, horizon_days: float
) -> OutcomeTable:
    t = table.efs_days if endpoint == "efs" else table.os_days
    ev = table.efs_event if endpoint == "efs" else table.os_event
    keep = _known(g)
    if g.landmark_day is not None:
        keep &= at_risk_after(t, g.landmark_day)
    shift = g.landmark_day or 0.0
    gs = km_by_group(
        t[keep] - shift, ev[keep], g.labels[keep], endpoint=endpoint.upper(),
        horizon_days=horizon_days,
    )  # fmt: skip
    return OutcomeTable(
        endpoint=endpoint, grouping=g.name, horizon_days=horizon_days,
        landmark_day=g.landmark_day, test="log-rank", statistic=gs.statistic,
        p_value=gs.p_value, rows=_rows(gs.groups),
    )  # fmt: skip


def _known(g: _Grouping) -> NDArray[np.bool_]:
    return np.asarray((g.labels != "missing") & (g.labels != NOT_ASSIGNABLE))


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
    table = endpoint_table(list(reg.iter_cases()))
    g = _grouping(table, protocol, mrd_timepoint)
    if endpoint == "cir":
        return _cir_table(table, g, horizon_days)
    return _km_table(table, g, endpoint, horizon_days)
