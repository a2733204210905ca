"""Figures render to PNG with non-empty axes and the right number of curves."""

from __future__ import annotations

import io

import matplotlib.image as mpimg
import numpy as np
import pytest

from mrdguide.analysis._endpoints import endpoint_table
from mrdguide.analysis.outcomes import cif_by_group, km_by_group
from mrdguide.reports.figures import (
    ForestRow,
    TrajectoryPoint,
    cif_figure,
    forest_figure,
    km_figure,
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


def test_km_figure_has_one_curve_per_group_and_risk_table(grouped: tuple) -> None:
    """The KM figure draws one step curve per group and a numbers-at-risk table."""
    km, _ = grouped
    fig = km_figure(km)
    curve_ax, table_ax = fig.axes
    assert len(curve_ax.lines) == len(km.groups) == 2
    assert len(table_ax.texts) >= 2 * 5
    assert curve_ax.get_ylim()[1] > 1.0
    _png_ok(to_png(fig))


def test_cif_figure_draws_relapse_and_competing_curves(grouped: tuple) -> None:
    """The CIF figure draws a relapse and a competing-event curve per group."""
    _, cif = grouped
    fig = cif_figure(cif)
    assert len(fig.axes[0].lines) == 2 * len(cif.groups)
    _png_ok(to_png(fig))


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
