"""Greedy placement of point labels so that they overlap nothing else in the axes.

Each label tries a fixed list of offsets around its point (above, below, right, left, the
diagonals, then farther out with a leader line) and takes the first whose box lies inside the
axes and clear of every marker, every earlier label and the given obstacles. When none is clear,
the least-overlapping candidate inside the axes is used. The order is fixed, so the layout is
deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

#: (dx, dy) in points, horizontal and vertical alignment; near candidates first.
CANDIDATES: tuple[tuple[float, float, str, str], ...] = (
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
    (6, 6, "left", "bottom"),
    (-6, 6, "right", "bottom"),
    (6, -6, "left", "top"),
    (-6, -6, "right", "top"),
    (0, 18, "center", "bottom"),
    (0, -18, "center", "top"),
    (12, 16, "left", "bottom"),
    (-12, 16, "right", "bottom"),
    (12, -16, "left", "top"),
    (-12, -16, "right", "top"),
    (0, 30, "center", "bottom"),
    (0, -30, "center", "top"),
    (16, 28, "left", "bottom"),
    (-16, 28, "right", "bottom"),
    (16, -28, "left", "top"),
    (-16, -28, "right", "top"),
)
#: Offsets farther than this (points) get a thin leader line to their point.
LEADER_FROM = 12.0
#: Radius (points) of the box kept clear around each marker.
MARKER_RADIUS = 3.5


def _overlap(a: Bbox, boxes: Sequence[Bbox]) -> float:
    total = 0.0
    for b in boxes:
        hit = Bbox.intersection(a, b)
        if hit is not None:
            total += hit.width * hit.height
    return total


def _inside(a: Bbox, outer: Bbox) -> bool:
    return bool(a.x0 >= outer.x0 and a.x1 <= outer.x1 and a.y0 >= outer.y0 and a.y1 <= outer.y1)


def _marker_boxes(ax: Axes, points: Sequence[tuple[float, float]]) -> list[Bbox]:
    r = MARKER_RADIUS * ax.figure.dpi / 72
    out = []
    for x, y in points:
        px, py = ax.transData.transform((x, y))
        out.append(Bbox.from_extents(px - r, py - r, px + r, py + r))
    return out


def _text_box(ann: Annotation, renderer: RendererBase) -> Bbox:
    """The text's own box in display space (an annotation's extent also covers its leader)."""
    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def _try(
    ax: Axes, text: str, xy: tuple[float, float], cand: tuple[float, float, str, str],
    fontsize: float, renderer: RendererBase,
) -> tuple[Annotation, Bbox]:  # fmt: skip
    dx, dy, ha, va = cand
    far = (dx * dx + dy * dy) ** 0.5 > LEADER_FROM
    ann = ax.annotate(
        text,
        xy,
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=fontsize,
        arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.6} if far else None,
        annotation_clip=False,
    )
    box = _text_box(ann, renderer).padded(1.0)
    return ann, box


def place_labels(
    ax: Axes,
    items: Sequence[tuple[str, float, float]],
    *,
    obstacles: Sequence[Artist] = (),
    fontsize: float = 7.0,
) -> list[Annotation]:
    """Annotate each ``(text, x, y)`` at a non-overlapping offset; return the annotations.

    Call after the axes limits, scales and legend are final: positions are measured in display
    coordinates.
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    taken = _marker_boxes(ax, [(x, y) for _, x, y in items])
    taken += [o.get_window_extent(renderer) for o in obstacles]
    placed: list[Annotation] = []
    for text, x, y in items:
        best: tuple[float, Annotation, Bbox] | None = None
        for cand in CANDIDATES:
            ann, box = _try(ax, text, (x, y), cand, fontsize, renderer)
            score = _overlap(box, taken) + (0.0 if _inside(box, frame) else 1e9)
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, ann, box)
            else:
                ann.remove()
            if score == 0:
                break
        assert best is not None
        placed.append(best[1])
        taken.append(best[2])
    return placed


def label_boxes(ax: Axes, labels: Sequence[Annotation]) -> list[Bbox]:
    """Display-space boxes of placed labels (for tests)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return [_text_box(a, renderer) for a in labels]
