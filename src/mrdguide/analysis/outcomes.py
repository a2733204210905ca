"""Grouped survival and competing-risks summaries for cohort reports.

Every number here comes from :mod:`mrdguide.survival`; this module only groups, selects time
points and packages results so that report templates do no arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.errors import EstimationError
from mrdguide.protocols import NOT_ASSIGNABLE
from mrdguide.survival import (
    CumulativeIncidence,
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank_test,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A point estimate with its confidence interval."""

    value: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupCurve:
    """One group's step curve plus its estimate at the horizon and numbers at risk."""

    group: str
    n: int
    n_events: int
    time: FloatArray
    value: FloatArray
    at_horizon: Estimate
    risk_times: FloatArray
    n_at_risk: NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupedSurvival:
    """KM curves by group with the log-rank test (``p_value`` is None for one group)."""

    endpoint: str
    horizon_days: float
    groups: tuple[GroupCurve, ...]
    statistic: float | None
    df: int | None
    p_value: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupedIncidence:
    """Cumulative incidence of the event of interest and of the competing events, by group."""

    horizon_days: float
    cause_of_interest: int
    groups: tuple[GroupCurve, ...]
    competing: tuple[GroupCurve, ...]
    statistic: float | None
    p_value: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp:
    """Median follow-up by the reverse Kaplan–Meier method, with quartiles, in days."""

    median: float
    q1: float
    q3: float


def _step(times: FloatArray, values: FloatArray, t: float, start: float) -> float:
    idx = int(np.searchsorted(times, t, side="right")) - 1
    return start if idx < 0 else float(values[idx])


def _risk_table(time: FloatArray, ticks: FloatArray) -> NDArray[np.int64]:
    # Number at risk at t counts subjects whose follow-up is >= t (as survminer/R plots).
    srt = np.sort(time)
    return (len(srt) - np.searchsorted(srt, ticks, side="left")).astype(np.int64)


def _labels(group: ArrayLike) -> tuple[NDArray[np.str_], list[str]]:
    g = np.asarray(group).astype(str)
    return g, sorted(set(g.tolist()), key=_natural_key)


_ORDER = {
    "negative": 0,
    "low": 0,
    "sr": 0,
    "mrd-low": 0,
    "standard": 1,
    "mr": 2,
    "ir": 2,
    "intermediate": 2,
    "average": 2,
    "mrd-indeterminate": 2,
    "mrd-high": 3,
    "hr": 3,
    "high": 3,
    "very-high": 4,
    "vhr": 4,
    "not intensified": 0,
    "intensified": 1,
    NOT_ASSIGNABLE: 9,
    "missing": 9,
}


def _natural_key(s: str) -> tuple[int, float, str]:
    """Risk-group order (low before high) and MRD bands by their lower edge."""
    if s.startswith("<"):
        return (1, -1.0, s)
    if s.startswith("≥"):
        return (1, float(s[1:]) * 10, s)
    if "–" in s:
        try:
            return (1, float(s.split("–", maxsplit=1)[0]), s)
        except ValueError:
            pass
    return (_ORDER.get(s, 5), 0.0, s)


def km_by_group(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    endpoint: str,
    horizon_days: float = 5 * DAYS_PER_YEAR,
    ticks: ArrayLike | None = None,
    conf_type: str = "log-log",
) -> GroupedSurvival:
    """Kaplan–Meier curves by group, estimates at ``horizon_days`` and the log-rank test.

    Parameters
    ----------
    time, event, group : array_like
        Follow-up in days, event indicator and group label per patient.
    endpoint : str
        Name shown in reports (``"EFS"``, ``"OS"``).
    horizon_days : float, optional
        Time of the reported point estimate (default 5 years).
    ticks : array_like, optional
        Times for the numbers-at-risk table (default: yearly to 10 years).
    conf_type : str, optional
        CI transform passed to :func:`mrdguide.survival.kaplan_meier`.
    """
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event).astype(bool)
    g, labels = _labels(group)
    tk = np.asarray(np.arange(0, 11) * DAYS_PER_YEAR if ticks is None else ticks, dtype=np.float64)
    curves = []
    for lab in labels:
        m = g == lab
        km = kaplan_meier(t[m], e[m], conf_type=conf_type)  # type: ignore[arg-type]
        if horizon_days > float(t[m].max()):
            # As R's summary(survfit, times=): no estimate past the group's follow-up.
            est = Estimate(value=math.nan, ci_lower=math.nan, ci_upper=math.nan)
        else:
            est = Estimate(
                value=_step(km.time, km.survival, horizon_days, 1.0),
                ci_lower=_step(km.time, km.ci_lower, horizon_days, 1.0),
                ci_upper=_step(km.time, km.ci_upper, horizon_days, 1.0),
            )
        curves.append(
            GroupCurve(
                group=lab,
                n=int(m.sum()),
                n_events=int(e[m].sum()),
                time=km.time,
                value=km.survival,
                at_horizon=est,
                risk_times=tk,
                n_at_risk=_risk_table(t[m], tk),
            )
        )
    stat = df = p = None
    if len(labels) > 1:
        try:
            res = logrank_test(t, e, g)
            stat, df, p = float(res.statistic), int(res.df), float(res.p_value)
        except EstimationError:
            stat = df = p = None
    return GroupedSurvival(
        endpoint=endpoint,
        horizon_days=horizon_days,
        groups=tuple(curves),
        statistic=stat,
        df=df,
        p_value=p,
    )


