"""Publication-style figures rendered with matplotlib (Agg backend, no display needed).

Each function takes already-computed results and returns a ``Figure``; nothing here computes a
statistic. ``to_png`` renders to bytes for embedding in self-contained HTML.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from mrdguide.analysis.outcomes import GroupCurve, GroupedIncidence, GroupedSurvival

DAYS_PER_YEAR = 365.25
PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057")


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """Render ``fig`` to PNG bytes and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    """A ``data:`` URI for embedding a PNG in HTML."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _steps(curve: GroupCurve, start: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.concatenate([[0.0], curve.time / DAYS_PER_YEAR])
    y = np.concatenate([[start], curve.value])
    return x, y


def _risk_table(
    ax: Axes, curves: Sequence[GroupCurve], xmax: float, xlabel: str = "Years from diagnosis"
) -> None:
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.5, len(curves) - 0.5)
    ax.set_yticks(range(len(curves)))
    ax.set_yticklabels([c.group for c in reversed(curves)], fontsize=8)
    for row, c in enumerate(reversed(curves)):
        for t, n in zip(c.risk_times / DAYS_PER_YEAR, c.n_at_risk, strict=True):
            if t <= xmax:
                ax.text(t, row, str(int(n)), ha="center", va="center", fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_title("Number at risk", fontsize=8, loc="left")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=16)


def _curve_axes(n_groups: int) -> tuple[Figure, Axes, Axes]:
    fig = plt.figure(figsize=(6.4, 4.6 + 0.18 * n_groups))
    gs = fig.add_gridspec(2, 1, height_ratios=[4, 0.5 + 0.35 * n_groups], hspace=0.35)
    ax = fig.add_subplot(gs[0])
    tab = fig.add_subplot(gs[1], sharex=ax)
    return fig, ax, tab


def km_figure(
    gs: GroupedSurvival,
    *,
    xmax_years: float = 10.0,
    title: str = "",
    xlabel: str = "Years from diagnosis",
) -> Figure:
    """Kaplan–Meier curves by group with a numbers-at-risk table under the plot."""
    fig, ax, tab = _curve_axes(len(gs.groups))
    for i, c in enumerate(gs.groups):
        x, y = _steps(c, 1.0)
        lab = f"{c.group} (n={c.n}): {_est(c)}"
        ax.step(x, y, where="post", color=PALETTE[i % len(PALETTE)], label=lab, lw=1.6)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, xmax_years)
    ax.set_ylabel(f"{gs.endpoint} probability")
    ptxt = "" if gs.p_value is None else f"log-rank p = {_fmt_p(gs.p_value)}"
    ax.set_title(title or f"{gs.endpoint} by group   {ptxt}", fontsize=10, loc="left")
    ax.legend(
        loc="lower left",
        fontsize=7,
        frameon=False,
        title=f"{gs.horizon_days / DAYS_PER_YEAR:.0f}-year estimate [95% CI]",
        title_fontsize=7,
    )
    ax.grid(alpha=0.25)
    _risk_table(tab, gs.groups, xmax_years, xlabel)
    return fig


def cif_figure(gi: GroupedIncidence, *, xmax_years: float = 10.0, title: str = "") -> Figure:
    """Cumulative incidence of relapse (solid) and of competing events (dashed) by group."""
    fig, ax, tab = _curve_axes(len(gi.groups))
    for i, (c, k) in enumerate(zip(gi.groups, gi.competing, strict=True)):
        col = PALETTE[i % len(PALETTE)]
        x, y = _steps(c, 0.0)
        ax.step(x, y, where="post", color=col, lw=1.6, label=f"{c.group} relapse: {_est(c)}")
        x2, y2 = _steps(k, 0.0)
        ax.step(
            x2,
            y2,
            where="post",
            color=col,
            lw=1.1,
            ls="--",
            label=f"{k.group} competing: {k.at_horizon.value:.0%}",
        )
    top = max([0.05, *(float(np.max(c.value, initial=0)) for c in gi.groups + gi.competing)])
    ax.set_ylim(0, min(1.0, top * 1.25))
    ax.set_xlim(0, xmax_years)
    ax.set_ylabel("Cumulative incidence")
    ptxt = "" if gi.p_value is None else f"Gray's test p = {_fmt_p(gi.p_value)}"
    ax.set_title(title or f"Relapse with competing events   {ptxt}", fontsize=10, loc="left")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.grid(alpha=0.25)
    _risk_table(tab, gi.groups, xmax_years)
    return fig


@dataclass(frozen=True, slots=True, kw_only=True)
class ForestRow:
    """One term of a regression model for a forest plot."""

    name: str
    ratio: float
    ci_lower: float
    ci_upper: float
    p_value: float


def forest_figure(rows: Sequence[ForestRow], *, title: str, xlabel: str) -> Figure:
    """Forest plot of hazard ratios (log scale) with 95% CIs."""
    ok = [r for r in rows if np.isfinite(r.ratio)]
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.35 * max(1, len(ok))))
    y = np.arange(len(ok))[::-1]
    for yi, r in zip(y, ok, strict=True):
        ax.plot([r.ci_lower, r.ci_upper], [yi, yi], color="#333333", lw=1.2)
        ax.plot([r.ratio], [yi], "s", color=PALETTE[0], ms=6)
    ax.axvline(1.0, color="#999999", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels([r.name for r in ok], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(alpha=0.25, axis="x")
    return fig


def mrd_risk_figure(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    thresholds: Mapping[str, float | None],
    *,
    band: float,
    single_threshold: float = 1e-4,
) -> Figure:
    """Predicted 5-year relapse risk against MRD, one curve per genetic group."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, (grp, (mrd, risk)) in enumerate(curves.items()):
        col = PALETTE[i % len(PALETTE)]
        ax.plot(mrd, risk, color=col, lw=1.6, label=grp)
        thr = thresholds.get(grp)
        if thr is not None:
            ax.axvline(thr, color=col, ls=":", lw=1)
    ax.axhline(band, color="#777777", ls="--", lw=0.8, label=f"risk band {band:.0%}")
    ax.axvline(
        single_threshold,
        color="#000000",
        lw=0.8,
        alpha=0.5,
        label=f"single threshold {single_threshold:.0e}",
    )
    ax.set_xscale("log")
    ax.set_xlabel("End-of-induction MRD (fraction)")
    ax.set_ylabel("Predicted 5-year relapse risk")
    ax.set_title(
        "Genotype-specific MRD: predicted relapse by genetic group", fontsize=10, loc="left"
    )
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.25)
    return fig


