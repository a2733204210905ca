"""Publication-style figures rendered with matplotlib (Agg backend, no display needed).

Each function takes already-computed results and returns a ``Figure``; nothing here computes a
statistic. ``to_png`` renders to bytes for embedding in self-contained HTML. Axes read as the
tables do: probabilities and MRD in percent, ratios as plain numbers (0.5, 1, 2), never
e-notation.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter
from numpy.typing import NDArray

from mrdguide.analysis.outcomes import GroupCurve, GroupedIncidence, GroupedSurvival
from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.domain.display import format_p, format_percent, mrd_percent
from mrdguide.reports._layout import place_labels

#: Okabe–Ito colours for unordered categories (colour-blind safe).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Colour of "not assignable" / "missing" groups.
GREY = "#8c8c8c"
#: Curves are drawn faded once fewer than this many patients remain at risk.
MIN_AT_RISK = 10


def sequential_colors(n: int) -> list[str]:
    """``n`` colours of viridis from light to dark: ordered groups, lowest risk lightest.

    Viridis is perceptually uniform and readable with the common colour-vision deficiencies;
    its lightest yellow is left out so every curve is visible on white.
    """
    cmap = mpl.colormaps["viridis"]
    pos = [0.5] if n == 1 else np.linspace(0.78, 0.05, n).tolist()
    return [mpl.colors.to_hex(cmap(p)) for p in pos]


def group_colors(groups: Sequence[str], trailing: Sequence[str] = ()) -> list[str]:
    """Sequential colours for ordered risk groups; grey for the ``trailing`` non-groups."""
    ordered = [g for g in groups if g not in trailing]
    seq = iter(sequential_colors(len(ordered)))
    return [GREY if g in trailing else next(seq) for g in groups]


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


def reliable_until(curve: GroupCurve, min_at_risk: int = MIN_AT_RISK) -> float:
    """Years up to which the curve has ``min_at_risk`` or more patients at risk.

    Read from the numbers-at-risk table: the last tick with at least ``min_at_risk`` at risk
    (``inf`` when every tick has that many, ``0`` when even the first has fewer).
    """
    ticks = curve.risk_times / DAYS_PER_YEAR
    ok = np.asarray(curve.n_at_risk) >= min_at_risk
    if ok.all():
        return float("inf")
    if not ok[0]:
        return 0.0
    return float(ticks[int(np.argmin(ok)) - 1])


def _draw_curve(
    ax: Axes, curve: GroupCurve, start: float, color: str, label: str, **kw: object
) -> None:
    """A step curve, solid while at least :data:`MIN_AT_RISK` are at risk, faded after."""
    x, y = _steps(curve, start)
    cut = reliable_until(curve)
    solid = x <= cut
    y_cut = y[solid][-1] if solid.any() else start
    xs = np.append(x[solid], min(cut, x[-1])) if solid.any() else x[:1]
    ys = np.append(y[solid], y_cut) if solid.any() else y[:1]
    ax.step(xs, ys, where="post", color=color, label=label, **kw)  # type: ignore[arg-type]
    if cut < x[-1]:
        xf = np.concatenate([[cut], x[~solid]])
        yf = np.concatenate([[y_cut], y[~solid]])
        faded = {**kw, "lw": 0.9}
        line = ax.step(xf, yf, where="post", color=color, alpha=0.35, **faded)  # type: ignore[arg-type]
        for ln in line:
            ln.set_gid("faded")


def _risk_table(
    ax: Axes,
    curves: Sequence[GroupCurve],
    names: Sequence[str],
    xmax: float,
    xlabel: str = "Years from diagnosis",
) -> None:
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.5, len(curves) - 0.5)
    ax.set_yticks(range(len(curves)))
    ax.set_yticklabels(list(reversed(names)), fontsize=8)
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


def _names_colors(
    groups: Sequence[GroupCurve],
    names: Mapping[str, str] | None,
    colors: Sequence[str] | None,
) -> tuple[list[str], list[str]]:
    labels = [(names or {}).get(c.group, c.group) for c in groups]
    cols = list(colors) if colors else [PALETTE[i % len(PALETTE)] for i in range(len(groups))]
    return labels, cols


def km_figure(
    gs: GroupedSurvival,
    *,
    xmax_years: float = 10.0,
    title: str = "",
    xlabel: str = "Years from diagnosis",
    names: Mapping[str, str] | None = None,
    colors: Sequence[str] | None = None,
) -> Figure:
    """Kaplan–Meier curves by group (in the given order) with a numbers-at-risk table.

    ``names`` maps group codes to labels and ``colors`` gives one colour per group (default
    Okabe–Ito). Curves fade where fewer than :data:`MIN_AT_RISK` patients remain at risk.
    """
    fig, ax, tab = _curve_axes(len(gs.groups))
    labels, cols = _names_colors(gs.groups, names, colors)
    for c, lab, col in zip(gs.groups, labels, cols, strict=True):
        _draw_curve(ax, c, 1.0, col, f"{lab} (n = {c.n}): {_est(c)}", lw=1.6)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, xmax_years)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_ylabel(f"{gs.endpoint} (%)")
    ptxt = "" if gs.p_value is None else f"log-rank {format_p(gs.p_value)}"
    ax.set_title(title or f"{gs.endpoint} by group   {ptxt}", fontsize=10, loc="left")
    ax.legend(
        loc="lower left",
        fontsize=7,
        frameon=False,
        title=f"{gs.horizon_days / DAYS_PER_YEAR:.0f}-year estimate [95% CI]",
        title_fontsize=7,
    )
    ax.grid(alpha=0.25)
    _risk_table(tab, gs.groups, labels, xmax_years, xlabel)
    return fig


def cif_figure(
    gi: GroupedIncidence,
    *,
    xmax_years: float = 10.0,
    title: str = "",
    xlabel: str = "Years from diagnosis",
    names: Mapping[str, str] | None = None,
    colors: Sequence[str] | None = None,
) -> Figure:
    """Cumulative incidence of relapse (solid) and of competing events (dashed) by group."""
    fig, ax, tab = _curve_axes(len(gi.groups))
    labels, cols = _names_colors(gi.groups, names, colors)
    for c, k, lab, col in zip(gi.groups, gi.competing, labels, cols, strict=True):
        _draw_curve(ax, c, 0.0, col, f"{lab}, relapse: {_est(c)}", lw=1.6)
        comp = format_percent(k.at_horizon.value, 0)
        _draw_curve(ax, k, 0.0, col, f"{lab}, competing: {comp}", lw=1.1, ls="--")
    top = max([0.05, *(float(np.max(c.value, initial=0)) for c in gi.groups + gi.competing)])
    ax.set_ylim(0, min(1.0, top * 1.25))
    ax.set_xlim(0, xmax_years)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_ylabel("Cumulative incidence (%)")
    ptxt = "" if gi.p_value is None else f"Gray's test {format_p(gi.p_value)}"
    ax.set_title(title or f"Relapse with competing events   {ptxt}", fontsize=10, loc="left")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    ax.grid(alpha=0.25)
    _risk_table(tab, gi.groups, labels, xmax_years, xlabel)
    return fig


@dataclass(frozen=True, slots=True, kw_only=True)
class ForestRow:
    """One term of a regression model for a forest plot."""

    name: str
    ratio: float
    ci_lower: float
    ci_upper: float
    p_value: float


#: Tick candidates for ratio axes on a log scale (read as plain numbers).
RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 1, 2, 4, 6, 10, 20, 50, 100)


def _plain_tick(x: float, _pos: int | None = None) -> str:
    return f"{x:g}" if 1e-3 <= x < 1e4 else ""


def ratio_ticks(lo: float, hi: float) -> list[float]:
    """Tick values for a log ratio axis spanning [lo, hi]: always 1, thinned to at most 7."""
    ticks = [t for t in RATIO_TICKS if lo <= t <= hi] or [1.0]
    while len(ticks) > 7:
        ticks = [t for i, t in enumerate(ticks) if i % 2 == 0 or t == 1]
    return ticks if 1 in ticks else sorted({*ticks, 1})


def forest_figure(rows: Sequence[ForestRow], *, title: str, xlabel: str) -> Figure:
    """Forest plot of hazard ratios (log scale, ticks 0.4, 0.6, 1, 2 …) with 95% CIs."""
    ok = [r for r in rows if np.isfinite(r.ratio)]
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + 0.35 * max(1, len(ok))))
    y = np.arange(len(ok))[::-1]
    for yi, r in zip(y, ok, strict=True):
        ax.plot([r.ci_lower, r.ci_upper], [yi, yi], color="#333333", lw=1.2)
        ax.plot([r.ratio], [yi], "s", color=PALETTE[0], ms=6)
    ax.axvline(1.0, color="#999999", ls=":", lw=1)
    ax.set_xscale("log")
    finite = [v for r in ok for v in (r.ci_lower, r.ci_upper, r.ratio) if np.isfinite(v) and v > 0]
    lo, hi = (min(finite), max(finite)) if finite else (0.5, 2.0)
    lo, hi = min(lo, 0.9) / 1.15, max(hi, 1.1) * 1.15
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(FixedLocator(ratio_ticks(lo, hi)))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain_tick))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(y)
    ax.set_yticklabels([r.name for r in ok], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(alpha=0.25, axis="x")
    return fig


def _mrd_tick(x: float, _pos: int | None = None) -> str:
    return mrd_percent(x, 2) if 0 < x <= 1 else ""


def _mrd_log_axis(set_locator: Callable[[FixedLocator], None], lo: float, hi: float) -> None:
    decades = [10.0**k for k in range(-7, 1) if lo <= 10.0**k <= hi]
    set_locator(FixedLocator(decades))


def mrd_risk_figure(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    thresholds: Mapping[str, float | None],
    *,
    band: float,
    single_threshold: float = 1e-4,
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Predicted 5-year relapse risk against MRD, one curve per genetic group (in given order)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    cols = sequential_colors(len(curves))
    for col, (grp, (mrd, risk)) in zip(cols, curves.items(), strict=True):
        ax.plot(mrd, risk, color=col, lw=1.8, label=(names or {}).get(grp, grp))
        thr = thresholds.get(grp)
        if thr is not None:
            ax.axvline(thr, color=col, ls=":", lw=1.2)
    ax.axhline(band, color="#777777", ls="--", lw=0.8, label=f"risk band {band:.0%}")
    ax.axvline(
        single_threshold,
        color="#000000",
        lw=0.8,
        alpha=0.5,
        label=f"single threshold {mrd_percent(single_threshold, 3)}",
    )
    ax.set_xscale("log")
    lo = min((min(m) for m, _ in curves.values() if len(m)), default=1e-6)
    hi = max((max(m) for m, _ in curves.values() if len(m)), default=1e-1)
    _mrd_log_axis(ax.xaxis.set_major_locator, lo, hi)
    ax.xaxis.set_major_formatter(FuncFormatter(_mrd_tick))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel("End-of-induction MRD (% of nucleated cells, log scale)")
    ax.set_ylabel("Predicted 5-year relapse risk (%)")
    ax.set_title(
        "Genotype-specific MRD: predicted relapse by genetic group", fontsize=10, loc="left"
    )
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
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


#: Reference MRD levels drawn on the trajectory (0.1 % and 0.01 %).
REFERENCE_LEVELS = (1e-3, 1e-4)


def _trajectory_legend(ax: Axes) -> None:
    handles = [
        Line2D([], [], marker="o", ls="", color=PALETTE[1], label="detected"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="none",
            mec=PALETTE[0],
            label="negative, drawn at its sensitivity",
        ),
        Line2D(
            [],
            [],
            color="#555555",
            lw=1.6,
            label="sample sensitivity (lowest level the assay can detect)",
        ),
        Line2D([], [], color="#777777", ls=":", lw=1, label="reference levels 0.1% and 0.01%"),
    ]
    ax.legend(
        handles=handles,
        fontsize=7,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=2,
    )


def trajectory_figure(points: Sequence[TrajectoryPoint], *, title: str) -> Figure:
    """MRD over time on a log scale (in percent); negatives drawn open at their sensitivity.

    Point labels are placed so that they overlap neither each other, the markers, the
    sensitivity bars nor the axes' edges; the legend sits below the plot and explains the
    sensitivity bars.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    pos = [p for p in points if not p.negative]
    neg = [p for p in points if p.negative]
    ax.plot([p.day for p in points], [p.value for p in points], color="#888888", lw=1, zorder=1)
    ax.scatter([p.day for p in pos], [p.value for p in pos], color=PALETTE[1], zorder=3)
    ax.scatter(
        [p.day for p in neg],
        [p.value for p in neg],
        facecolors="none",
        edgecolors=PALETTE[0],
        zorder=3,
    )
    span = max([p.day for p in points], default=30.0)
    half = max(1.5, span / 50)
    bars = []
    for p in points:
        if p.sensitivity:
            (bar,) = ax.plot(
                [p.day - half, p.day + half], [p.sensitivity] * 2, color="#555555", lw=1.6, zorder=2
            )
            bars.append(bar)
    for lvl in REFERENCE_LEVELS:
        ax.axhline(lvl, color="#777777", ls=":", lw=0.8, zorder=0)
    ax.set_yscale("log")
    values = [v for p in points for v in (p.value, p.sensitivity or p.value) if v > 0]
    ylo = min([1e-6, *values]) / 4
    ax.set_ylim(ylo, 3.0)
    ax.set_xlim(0, span * 1.1 + 4)
    _mrd_log_axis(ax.yaxis.set_major_locator, ylo, 1.0)
    ax.yaxis.set_major_formatter(FuncFormatter(_mrd_tick))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Day from diagnosis")
    ax.set_ylabel("MRD (% of nucleated cells, log scale)")
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(alpha=0.25)
    _trajectory_legend(ax)
    place_labels(ax, [(p.label, p.day, p.value) for p in points], obstacles=bars)
    return fig


def _est(c: GroupCurve) -> str:
    e = c.at_horizon
    lo, hi = format_percent(e.ci_lower, 0), format_percent(e.ci_upper, 0)
    return f"{format_percent(e.value, 0)} [{lo.rstrip('%')}–{hi.rstrip('%')}]"