def _cif_curve(
    cif: CumulativeIncidence,
    t: FloatArray,
    mask: NDArray[np.bool_],
    cause: int,
    horizon: float,
    ticks: FloatArray,
    group: str,
    n_events: int,
) -> GroupCurve:
    tt = np.unique(t[mask])
    vals = np.asarray(cif.at(tt, cause=cause, group=group), dtype=np.float64)
    lo, hi = cif.ci_at(horizon, cause=cause, group=group)
    return GroupCurve(
        group=group,
        n=int(mask.sum()),
        n_events=n_events,
        time=tt,
        value=vals,
        at_horizon=Estimate(
            value=cif.at(horizon, cause=cause, group=group), ci_lower=lo, ci_upper=hi
        ),
        risk_times=ticks,
        n_at_risk=_risk_table(t[mask], ticks),
    )


def cif_by_group(
    time: ArrayLike,
    cause: ArrayLike,
    group: ArrayLike,
    *,
    cause_of_interest: int = 1,
    horizon_days: float = 5 * DAYS_PER_YEAR,
    ticks: ArrayLike | None = None,
    conf_level: float = 0.95,
) -> GroupedIncidence:
    """Cumulative incidence by group (Aalen–Johansen) with Gray's test.

    The competing-event curves (all other causes pooled into cause 2) are returned as well,
    because CIR alone can mislead when competing mortality differs between groups.
    """
    t = np.asarray(time, dtype=np.float64)
    c = np.asarray(cause, dtype=np.int64)
    pooled = np.where((c != 0) & (c != cause_of_interest), 2, np.where(c == 0, 0, 1))
    g, labels = _labels(group)
    tk = np.asarray(np.arange(0, 11) * DAYS_PER_YEAR if ticks is None else ticks, dtype=np.float64)
    cif = cumulative_incidence(t, pooled, group=g, conf_level=conf_level)
    mains: list[GroupCurve] = []
    comps: list[GroupCurve] = []
    for lab in labels:
        m = g == lab
        for cz, out in ((1, mains), (2, comps)):
            n_ev = int(((pooled == cz) & m).sum())
            out.append(_cif_curve(cif, t, m, cz, horizon_days, tk, lab, n_ev))
    stat = p = None
    if len(labels) > 1:
        try:
            res = gray_test(t, pooled, g, cause_of_interest=1)
            stat, p = float(res.statistic), float(res.p_value)
        except EstimationError:
            # e.g. a group without any event of interest: the test is not defined; shown as "–".
            stat = p = None
    return GroupedIncidence(
        horizon_days=horizon_days,
        cause_of_interest=cause_of_interest,
        groups=tuple(mains),
        competing=tuple(comps),
        statistic=stat,
        p_value=p,
    )


def median_follow_up(time: ArrayLike, event: ArrayLike) -> FollowUp:
    """Median follow-up and quartiles by reverse Kaplan–Meier (censoring as the event)."""
    t = np.asarray(time, dtype=np.float64)
    e = np.asarray(event).astype(bool)
    rev = kaplan_meier(t, ~e, conf_type="plain")

    def q(p: float) -> float:
        hit = np.nonzero(rev.survival <= 1 - p + 1e-12)[0]
        return float(rev.time[hit[0]]) if hit.size else float("nan")

    return FollowUp(median=q(0.5), q1=q(0.25), q3=q(0.75))


def label_counts(labels: Sequence[str]) -> dict[str, int]:
    """Counts per label, in natural order (low before high)."""
    uniq = sorted(set(labels), key=_natural_key)
    return {u: sum(1 for x in labels if x == u) for u in uniq}
