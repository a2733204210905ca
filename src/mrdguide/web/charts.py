"""Server-drawn SVG geometry for the MRD trajectory (no script, no inline style: CSP-safe).

MRD is drawn on a log scale. A negative result is drawn at its sample's sensitivity (the lowest
level the assay could have detected) as an open marker; each sample's sensitivity is also drawn
as a short bar, so a "negative" at a poor sensitivity is visibly different from one at 10⁻⁵.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mrdguide.domain.display import format_mrd, format_mrd_threshold
from mrdguide.reports.figures import TrajectoryPoint

__all__ = ["Trajectory", "trajectory_chart"]

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 78, 20, 16, 52
#: Reference levels drawn as dashed lines: 0.1 % and 0.01 %.
REFERENCE = (1e-3, 1e-4)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartPoint:
    """One sample, placed in pixels."""

    x: float
    y: float
    negative: bool
    sens_y: float | None
    label: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Trajectory:
    """Everything the template draws (pixel coordinates, tick labels)."""

    width: int
    height: int
    plot: tuple[float, float, float, float]
    points: tuple[ChartPoint, ...]
    path: str
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]
    references: tuple[tuple[float, str], ...]


def _decades(values: Sequence[float]) -> tuple[int, int]:
    lo = min(-6, math.floor(math.log10(min(values))))
    hi = max(-1, math.ceil(math.log10(max(values))))
    return lo, min(hi, 0)


def trajectory_chart(points: Sequence[TrajectoryPoint]) -> Trajectory | None:
    """The chart geometry, or ``None`` when there is no evaluable sample."""
    if not points:
        return None
    x0, x1 = LEFT, WIDTH - RIGHT
    y0, y1 = TOP, HEIGHT - BOTTOM
    values = [p.value for p in points] + [p.sensitivity for p in points if p.sensitivity]
    lo, hi = _decades([v for v in values if v and v > 0] or [1e-6])
    days = [p.day for p in points]
    d0, d1 = 0.0, max(max(days) * 1.08, 40.0)

    def px(day: float) -> float:
        return round(x0 + (x1 - x0) * (day - d0) / (d1 - d0), 1)

    def py(value: float) -> float:
        v = min(max(value, 10.0**lo), 10.0**hi)
        return round(y1 - (y1 - y0) * (math.log10(v) - lo) / (hi - lo), 1)

    placed = []
    for p in points:
        what = (
            "negative, below " + format_mrd_threshold(p.sensitivity)
            if p.negative
            else format_mrd(p.value)
        )
        placed.append(
            ChartPoint(
                x=px(p.day),
                y=py(p.value),
                negative=p.negative,
                sens_y=None if not p.sensitivity else py(p.sensitivity),
                label=p.label,
                title=f"{p.label}, day {p.day:g}: {what}",
            )
        )
    path = " ".join(f"{'M' if i == 0 else 'L'}{c.x},{c.y}" for i, c in enumerate(placed))
    y_ticks = tuple((py(10.0**e), format_mrd_threshold(10.0**e)) for e in range(lo, hi + 1))
    step = 25 if d1 <= 150 else 50 if d1 <= 300 else 100
    x_ticks = tuple((px(float(d)), str(d)) for d in range(0, int(d1) + 1, step))
    refs = tuple((py(r), format_mrd_threshold(r)) for r in REFERENCE if lo <= math.log10(r) <= hi)
    return Trajectory(
        width=WIDTH,
        height=HEIGHT,
        plot=(x0, y0, x1, y1),
        points=tuple(placed),
        path=path,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        references=refs,
    )
