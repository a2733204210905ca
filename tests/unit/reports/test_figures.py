"""Figures render to PNG with non-empty axes and the right number of curves."""

from __future__ import annotations

import io
import itertools

import matplotlib.image as mpimg
import numpy as np
import pytest

from mrdguide.analysis._endpoints import endpoint_table
from mrdguide.analysis.outcomes import cif_by_group, km_by_group
from mrdguide.reports._layout import label_boxes
from mrdguide.reports.figures import (
    MIN_AT_RISK,
    ForestRow,
    TrajectoryPoint,
    cif_figure,
    forest_figure,
    group_colors,
    km_figure,
    reliable_until,
    sequential_colors,
    to_png,
    trajectory_figure,
)

from ..analysis.cohort_fixture import group_of, make_cohort


@pytest.fixture(scope="module")
def grouped() -> tuple:
    """KM and CIF results by a two-level grouping."""
    cases = make_cohort(300, seed=11)
    t = endpoint_table(cases)
    by = {c.patient_id: c for c in cases}
    g = np.array([group_of(by[p]) for p in t.patient_id])
    m = t.cir_evaluable()
    return (
        km_by_group(t.efs_days, t.efs_event, g, endpoint="EFS"),
        cif_by_group(t.cir_days[m], t.cir_cause[m], g[m]),
    )


def _png_ok(png: bytes, min_px: int = 300) -> np.ndarray:
    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[0] >= min_px and img.shape[1] >= min_px
    # Not a blank canvas: a meaningful share of pixels differ from white.
    rgb = img[..., :3]
    assert (rgb < 0.9).any(axis=-1).mean() > 0.01
    return img


def _solid(ax: object) -> list:
    return [ln for ln in ax.lines if ln.get_gid() != "faded"]  # type: ignore[attr-defined]


def _tick_texts(ax: object, axis: str = "y") -> list[str]:
    fig = ax.figure  # type: ignore[attr-defined]
    fig.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()  # type: ignore[attr-defined]
    return [t.get_text() for t in labels if t.get_text()]


def test_km_figure_has_one_curve_per_group_and_risk_table(grouped: tuple) -> None:
    """The KM figure draws one step curve per group, a numbers-at-risk table, y axis in %."""
    km, _ = grouped
    fig = km_figure(km, names={"standard": "standard risk", "high": "high risk"})
    curve_ax, table_ax = fig.axes
    assert len(_solid(curve_ax)) == len(km.groups) == 2
    assert len(table_ax.texts) >= 2 * 5
    assert curve_ax.get_ylim()[1] > 1.0
    ticks = _tick_texts(curve_ax)
    assert ticks and all(t.endswith("%") for t in ticks)
    assert "100%" in ticks
    legend = [t.get_text() for t in curve_ax.get_legend().get_texts()]
    assert any(t.startswith("standard risk (n = ") for t in legend)
    assert [t.get_text() for t in table_ax.get_yticklabels()] == ["high risk", "standard risk"]
    _png_ok(to_png(fig))


def test_km_curves_fade_where_fewer_than_ten_are_at_risk(grouped: tuple) -> None:
    """After the last yearly mark with >= 10 at risk the curve continues faded, not solid."""
    km, _ = grouped
    fig = km_figure(km)
    ax = fig.axes[0]
    for curve, solid in zip(km.groups, _solid(ax), strict=True):
        cut = reliable_until(curve)
        ticks = curve.risk_times / 365.25
        n = curve.n_at_risk
        # Independent reading of the at-risk table: the last tick with >= MIN_AT_RISK.
        expected = max(t for t, k in zip(ticks, n, strict=True) if k >= MIN_AT_RISK)
        assert cut == (float("inf") if n.min() >= MIN_AT_RISK else expected)
        assert max(solid.get_xdata()) <= cut
    faded = [ln for ln in ax.lines if ln.get_gid() == "faded"]
    assert faded, "the fixture's groups fall below 10 at risk before 10 years"
    assert all(ln.get_alpha() < 1 for ln in faded)