@dataclass(frozen=True, slots=True, kw_only=True)
class TrajectoryPoint:
    """One MRD sample for a patient's trajectory plot."""

    label: str
    day: float
    value: float
    negative: bool
    sensitivity: float | None


def trajectory_figure(points: Sequence[TrajectoryPoint], *, title: str) -> Figure:
    """MRD over time on a log scale; negatives drawn open at their limit of detection."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    pos = [p for p in points if not p.negative]
    neg = [p for p in points if p.negative]
    days = [p.day for p in points]
    vals = [p.value for p in points]
    ax.plot(days, vals, color="#888888", lw=1, zorder=1)
    ax.scatter(
        [p.day for p in pos], [p.value for p in pos], color=PALETTE[1], zorder=3, label="detected"
    )
    ax.scatter(
        [p.day for p in neg],
        [p.value for p in neg],
        facecolors="none",
        edgecolors=PALETTE[0],
        zorder=3,
        label="negative (drawn at its sensitivity)",
    )
    for p in points:
        if p.sensitivity:
            ax.plot([p.day - 4, p.day + 4], [p.sensitivity] * 2, color="#555555", lw=1)
        ax.annotate(
            p.label,
            (p.day, p.value),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=7,
        )
    ax.axhline(1e-3, color="#d1495b", ls=":", lw=0.8, label="1e-3")
    ax.axhline(1e-4, color="#1b6ca8", ls=":", lw=0.8, label="1e-4")
    ax.set_yscale("log")
    ax.set_ylim(1e-7, 1)
    ax.set_xlabel("Day from diagnosis")
    ax.set_ylabel("MRD (fraction); bars: sample sensitivity")
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    ax.grid(alpha=0.25)
    return fig


def _est(c: GroupCurve) -> str:
    e = c.at_horizon

    def pct(x: float) -> str:
        return "–" if not np.isfinite(x) else f"{x:.0%}"

    return f"{pct(e.value)} [{pct(e.ci_lower)}–{pct(e.ci_upper)}]"


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"
