"""MRD kinetics across a patient's time points.

* **Log reduction** between consecutive measurements: ``log10(before) - log10(after)``. When
  both are detected with a level it is exact. Detected then negative gives a lower bound
  (``after`` replaced by its sensitivity: the fall is *at least* that much), provided the
  sensitivity is below the earlier level; otherwise nothing can be said. Other pairs have no
  number.
* **Time to negativity**: the first measurement that is negative *at* ``required_sensitivity``
  (``MRDMeasurement.negative_at``): "negative at 1e-3" never satisfies "negative at 1e-4".
* **Re-emergence**: a detected result after a negative one (conversion), or a detected level at
  least ``rise_logs`` (default 1 log, as in the issue; a common molecular-relapse convention
  [R]) above the lowest earlier detected level.

Reasons and warnings are sentences for people (MRD in percent, time points and methods by
their labels). Measurements are ordered by ``sample_day`` when every one has it, else by the
case-format time-point order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from mrdguide.domain import TIMEPOINT_ORDER, MRDMeasurement, MRDStatus, Timepoint
from mrdguide.domain.display import format_mrd
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.mrd._common import DEFAULT_TARGET_SENSITIVITY


class Bound(StrEnum):
    """How a log reduction is known."""

    EXACT = "exact"
    AT_LEAST = "at_least"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class KineticStep:
    """Change between two consecutive measurements."""

    start: Timepoint
    end: Timepoint
    log_reduction: float | None
    bound: Bound


@dataclass(frozen=True, slots=True, kw_only=True)
class MRDKinetics:
    """Kinetics of one patient's MRD series.

    Attributes
    ----------
    measurements : tuple of MRDMeasurement
        The series in chronological order.
    steps : tuple of KineticStep
        One step per consecutive pair.
    required_sensitivity : float
        Sensitivity a negative had to reach for ``negative_timepoint``.
    negative_timepoint, time_to_negativity_days : Timepoint or None, int or None
        First result negative at ``required_sensitivity``, and its sample day.
    re_emergence : bool
        Conversion after a negative, or a rise of at least ``rise_logs``.
    re_emergence_timepoint : Timepoint or None
        Where re-emergence was first seen.
    reasons, warnings : tuple of str
        Why re-emergence was flagged; notes such as mixed methods.
    """

    measurements: tuple[MRDMeasurement, ...]
    steps: tuple[KineticStep, ...]
    required_sensitivity: float
    negative_timepoint: Timepoint | None
    time_to_negativity_days: int | None
    re_emergence: bool
    re_emergence_timepoint: Timepoint | None
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]


def _ordered(ms: Sequence[MRDMeasurement]) -> list[MRDMeasurement]:
    if all(m.sample_day is not None for m in ms):
        return sorted(ms, key=lambda m: (m.sample_day, TIMEPOINT_ORDER.index(m.timepoint)))
    return sorted(ms, key=lambda m: TIMEPOINT_ORDER.index(m.timepoint))


def _step(a: MRDMeasurement, b: MRDMeasurement) -> KineticStep:
    la = a.level.fraction if a.is_detected and a.level is not None else 0.0
    if la > 0 and b.is_detected and b.level is not None and b.level.fraction > 0:
        red: float | None = math.log10(la) - math.log10(b.level.fraction)
        bound = Bound.EXACT
    elif (
        la > 0
        and b.status is MRDStatus.NEGATIVE
        and b.sensitivity is not None
        and b.sensitivity.fraction < la
    ):
        red, bound = math.log10(la) - math.log10(b.sensitivity.fraction), Bound.AT_LEAST
    else:
        red, bound = None, Bound.UNKNOWN
    return KineticStep(start=a.timepoint, end=b.timepoint, log_reduction=red, bound=bound)


def _at(m: MRDMeasurement) -> str:
    """When a sample was taken, in words: ``at the end of induction``, ``on day 15``."""
    short = label("timepoint_short", m.timepoint)
    if short.startswith("day"):
        return f"on {short}"
    return f"at the {short}" if short.startswith("end") else short


def _re_emergence(ms: list[MRDMeasurement], rise_logs: float) -> tuple[int | None, list[str]]:
    seen_negative = False
    nadir: float | None = None
    for i, m in enumerate(ms):
        lvl = m.level.fraction if m.is_detected and m.level is not None else None
        if m.is_detected and seen_negative:
            return i, [f"MRD detected {_at(m)} following an earlier negative result (conversion)."]
        if lvl is not None and lvl > 0:
            if nadir is not None and math.log10(lvl) - math.log10(nadir) >= rise_logs - 1e-12:
                return i, [
                    f"MRD {format_mrd(lvl)} {_at(m)} is at least {rise_logs:g} log above the "
                    f"earlier lowest level, {format_mrd(nadir)}."
                ]
            nadir = lvl if nadir is None else min(nadir, lvl)
        if m.status is MRDStatus.NEGATIVE:
            seen_negative = True
    return None, []


def kinetics(
    measurements: Sequence[MRDMeasurement],
    *,
    required_sensitivity: float = DEFAULT_TARGET_SENSITIVITY,
    rise_logs: float = 1.0,
) -> MRDKinetics:
    """Summarise a patient's MRD series.

    Parameters
    ----------
    measurements : sequence of MRDMeasurement
        At least one measurement; order does not matter.
    required_sensitivity : float, default 1e-4
        Sensitivity a negative result must reach to count for time to negativity (ASH 2021
        MRD-negative definition [V]).
    rise_logs : float, default 1.0
        Rise (in log10) over the lowest earlier detected level that flags re-emergence.

    Returns
    -------
    MRDKinetics

    Raises
    ------
    InputError
        Empty series, duplicate time points, or a non-positive parameter.
    """
    if not measurements:
        raise InputError(
            "kinetics needs at least one measurement.",
            field="measurements",
            value=0,
            rule="len >= 1",
        )
    if not (0 < required_sensitivity <= 1) or rise_logs <= 0:
        raise InputError(
            f"required_sensitivity must be in (0, 1] and rise_logs > 0; got "
            f"{required_sensitivity!r}, {rise_logs!r}.",
            field="required_sensitivity",
            value=(required_sensitivity, rise_logs),
            rule="0 < required_sensitivity <= 1, rise_logs > 0",
        )
    ms = _ordered(measurements)
    tps = [m.timepoint for m in ms]
    if len(set(tps)) != len(tps):
        raise InputError(
            "duplicate time points in the series.",
            field="timepoint",
            value=[str(t) for t in tps],
            rule="one measurement per time point",
        )
    warnings = []
    methods = list(dict.fromkeys(m.method for m in ms))
    if len(methods) > 1:
        warnings.append(
            "The series mixes methods (" + ", ".join(label("method", x) for x in methods) + "); "
            "log reductions across methods are indicative."
        )
    neg = next((m for m in ms if m.negative_at(required_sensitivity)), None)
    idx, reasons = _re_emergence(ms, rise_logs)
    return MRDKinetics(
        measurements=tuple(ms),
        steps=tuple(_step(a, b) for a, b in pairwise(ms)),
        required_sensitivity=required_sensitivity,
        negative_timepoint=neg.timepoint if neg else None,
        time_to_negativity_days=neg.sample_day if neg else None,
        re_emergence=idx is not None,
        re_emergence_timepoint=ms[idx].timepoint if idx is not None else None,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
    )