def test_cif_figure_draws_relapse_and_competing_curves(grouped: tuple) -> None:
    """The CIF figure draws a relapse and a competing-event curve per group, y axis in %."""
    _, cif = grouped
    fig = cif_figure(cif)
    assert len(_solid(fig.axes[0])) == 2 * len(cif.groups)
    assert all(t.endswith("%") for t in _tick_texts(fig.axes[0]))
    _png_ok(to_png(fig))


def _luminance(hex_color: str) -> float:
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_ordered_groups_get_darker_with_risk(n: int) -> None:
    """Sequential palette: each higher-risk group is darker; 'not assignable' is grey."""
    lum = [_luminance(c) for c in sequential_colors(n)]
    assert all(a > b for a, b in itertools.pairwise(lum))
    cols = group_colors(["sr", "mr", "hr", "not_assignable"], ("not_assignable",))
    assert cols[:3] == sequential_colors(3)
    assert cols[3] == "#8c8c8c"


def test_forest_axis_reads_plain_numbers() -> None:
    """Ratio ticks read 0.4, 0.6, 1, 2 — never 4×10⁻¹ or 10⁰."""
    rows = [
        ForestRow(name="a", ratio=0.5, ci_lower=0.35, ci_upper=0.8, p_value=0.01),
        ForestRow(name="b", ratio=1.6, ci_lower=1.1, ci_upper=2.3, p_value=0.02),
    ]
    ticks = _tick_texts(forest_figure(rows, title="t", xlabel="HR").axes[0], "x")
    assert ticks == ["0.4", "0.6", "1", "2"]


def test_forest_figure_skips_non_estimable_terms() -> None:
    """Terms with NaN ratios (not estimable) are left out of the forest plot."""
    rows = [
        ForestRow(name="a", ratio=2.0, ci_lower=1.2, ci_upper=3.1, p_value=0.01),
        ForestRow(name="b", ratio=float("nan"), ci_lower=np.nan, ci_upper=np.nan, p_value=1),
        ForestRow(name="c", ratio=0.5, ci_lower=0.3, ci_upper=0.9, p_value=0.02),
    ]
    fig = forest_figure(rows, title="t", xlabel="HR")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["a", "c"]
    _png_ok(to_png(fig), min_px=100)


def test_trajectory_labels_do_not_overlap() -> None:
    """Crowded early samples: labels overlap neither each other nor markers, stay in the axes."""
    pts = [
        TrajectoryPoint(label="day 8 (blood)", day=8, value=0.66, negative=False, sensitivity=1e-4),
        TrajectoryPoint(label="day 15", day=15, value=1.0, negative=False, sensitivity=1e-4),
        TrajectoryPoint(label="day 19", day=19, value=0.13, negative=False, sensitivity=1e-4),
        TrajectoryPoint(
            label="end of induction", day=29, value=0.128, negative=False, sensitivity=1e-5
        ),
        TrajectoryPoint(
            label="end of consolidation", day=78, value=0.21, negative=False, sensitivity=1e-5
        ),
    ]
    fig = trajectory_figure(pts, title="MRD trajectory")
    ax = fig.axes[0]
    boxes = label_boxes(ax, list(ax.texts))
    assert len(boxes) == len(pts)
    frame = ax.get_window_extent()
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
        for p in pts:
            x, y = ax.transData.transform((p.day, p.value))
            assert not a.contains(x, y)
    legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    assert "sensitivity" in legend and "0.1%" in legend
    ticks = _tick_texts(ax)
    assert "0.01%" in ticks and "100%" in ticks
    _png_ok(to_png(fig))


def test_trajectory_draws_negatives_at_sensitivity() -> None:
    """Negative samples are drawn at their sensitivity on a log axis."""
    pts = [
        TrajectoryPoint(label="eoi", day=33, value=2e-3, negative=False, sensitivity=1e-4),
        TrajectoryPoint(label="eoc", day=78, value=1e-5, negative=True, sensitivity=1e-5),
    ]
    fig = trajectory_figure(pts, title="x")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    offsets = [c.get_offsets() for c in ax.collections]
    ys = sorted(float(o[0][1]) for o in offsets if len(o))
    assert ys == [1e-5, 2e-3]
    _png_ok(to_png(fig))
