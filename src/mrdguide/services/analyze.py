"""Outcome tables from a registry (``mrdguide analyze``): KM or CIR by risk group or MRD band."""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis import EndpointTable, endpoint_table, mrd_band_labels
from mrdguide.analysis.cohort import landmark_day_for
from mrdguide.analysis.landmarks import at_risk_after
from mrdguide.analysis.outcomes import (
    GroupCurve,
    GroupedIncidence,
    GroupedSurvival,
    cif_by_group,
    km_by_group,
)
from mrdguide.domain import Timepoint
from mrdguide.domain.display import format_p
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.protocols import NOT_ASSIGNABLE, load_ruleset
from mrdguide.reports._groups import colors_for, group_names, order_codes, ordered
from mrdguide.reports.figures import cif_figure, km_figure
from mrdguide.services.assess import assess_all
from mrdguide.services.files import write_private
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
    """Estimates by group plus the test comparing them (log-rank or Gray).

    ``protocol``/``mrd_timepoint`` say how patients were grouped and ``curves`` holds the
    curves with numbers at risk (for :func:`outcome_figure`); none of them is in
    :meth:`to_dict`. Rows are in risk order (a protocol's groups from the rule file; MRD bands
    from negative up).
    """

    endpoint: str
    grouping: str
    horizon_days: float
    landmark_day: float | None
    test: str
    statistic: float | None
    p_value: float | None
    rows: tuple[OutcomeRow, ...]
    protocol: str | None = field(default=None, compare=False)
    mrd_timepoint: Timepoint | None = field(default=None, compare=False)
    curves: GroupedSurvival | GroupedIncidence | None = field(
        default=None, compare=False, repr=False
    )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (non-finite numbers become ``null`` when written)."""
        return {
            "endpoint": self.endpoint,
            "grouping": self.grouping,
            "horizon_days": self.horizon_days,
            "landmark_day": self.landmark_day,
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "rows": [dataclasses.asdict(r) for r in self.rows],
        }


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
    protocol: str | None = None
    mrd_timepoint: Timepoint | None = None


def _grouping(
    table: EndpointTable, protocol: str | None, mrd_timepoint: Timepoint | None
) -> _Grouping:
    """MRD bands at ``mrd_timepoint`` (with its landmark) or the protocol's risk groups."""
    if mrd_timepoint is not None:
        return _Grouping(
            labels=np.asarray(mrd_band_labels(table.cases, mrd_timepoint)),
            name=f"MRD band at {mrd_timepoint}",
            landmark_day=landmark_day_for(table.cases, mrd_timepoint),
            mrd_timepoint=mrd_timepoint,
        )
    pid = protocol or DEFAULT_PROTOCOL
    load_ruleset(pid)
    assigned = {a.case: a.risk_group for a in assess_all(table.cases, (pid,))[pid]}
    labels = np.asarray([assigned[p] for p in table.patient_id])
    return _Grouping(labels=labels, name=f"{pid} risk group", landmark_day=None, protocol=pid)


def _cir_table(table: EndpointTable, g: _Grouping, horizon_days: float) -> OutcomeTable:
    keep = _known(g) & table.cir_evaluable()
    times = np.nan_to_num(table.cir_days, nan=-1.0)
    if g.landmark_day is not None:
        keep &= at_risk_after(np.maximum(times, 0.0), g.landmark_day)
    shift = g.landmark_day or 0.0
    gi = cif_by_group(
        times[keep] - shift, table.cir_cause[keep], g.labels[keep], horizon_days=horizon_days
    )
    gi = ordered(gi, g.protocol)
    return OutcomeTable(
        endpoint="cir", grouping=g.name, horizon_days=horizon_days, landmark_day=g.landmark_day,
        test="Gray", statistic=gi.statistic, p_value=gi.p_value, rows=_rows(gi.groups),
        protocol=g.protocol, mrd_timepoint=g.mrd_timepoint, curves=gi,
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
    gs = ordered(gs, g.protocol)
    return OutcomeTable(
        endpoint=endpoint, grouping=g.name, horizon_days=horizon_days,
        landmark_day=g.landmark_day, test="log-rank", statistic=gs.statistic,
        p_value=gs.p_value, rows=_rows(gs.groups), protocol=g.protocol,
        mrd_timepoint=g.mrd_timepoint, curves=gs,
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


def group_name(res: OutcomeTable, code: str) -> str:
    """A row's group in words: a protocol's group label, or an MRD band in percent."""
    return group_names([code], res.protocol)[code]


def grouping_words(res: OutcomeTable) -> str:
    """How patients were grouped, in words: ``UKALL2003 risk group``, ``end-of-induction MRD
    band``."""
    if res.mrd_timepoint is not None:
        return f"{label('timepoint_adjective', res.mrd_timepoint)} MRD band"
    return f"{label('protocol', res.protocol)} risk group"


def comparison_words(res: OutcomeTable) -> str:
    """The comparison in words: ``log-rank test χ² = 25.3, p < 0.001``."""
    if res.p_value is None:
        return f"{res.test} test not computed (one group)"
    stat = "" if res.statistic is None else f"χ² = {res.statistic:.1f}, "
    return f"{res.test} test {stat}{format_p(res.p_value)}"


def outcome_figure(res: OutcomeTable, path: Path, *, xmax_years: float = 10.0) -> Path:
    """Write the curves with their numbers-at-risk table (PNG, PDF or SVG by suffix).

    Kaplan–Meier (EFS, OS) or cumulative incidence of relapse with competing events (CIR), in
    risk order with the reports' colours, from the landmark when grouping by MRD band.

    Raises
    ------
    InputError
        If the suffix is not ``.png``, ``.pdf`` or ``.svg``, or there are no curves.
    """
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "pdf", "svg") or res.curves is None:
        raise InputError(
            f"cannot plot to {path.name!r}: use a .png, .pdf or .svg file",
            field="plot", value=str(path), rule="suffix in {.png, .pdf, .svg}",
        )  # fmt: skip
    codes = [g.group for g in res.curves.groups]
    names, colors = group_names(codes, res.protocol), colors_for(order_codes(res.protocol, codes))
    start = "diagnosis" if res.landmark_day is None else (
        f"the {label('timepoint_adjective', res.mrd_timepoint)} landmark"
    )  # fmt: skip
    title = f"{res.endpoint.upper()} by {grouping_words(res)}   {comparison_words(res)}"
    kw: dict[str, Any] = {"xmax_years": xmax_years, "title": title, "names": names,
                          "colors": colors, "xlabel": f"Years from {start}"}  # fmt: skip
    if isinstance(res.curves, GroupedIncidence):
        fig = cif_figure(res.curves, **kw)
    else:
        fig = km_figure(res.curves, **kw)
    import matplotlib.pyplot as plt  # the figures are pyplot figures: close them

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    return write_private(path, buf.getvalue())
