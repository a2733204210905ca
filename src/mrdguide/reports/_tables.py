"""Survival, competing-risks and model tables of the cohort report (strings only)."""

from __future__ import annotations

from collections.abc import Mapping

from mrdguide.analysis.outcomes import GroupedIncidence, GroupedSurvival
from mrdguide.analysis.regression import ModelSummary
from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.domain.display import format_p
from mrdguide.reports.document import Table, fmt_est, fmt_num, fmt_p


def survival_table(gs: GroupedSurvival, title: str, names: Mapping[str, str]) -> Table:
    """n, events and the horizon estimate (95% CI) per group, log-rank in the note."""
    yrs = f"{gs.horizon_days / DAYS_PER_YEAR:.0f}-year"
    rows = tuple(
        (
            names.get(g.group, g.group),
            str(g.n),
            str(g.n_events),
            fmt_est(g.at_horizon.value, g.at_horizon.ci_lower, g.at_horizon.ci_upper),
        )
        for g in gs.groups
    )
    note = (
        ""
        if gs.p_value is None
        else f"Log-rank χ² = {fmt_num(gs.statistic)} on {gs.df} df, {format_p(gs.p_value)}."
    )
    return Table(
        title=title,
        header=("Group", "n", "Events", f"{yrs} {gs.endpoint} (95% CI)"),
        rows=rows,
        note=note,
    )


def n_note(efs: GroupedSurvival, cir: GroupedIncidence) -> str:
    """Why the relapse table has fewer patients than the EFS table (when it does)."""
    diff = sum(g.n for g in efs.groups) - sum(g.n for g in cir.groups)
    if diff <= 0:
        return ""
    return (
        f" The relapse table has {diff} fewer patients than the EFS table: patients who never "
        "reached remission (induction failure) are not at risk of relapse and are left out."
    )


def cif_table(
    gi: GroupedIncidence, title: str, names: Mapping[str, str], extra_note: str = ""
) -> Table:
    """Relapses and competing events with their cumulative incidence; Gray's test in the note."""
    yrs = f"{gi.horizon_days / DAYS_PER_YEAR:.0f}-year"
    rows = tuple(
        (
            names.get(g.group, g.group),
            str(g.n),
            str(g.n_events),
            fmt_est(g.at_horizon.value, g.at_horizon.ci_lower, g.at_horizon.ci_upper),
            str(k.n_events),
            fmt_est(k.at_horizon.value, k.at_horizon.ci_lower, k.at_horizon.ci_upper),
        )
        for g, k in zip(gi.groups, gi.competing, strict=True)
    )
    note = (
        ""
        if gi.p_value is None
        else f"Gray's test χ² = {fmt_num(gi.statistic)}, {format_p(gi.p_value)}."
    )
    return Table(
        title=title,
        header=(
            "Group",
            "n",
            "Relapses",
            f"{yrs} CIR (95% CI)",
            "Competing events",
            f"{yrs} competing (95% CI)",
        ),
        rows=rows,
        note=(note + extra_note).strip(),
    )


def model_table(m: ModelSummary, ratio: str, note: str) -> Table:
    """One regression model: ratio, 95% CI and p per term."""
    rows = tuple(
        (r.name, fmt_num(r.ratio), f"{fmt_num(r.ci_lower)}–{fmt_num(r.ci_upper)}", fmt_p(r.p_value))
        for r in m.rows
    )
    return Table(
        title=f"{m.kind}: {m.endpoint}",
        header=("Term", ratio, "95% CI", "p"),
        rows=rows,
        note=note,
    )
