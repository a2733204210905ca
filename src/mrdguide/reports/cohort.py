"""Build the cohort report's view-model from a :class:`CohortAnalysis`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.analysis.cohort import CohortAnalysis
from mrdguide.analysis.landmarks import CONFOUNDING_WARNING
from mrdguide.analysis.outcomes import GroupedIncidence, GroupedSurvival
from mrdguide.reports.figures import (
    ForestRow,
    cif_figure,
    data_uri,
    forest_figure,
    km_figure,
    mrd_risk_figure,
    to_png,
)
from mrdguide.reports.model import (
    FigureItem,
    ReportModel,
    Section,
    Table,
    fmt_est,
    fmt_num,
    fmt_p,
    fmt_pct,
)

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True, kw_only=True)
class GenotypeMRDView:
    """Genotype-specific MRD results computed by :mod:`mrdguide.risk` (plain values)."""

    band: float
    curves: dict[str, tuple[list[float], list[float]]]
    thresholds: dict[str, float | None]
    discrimination: tuple[tuple[str, str], ...]
    threshold_notes: dict[str, str] = field(default_factory=dict)
    note: str = ""


def _survival_table(gs: GroupedSurvival, title: str) -> Table:
    yrs = f"{gs.horizon_days / DAYS_PER_YEAR:.0f}-year"
    rows = tuple(
        (
            g.group,
            str(g.n),
            str(g.n_events),
            fmt_est(g.at_horizon.value, g.at_horizon.ci_lower, g.at_horizon.ci_upper),
        )
        for g in gs.groups
    )
    note = (
        ""
        if gs.p_value is None
        else f"Log-rank χ² = {fmt_num(gs.statistic)} on {gs.df} df, p = {fmt_p(gs.p_value)}."
    )
    return Table(
        title=title,
        header=("Group", "n", "Events", f"{yrs} {gs.endpoint} (95% CI)"),
        rows=rows,
        note=note,
    )


def _cif_table(gi: GroupedIncidence, title: str) -> Table:
    yrs = f"{gi.horizon_days / DAYS_PER_YEAR:.0f}-year"
    rows = tuple(
        (
            g.group,
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
        else f"Gray's test χ² = {fmt_num(gi.statistic)}, p = {fmt_p(gi.p_value)}."
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
        note=note,
    )


def _fig(title: str, fig: object, caption: str, n: int) -> FigureItem:
    return FigureItem(title=title, src=data_uri(to_png(fig)), caption=caption, n_curves=n)  # type: ignore[arg-type]


def _flow_section(a: CohortAnalysis) -> Section:
    f = a.flow
    rows = [("Registered", str(f.registered)), ("Eligible (with follow-up)", str(f.eligible))]
    rows += [(f"MRD-evaluable at {tp}", str(n)) for tp, n in f.mrd_evaluable]
    rows += [(f"Assigned {g} ({a.primary.protocol})", str(n)) for g, n in f.assigned]
    return Section(
        id="flow",
        title="Cohort flow",
        tables=(
            Table(
                title="Registered → eligible → MRD-evaluable → assigned",
                header=("Step", "Patients"),
                rows=tuple(rows),
            ),
        ),
    )


def _baseline_section(a: CohortAnalysis) -> Section:
    b = a.baseline
    header = (
        "Variable / level",
        *(f"{c} (n={n})" for c, n in zip(b.columns, b.column_n, strict=True)),
    )
    rows = tuple(
        (
            f"{r.variable}: {r.level}",
            *(f"{k} ({p:.1f}%)" for k, p in zip(r.counts, r.percents, strict=True)),
        )
        for r in b.rows
    )
    return Section(
        id="baseline",
        title="Baseline characteristics",
        tables=(
            Table(
                title="Baseline by risk group",
                header=header,
                rows=rows,
                note="Missing values are counted in their own row.",
            ),
        ),
    )


def _survival_section(a: CohortAnalysis) -> Section:
    fu = a.follow_up
    para = (
        f"Median follow-up (reverse Kaplan–Meier): {fu.median / DAYS_PER_YEAR:.1f} years "
        f"(IQR {fu.q1 / DAYS_PER_YEAR:.1f}–{fu.q3 / DAYS_PER_YEAR:.1f})."
    )
    figs = (
        _fig(
            "EFS by risk group",
            km_figure(a.efs),
            "Kaplan–Meier; numbers at risk below.",
            len(a.efs.groups),
        ),
        _fig(
            "OS by risk group",
            km_figure(a.os),
            "Kaplan–Meier; numbers at risk below.",
            len(a.os.groups),
        ),
        _fig(
            "Cumulative incidence of relapse",
            cif_figure(a.cir),
            "Aalen–Johansen; solid: relapse, dashed: death in remission or second malignancy.",
            2 * len(a.cir.groups),
        ),
    )
    return Section(
        id="survival",
        title=f"Outcomes by {a.primary.protocol} risk group",
        paragraphs=(para,),
        tables=(
            _survival_table(a.efs, "Event-free survival"),
            _survival_table(a.os, "Overall survival"),
            _cif_table(a.cir, "Relapse with competing events"),
        ),
        figures=figs,
    )


def _landmark_section(a: CohortAnalysis) -> Section:
    tables, figs = [], []
    for lm in a.landmarks:
        day = f"day {lm.landmark_day:.0f}"
        tables.append(
            _survival_table(lm.efs, f"EFS from the {lm.timepoint} landmark ({day}) by MRD band")
        )
        tables.append(_cif_table(lm.cir, f"Relapse from the {lm.timepoint} landmark by MRD band"))
        figs.append(
            _fig(
                f"EFS by {lm.timepoint} MRD band",
                km_figure(lm.efs, xlabel=f"Years from the {lm.timepoint} landmark"),
                f"From the landmark at {day}; {lm.n_evaluable} evaluable, "
                f"{lm.n_excluded_before_landmark} excluded (event or censored before).",
                len(lm.efs.groups),
            )
        )
    return Section(
        id="landmark",
        title="Landmark analyses by MRD band",
        tables=tuple(tables),
        figures=tuple(figs),
        paragraphs=(
            "Only patients event-free and in follow-up at the landmark are "
            "included; time starts at the landmark.",
        ),
    )


def _intensification_section(a: CohortAnalysis) -> Section:
    rows = []
    for r in a.intensification:
        for label, gs in (("naive (from diagnosis)", r.naive), ("landmark", r.landmark)):
            if gs is None:
                continue
            for g in gs.groups:
                rows.append(
                    (
                        r.phase,
                        label,
                        g.group,
                        str(g.n),
                        str(g.n_events),
                        fmt_est(g.at_horizon.value, g.at_horizon.ci_lower, g.at_horizon.ci_upper),
                        fmt_p(gs.p_value),
                    )
                )
    t = Table(
        title="5-year EFS, intensified vs not intensified, within MRD-high patients",
        header=(
            "Triggering phase",
            "Analysis",
            "Arm",
            "n",
            "Events",
            "5-year EFS (95% CI)",
            "Log-rank p",
        ),
        rows=tuple(rows),
        note="MRD-high: level ≥ 1e-3 at the phase (Asan rule, flow MRD ≥ 0.1%).",
    )
    return Section(
        id="intensification",
        title="The seed study's table: MRD-triggered intensification",
        tables=(t,),
        warnings=(CONFOUNDING_WARNING,),
    )


def _models_section(a: CohortAnalysis) -> Section:
    tables, figs = [], []
    notes = tuple(f"{m.kind} ({m.endpoint}): {m.note}" for m in a.models if m.note)
    for m in a.models:
        if not m.rows:
            continue
        label = "HR" if m.kind.startswith("Cox") else "sHR"
        rows = tuple(
            (
                r.name,
                fmt_num(r.ratio),
                f"{fmt_num(r.ci_lower)}–{fmt_num(r.ci_upper)}",
                fmt_p(r.p_value),
            )
            for r in m.rows
        )
        note = f"n = {m.n}, events = {m.n_events}, from day {m.landmark_day:.0f}."
        if m.concordance is not None:
            note += f" Harrell's C = {m.concordance:.3f}."
        tables.append(
            Table(
                title=f"{m.kind}: {m.endpoint}",
                header=("Term", label, "95% CI", "p"),
                rows=rows,
                note=note,
            )
        )
        frows = [
            ForestRow(
                name=r.name,
                ratio=r.ratio,
                ci_lower=r.ci_lower,
                ci_upper=r.ci_upper,
                p_value=r.p_value,
            )
            for r in m.rows
        ]
        figs.append(
            _fig(
                f"{m.kind} forest plot",
                forest_figure(
                    frows, title=f"{m.kind}: {m.endpoint}", xlabel=f"{label} (log scale)"
                ),
                note,
                len(frows),
            )
        )
    return Section(
        id="models",
        title="Multivariable models",
        paragraphs=notes,
        tables=tuple(tables),
        figures=tuple(figs),
    )


def _genotype_section(v: GenotypeMRDView) -> Section:
    fig = mrd_risk_figure(v.curves, v.thresholds, band=v.band)
    rows = tuple(
        (g, v.threshold_notes.get(g, "not crossed") if t is None else f"{t:.2e}")
        for g, t in v.thresholds.items()
    )
    return Section(
        id="genotype-mrd",
        title="Genotype-specific MRD",
        paragraphs=(v.note,) if v.note else (),
        tables=(
            Table(
                title=f"MRD at which predicted 5-year relapse risk reaches {fmt_pct(v.band, 0)}",
                header=("Genetic group", "MRD threshold"),
                rows=rows,
            ),
            Table(title="Discrimination", header=("Model", "Value"), rows=v.discrimination),
        ),
        figures=(
            _fig(
                "Predicted relapse against end-of-induction MRD",
                fig,
                "Dotted verticals: derived thresholds.",
                len(v.curves),
            ),
        ),
    )


def _what_if_section(a: CohortAnalysis) -> Section:
    rows = []
    for w in a.what_if:
        for g in w.efs.groups:
            est = g.at_horizon
            rows.append(
                (w.protocol, g.group, str(g.n), fmt_est(est.value, est.ci_lower, est.ci_upper))
            )
        if w.n_not_assignable:
            rows.append(
                (w.protocol, "not assignable (inputs missing)", str(w.n_not_assignable), "–")
            )
    return Section(
        id="what-if",
        title="Protocol what-if",
        paragraphs=(
            "The same cohort assigned under each protocol's rules. Patients a protocol cannot "
            "assign (a required input is missing or the patient is outside its scope) are "
            "counted, not analyzed.",
        ),
        tables=(
            Table(
                title="Group sizes and 5-year EFS by protocol",
                header=("Protocol", "Group", "n", "5-year EFS (95% CI)"),
                rows=tuple(rows),
            ),
        ),
    )


def build_cohort_report(
    a: CohortAnalysis,
    *,
    generated: str,
    version: str,
    data_sha256: str,
    protocols: Sequence[tuple[str, str, str]],
    genotype: GenotypeMRDView | None = None,
    extra_caveats: Sequence[str] = (),
) -> ReportModel:
    """Assemble the cohort report. ``generated`` and ``version`` are injected (no clock here)."""
    sections = [
        _flow_section(a),
        _baseline_section(a),
        _survival_section(a),
        _landmark_section(a),
        _intensification_section(a),
    ]
    if genotype is not None:
        sections.append(_genotype_section(genotype))
    sections += [_models_section(a), _what_if_section(a)]
    m = a.methods
    prov = [
        ("mrdguide version", version),
        ("Data (sha256)", data_sha256),
        ("CI method", m.conf_type),
        ("Cox ties", m.ties),
        ("Induction failure", m.induction_failure),
        ("Landmark", m.landmark_rule),
        ("Horizon", f"{m.horizon_days / DAYS_PER_YEAR:.0f} years"),
    ]
    prov += [
        (f"Protocol {pid}", f"version {ver}, sha256 {sha[:16]}…") for pid, ver, sha in protocols
    ]
    caveats = (
        "Simulated or registry data are analyzed as given; errors in the source propagate.",
        "Risk groups are computed from the rule files named below, which encode published "
        "protocol criteria with citations; where sources conflict, the choice is documented in "
        "docs/protocols.md.",
        "Comparisons by MRD or by MRD-triggered treatment start at a landmark; residual "
        "confounding remains.",
        *extra_caveats,
        DISCLAIMER,
    )
    return ReportModel(
        title="mrdguide cohort outcome report",
        subtitle=f"{a.flow.registered} patients · primary protocol {a.primary.protocol}",
        generated=generated,
        version=version,
        sections=tuple(sections),
        caveats=caveats,
        provenance=tuple(prov),
        disclaimer=DISCLAIMER,
        summary=(
            ("Patients", str(a.flow.registered)),
            ("5-year EFS (all)", _overall(a.efs)),
            ("Median follow-up", f"{a.follow_up.median / DAYS_PER_YEAR:.1f} years"),
        ),
    )


def _overall(gs: GroupedSurvival) -> str:
    n = sum(g.n for g in gs.groups)
    return f"{len(gs.groups)} groups, {n} patients, log-rank p = {fmt_p(gs.p_value)}"
