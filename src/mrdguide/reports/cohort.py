"""Build the cohort report's view-model from a :class:`CohortAnalysis`.

Codes become words here (:mod:`mrdguide.domain.labels`), groups are shown in risk order with
ordered colours, MRD in percent and p-values as ``p < 0.001``; the analysis keeps the codes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.analysis.cohort import CohortAnalysis
from mrdguide.analysis.landmarks import CONFOUNDING_WARNING, IntensificationRow
from mrdguide.analysis.outcomes import GroupedSurvival
from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.domain.display import format_mrd, format_mrd_threshold, format_p
from mrdguide.domain.labels import label
from mrdguide.reports._groups import (
    baseline_level,
    colors_for,
    group_names,
    order_codes,
    ordered,
)
from mrdguide.reports._tables import cif_table, model_table, n_note, survival_table
from mrdguide.reports.document import (
    FigureItem,
    ReportModel,
    Section,
    Table,
    fmt_est,
    fmt_p,
    fmt_pct,
)
from mrdguide.reports.figures import (
    MIN_AT_RISK,
    ForestRow,
    cif_figure,
    data_uri,
    forest_figure,
    km_figure,
    mrd_risk_figure,
    to_png,
)
from mrdguide.reports.wording import humanize_text
from mrdguide.risk import T_ALL_TIER

FADE_NOTE = (
    f"Curves are drawn faint after the last yearly mark with at least {MIN_AT_RISK} patients "
    "at risk, where estimates are unstable."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GenotypeMRDView:
    """Genotype-specific MRD results computed by :mod:`mrdguide.risk` (plain values)."""

    band: float
    curves: dict[str, tuple[list[float], list[float]]]
    thresholds: dict[str, float | None]
    discrimination: tuple[tuple[str, str], ...]
    threshold_notes: dict[str, str] = field(default_factory=dict)
    note: str = ""


def _fig(title: str, fig: object, caption: str, n: int) -> FigureItem:
    return FigureItem(title=title, src=data_uri(to_png(fig)), caption=caption, n_curves=n)  # type: ignore[arg-type]


def _pname(pid: str) -> str:
    return label("protocol", pid)


def _flow_section(a: CohortAnalysis) -> Section:
    f = a.flow
    pid = a.primary.protocol
    rows = [("Registered", str(f.registered)), ("Eligible (with follow-up)", str(f.eligible))]
    rows += [(f"MRD-evaluable at {label('timepoint', tp)}", str(n)) for tp, n in f.mrd_evaluable]
    counts = dict(f.assigned)
    rows += [
        (f"Assigned {label('group', g, protocol=pid)} ({_pname(pid)})", str(counts[g]))
        for g in order_codes(pid, counts)
    ]
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
    pid = a.primary.protocol
    groups = order_codes(pid, b.columns[1:])
    idx = [0, *(b.columns.index(g) for g in groups)]
    names = ["All", *(label("group", g, protocol=pid) for g in groups)]
    header = (
        "Variable / level",
        *(f"{c} (n = {b.column_n[i]})" for c, i in zip(names, idx, strict=True)),
    )
    rows = tuple(
        (
            f"{r.variable}: {baseline_level(r.variable, r.level)}",
            *(f"{r.counts[i]} ({r.percents[i]:.1f}%)" for i in idx),
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
                note="Missing values are counted in their own row. MRD sensitivity in percent "
                "of nucleated cells (0.001% = 10⁻⁵).",
            ),
        ),
    )


def _survival_section(a: CohortAnalysis) -> Section:
    pid = a.primary.protocol
    efs, os_, cir = ordered(a.efs, pid), ordered(a.os, pid), ordered(a.cir, pid)
    codes = [g.group for g in efs.groups]
    names = group_names(codes, pid)
    cols = colors_for(codes)
    fu = a.follow_up
    para = (
        f"Median follow-up (reverse Kaplan–Meier): {fu.median / DAYS_PER_YEAR:.1f} years "
        f"(IQR {fu.q1 / DAYS_PER_YEAR:.1f}–{fu.q3 / DAYS_PER_YEAR:.1f})."
    )
    km_caption = f"Kaplan–Meier; numbers at risk below. {FADE_NOTE}"
    cir_cols = colors_for([g.group for g in cir.groups])
    figs = (
        _fig(
            "EFS by risk group",
            km_figure(efs, names=names, colors=cols),
            km_caption,
            len(efs.groups),
        ),
        _fig("OS by risk group", km_figure(os_, names=names, colors=cols), km_caption, len(cols)),
        _fig(
            "Cumulative incidence of relapse",
            cif_figure(cir, names=names, colors=cir_cols),
            "Aalen–Johansen; solid: relapse, dashed: death in remission or second malignancy. "
            + FADE_NOTE,
            2 * len(cir.groups),
        ),
    )
    return Section(
        id="survival",
        title=f"Outcomes by {_pname(pid)} risk group",
        paragraphs=(para,),
        tables=(
            survival_table(efs, "Event-free survival", names),
            survival_table(os_, "Overall survival", names),
            cif_table(cir, "Relapse with competing events", names, n_note(efs, cir)),
        ),
        figures=figs,
    )


def _landmark_section(a: CohortAnalysis) -> Section:
    tables, figs = [], []
    for lm in a.landmarks:
        day = f"day {lm.landmark_day:.0f}"
        tp = label("timepoint_adjective", lm.timepoint)
        efs = dataclasses.replace(ordered(lm.efs, None), endpoint="EFS")
        cir = ordered(lm.cir, None)
        names = group_names([g.group for g in efs.groups] + [g.group for g in cir.groups], None)
        tables.append(survival_table(efs, f"EFS from the {tp} landmark ({day}) by MRD band", names))
        tables.append(
            cif_table(cir, f"Relapse from the {tp} landmark by MRD band", names, n_note(efs, cir))
        )
        figs.append(
            _fig(
                f"EFS by {tp} MRD band",
                km_figure(
                    efs,
                    xlabel=f"Years from the {tp} landmark",
                    names=names,
                    colors=colors_for([g.group for g in efs.groups]),
                ),
                f"From the landmark at {day}; {lm.n_evaluable} evaluable, "
                f"{lm.n_excluded_before_landmark} excluded (event or censored before). "
                + FADE_NOTE,
                len(efs.groups),
            )
        )
    return Section(
        id="landmark",
        title="Landmark analyses by MRD band",
        tables=tuple(tables),
        figures=tuple(figs),
        paragraphs=(
            "Only patients event-free and in follow-up at the landmark are included; time starts "
            "at the landmark. MRD bands in percent of nucleated cells: negative; detected below "
            "0.01% (10⁻⁴); 0.01% to below 0.1%; 0.1% (10⁻³) or more.",
        ),
    )


def _has_both_arms(rows: Sequence[IntensificationRow]) -> bool:
    arms = {g.group for r in rows for gs in (r.naive, r.landmark) if gs for g in gs.groups}
    return {"intensified", "not intensified"} <= arms


def _intensification_rows(rows: Sequence[IntensificationRow]) -> tuple[tuple[str, ...], ...]:
    out = []
    for r in rows:
        for kind, gs in (("naive (from diagnosis)", r.naive), ("landmark", r.landmark)):
            if gs is None:
                continue
            for g in gs.groups:
                est = g.at_horizon
                out.append(
                    (
                        label("timepoint_short", r.phase),
                        kind,
                        g.group,
                        str(g.n),
                        str(g.n_events),
                        fmt_est(est.value, est.ci_lower, est.ci_upper),
                        fmt_p(gs.p_value),
                    )
                )
    return tuple(out)


def _intensification_section(a: CohortAnalysis) -> Section:
    rows = a.intensification
    thr = format_mrd_threshold(rows[0].threshold) if rows else format_mrd_threshold(1e-3)
    title = "The seed study's table: MRD-triggered intensification"
    if not _has_both_arms(rows):
        n_high = ", ".join(f"{r.n_mrd_high} at {label('timepoint_short', r.phase)}" for r in rows)
        why = (
            "No patient in this cohort received MRD-triggered intensification, so there is no "
            "intensified arm to compare and the table is left out"
            + (f" (MRD ≥ {thr}: {n_high})." if n_high else ".")
        )
        return Section(id="intensification", title=title, paragraphs=(why,))
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
        rows=_intensification_rows(rows),
        note=f"MRD-high: level ≥ {thr} at the phase (Asan rule, flow MRD ≥ 0.1%).",
    )
    return Section(id="intensification", title=title, tables=(t,), warnings=(CONFOUNDING_WARNING,))


def _models_section(a: CohortAnalysis) -> Section:
    tables, figs = [], []
    notes = tuple(f"{m.kind} ({m.endpoint}): {humanize_text(m.note)}" for m in a.models if m.note)
    for m in a.models:
        if not m.rows:
            continue
        ratio = "HR" if m.kind.startswith("Cox") else "sHR"
        note = f"n = {m.n}, events = {m.n_events}, from day {m.landmark_day:.0f}."
        if m.concordance is not None:
            note += f" Harrell's C = {m.concordance:.3f}."
        note += f" Standard errors: {m.se_label}." if m.se_label else ""
        tables.append(model_table(m, ratio, note))
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
        fig = forest_figure(frows, title=f"{m.kind}: {m.endpoint}", xlabel=f"{ratio} (log scale)")
        figs.append(_fig(f"{m.kind} forest plot", fig, note, len(frows)))
    return Section(
        id="models",
        title="Multivariable models",
        paragraphs=notes,
        tables=tuple(tables),
        figures=tuple(figs),
    )


def genotype_name(group: str) -> str:
    """A genetic tier of the relapse model for people: ``UK high-risk genetics``, ``T-ALL``."""
    return group if group == T_ALL_TIER else f"UK {group}-risk genetics"


def _genotype_names(groups: Sequence[str]) -> dict[str, str]:
    return {g: genotype_name(g) for g in groups}


def _genotype_section(v: GenotypeMRDView) -> Section:
    names = _genotype_names(list(v.curves))
    fig = mrd_risk_figure(v.curves, v.thresholds, band=v.band, names=names)
    rows = tuple(
        (
            names.get(g, g),
            humanize_text(v.threshold_notes.get(g, "not crossed") or "not crossed")
            if t is None
            else format_mrd(t),
        )
        for g, t in v.thresholds.items()
    )
    disc = tuple((humanize_text(k), val) for k, val in v.discrimination)
    return Section(
        id="genotype-mrd",
        title="Genotype-specific MRD",
        paragraphs=(humanize_text(v.note),) if v.note else (),
        tables=(
            Table(
                title=f"MRD at which predicted 5-year relapse risk reaches {fmt_pct(v.band, 0)}",
                header=("Genetic group", "MRD threshold"),
                rows=rows,
                numeric=(False, True),
            ),
            Table(title="Discrimination", header=("Model", "Value"), rows=disc),
        ),
        figures=(
            _fig(
                "Predicted relapse against end-of-induction MRD",
                fig,
                "Dotted verticals: derived thresholds, in the colour of their group.",
                len(v.curves),
            ),
        ),
    )


def _what_if_rows(a: CohortAnalysis) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for w in a.what_if:
        efs = ordered(w.efs, w.protocol)
        for g in efs.groups:
            est = g.at_horizon
            rows.append(
                (
                    _pname(w.protocol),
                    label("group", g.group, protocol=w.protocol),
                    str(g.n),
                    fmt_est(est.value, est.ci_lower, est.ci_upper),
                )
            )
        if w.n_not_assignable:
            rows.append((_pname(w.protocol), "not assignable", str(w.n_not_assignable), "–"))
    return rows


def _what_if_section(a: CohortAnalysis) -> Section:
    return Section(
        id="what-if",
        title="Protocol what-if",
        paragraphs=(
            "The same cohort assigned under each protocol's rules. Patients a protocol cannot "
            "assign (a required input is missing, or the patient is outside the protocol's "
            "scope, e.g. a high-risk-only protocol) are counted, not analyzed.",
        ),
        tables=(
            Table(
                title="Group sizes and 5-year EFS by protocol",
                header=("Protocol", "Group", "n", "5-year EFS (95% CI)"),
                rows=tuple(_what_if_rows(a)),
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
    pid = a.primary.protocol
    return ReportModel(
        title="Cohort outcome report",
        subtitle=f"{a.flow.registered} patients · primary protocol {_pname(pid)}",
        generated=generated,
        version=version,
        sections=tuple(sections),
        caveats=_caveats(extra_caveats),
        provenance=_provenance(a, version, data_sha256, protocols),
        disclaimer=DISCLAIMER,
        summary=(
            ("Patients", str(a.flow.registered)),
            ("5-year EFS (all)", _overall(a.efs)),
            ("Median follow-up", f"{a.follow_up.median / DAYS_PER_YEAR:.1f} years"),
        ),
    )


def _caveats(extra: Sequence[str]) -> tuple[str, ...]:
    return (
        "Simulated or registry data are analyzed as given; errors in the source propagate.",
        "Risk groups are computed from the rule files named below, which encode published "
        "protocol criteria with citations; where sources conflict, the choice is documented in "
        "docs/protocols.md.",
        "Comparisons by MRD or by MRD-triggered treatment start at a landmark; residual "
        "confounding remains.",
        *(humanize_text(c) for c in extra),
        DISCLAIMER,
    )


def _provenance(
    a: CohortAnalysis, version: str, data_sha256: str, protocols: Sequence[tuple[str, str, str]]
) -> tuple[tuple[str, str], ...]:
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
        (f"Protocol {_pname(pid)}", f"{pid} version {ver}, sha256 {sha[:16]}…")
        for pid, ver, sha in protocols
    ]
    return tuple(prov)


def _overall(gs: GroupedSurvival) -> str:
    n = sum(g.n for g in gs.groups)
    return f"{len(gs.groups)} groups, {n} patients, log-rank {format_p(gs.p_value)}"
