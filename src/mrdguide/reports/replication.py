"""Report section: the seed studies replicated in silico (published vs simulated spread).

:func:`replication_section` turns a :class:`~mrdguide.simulate.replicate.ReplicationResult` into
a :class:`~mrdguide.reports.model.Section` of formatted tables; the cohort report places it.
For the demo report a smaller number of replicates keeps the job fast (see
:data:`DEMO_REPLICATES`); the section says how many were used.
"""

from __future__ import annotations

import math

from mrdguide.reports.model import Section, Table, fmt_pct
from mrdguide.simulate.replicate import ReplicationResult, ReplicationRow

#: Replicates (and grid replicates per cell) suggested for the demo's cohort report: about
#: 2 s for both studies on one core, against about 7 s for the CLI default of 200.
DEMO_REPLICATES = 50


def _fmt(x: float | None, kind: str) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    if kind == "count":
        return f"{x:.0f}"
    if kind == "difference":
        return f"{100 * x:+.1f} points"
    return fmt_pct(x)


def _row(r: ReplicationRow) -> tuple[str, ...]:
    pub = _fmt(r.published, r.kind)
    if r.published_lower is not None and r.published_upper is not None:
        pub += f" ({_fmt(r.published_lower, r.kind)}–{_fmt(r.published_upper, r.kind)})"
    sim = (
        f"{_fmt(r.simulated_median, r.kind)} ({_fmt(r.simulated_lower, r.kind)}–"
        f"{_fmt(r.simulated_upper, r.kind)})"
    )
    return (r.label, pub, sim, str(r.n_values), "yes" if r.within_spread else "no")


def _grid_table(res: ReplicationResult) -> Table:
    confs = sorted({c.confounding_log_or for c in res.grid}, reverse=True)
    rows = []
    for hr in sorted({c.true_hr for c in res.grid}, reverse=True):
        cells = {c.confounding_log_or: c for c in res.grid if c.true_hr == hr}
        rows.append(
            (
                f"{hr:g}",
                *(
                    f"{cells[c].p_gap:.2f}{' (compatible)' if cells[c].compatible else ''}; "
                    f"median gap {_fmt(cells[c].median_gap, 'difference')}"
                    for c in confs
                ),
            )
        )
    return Table(
        title="Which true effects and confounding strengths make the published 71-point gap "
        "plausible?",
        header=("true HR of intensification on relapse", *(f"confounding {c:g}" for c in confs)),
        rows=tuple(rows),
        note=(
            f"Share of {res.grid_replicates} simulated Asan-sized cohorts per cell whose naive "
            "5-year EFS gap (intensified minus not, post-induction MRD-high) is at least the "
            "published 71 points; compatible = share ≥ 0.05. Confounding is the log odds "
            "ratio of being intensified per SD of an unmeasured frailty."
        ),
    )


def replication_section(res: ReplicationResult) -> Section:
    """A report section for one replicated study (tables with every number formatted)."""
    main = Table(
        title=f"{res.title}: published vs {res.replicates} simulated replicates",
        header=(
            "figure",
            "published",
            "simulated median (2.5–97.5%)",
            "replicates",
            "published within simulated range",
        ),
        rows=tuple(_row(r) for r in res.rows),
        note=f"Source: {res.source}. Seed {res.seed}; {res.patients} patients per replicate.",
    )
    tables = (main, _grid_table(res)) if res.grid else (main,)
    return Section(
        id=f"replication-{res.study}",
        title=f"Seed study replicated in silico: {res.title}",
        paragraphs=(
            f"Each replicate is a SYNTHETIC cohort of {res.patients} patients from the "
            f"calibrated simulator; the table shows where the published figure falls in the "
            f"spread of {res.replicates} seeded replicates.",
            *res.notes,
        ),
        tables=tables,
        warnings=tuple(
            f"{r.label}: published figure outside the simulated 95% range"
            for r in res.rows
            if r.n_values and not r.within_spread
        ),
    )


def replication_sections(results: tuple[ReplicationResult, ...]) -> tuple[Section, ...]:
    """One section per replicated study, in order."""
    return tuple(replication_section(r) for r in results)
