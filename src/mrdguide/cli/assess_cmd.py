"""``mrdguide assess``: explained risk groups of cases under one or more protocols.

Text output explains in words: the deciding rule ("end-of-consolidation MRD 0.21% ≥ 0.1% → high
risk"), each caveat once with the protocols that raised it, and for a patient who cannot be
assigned whether an input is missing or the patient is outside the protocol's scope. JSON keeps
the engine's codes. Output is an assignment under a protocol's published rules, never a
treatment instruction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    WideOpt,
    console,
    disclaimer_footer,
    emit_json,
    fail,
    table,
    workspace,
)
from mrdguide.domain.labels import field_label, label
from mrdguide.protocols import NOT_ASSIGNABLE, RiskAssignment, RuleSet
from mrdguide.protocols.engine import SCOPE_CAVEAT
from mrdguide.reports.model import Notice
from mrdguide.reports.patient import protocol_notices
from mrdguide.reports.wording import condition_line, decision_words, humanize_text
from mrdguide.services import assess as assess_service

_MARK = {"met": "[green]✓[/green]", "not-met": "✗", "unknown": "[yellow]?[/yellow]"}
_SEVERITY = {"warning": "[red]warning[/red]", "caution": "[yellow]caution[/yellow]", "info": "info"}


def _scope_reasons(a: Mapping[str, Any]) -> list[str]:
    """Why a patient is outside the protocol's scope (the engine's scope caveats)."""
    prefix = f"{SCOPE_CAVEAT}: "
    return [str(c).removeprefix(prefix) for c in a["caveats"] if str(c).startswith(prefix)]


def decision(a: Mapping[str, Any]) -> str:
    """The deciding rule in words; for ``not_assignable``, the missing input or the scope.

    ``end-of-consolidation MRD 0.21% ≥ 0.1% → high risk``; ``outside the protocol's scope:
    <reason> → not assignable``; ``missing input: end-of-consolidation MRD … → not assignable``.
    """
    if a["risk_group"] == NOT_ASSIGNABLE:
        scope = _scope_reasons(a)
        if scope:
            return f"{SCOPE_CAVEAT}: {'; '.join(humanize_text(s) for s in scope)} → not assignable"
    return decision_words(a)


def _notices(assignments: Sequence[Mapping[str, Any]]) -> tuple[Notice, ...]:
    """Each caveat once, attributed to its protocols; scope reasons are in the decision."""
    kept = [
        dict(a, caveats=[c for c in a["caveats"] if not str(c).startswith(SCOPE_CAVEAT)])
        for a in assignments
    ]
    return protocol_notices(kept)


def _print_notices(out: Console, notices: Sequence[Notice], *, attribute: bool) -> None:
    """Caveats, most severe first, each once (with the protocols that raised it)."""
    if not notices:
        return
    cols = ("severity", "caveat", "raised by") if attribute else ("severity", "caveat")
    t = table("Caveats", cols, box=None, pad_edge=False)
    for n in notices:
        row = [_SEVERITY[n.severity], escape(n.text)]
        if attribute:
            row.append(escape(", ".join(n.sources)))
        t.add_row(*row)
    out.print(t)


def _heading(a: Mapping[str, Any]) -> str:
    pid = str(a["protocol"])
    group = label("group", a["risk_group"], protocol=pid)
    return (
        f"[bold]{escape(str(a['case']))}[/bold] under {escape(label('protocol', pid))} "
        f"({escape(pid)} {escape(str(a['protocol_version']))}): [bold]{escape(group)}[/bold]"
    )


def _explain(out: Console, a: Mapping[str, Any], rs: RuleSet) -> None:
    """One case under one protocol: decision, fired rules with citations, trace, caveats."""
    out.print(_heading(a))
    out.print(f"  Deciding rule: {escape(decision(a))}")
    cites = {r.id: r.cite for r in rs.rules}
    for rid in a["fired_rules"]:
        out.print(f"    {escape(rid)}: {escape(humanize_text(cites.get(rid, '')))}")
    if a.get("triggering_phase"):
        out.print(f"  Triggering phase: {label('timepoint_short', a['triggering_phase'])}")
    if a.get("missing_inputs"):
        names = ", ".join(field_label(str(f)) for f in a["missing_inputs"])
        out.print(f"  Missing input: {escape(names)}")
    trace = table("Conditions checked", ("", "rule", "condition (observed value) → result"))
    for c in a["trace"]:
        line = condition_line(c)
        trace.add_row(_MARK[line.state], escape(line.rule), escape(line.text))
    out.print(trace)
    _print_notices(out, _notices([a]), attribute=False)
    out.print(f"[dim]rule file sha256 {a['protocol_sha256']}[/dim]")


def _compare(out: Console, case_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """One case under several protocols: group and deciding rule per protocol, caveats once."""
    t = table(
        f"{escape(case_id)}: risk group under each protocol",
        ("protocol", "risk group", "deciding rule"),
        no_wrap=("protocol",),
    )
    for a in rows:
        pid = str(a["protocol"])
        t.add_row(
            escape(label("protocol", pid)),
            escape(label("group", a["risk_group"], protocol=pid)),
            escape(decision(a)),
        )
    out.print(t)
    _print_notices(out, _notices(rows), attribute=True)
    files = ", ".join(f"{a['protocol']} {a['protocol_version']}" for a in rows)
    out.print(f"[dim]Rule files: {escape(files)}[/dim]")


def print_text(
    results: Sequence[RiskAssignment], rulesets: Sequence[RuleSet], out: Console
) -> None:
    """The human-readable explanation of ``results`` (in input order)."""
    by_id = {rs.id: rs for rs in rulesets}
    docs = [a.to_dict() for a in results]
    if len(rulesets) == 1:
        for a in docs:
            _explain(out, a, by_id[a["protocol"]])
            out.print()
    else:
        for i in range(0, len(docs), len(rulesets)):
            chunk = docs[i : i + len(rulesets)]
            _compare(out, str(chunk[0]["case"]), chunk)
            out.print()
    out.print(f"[dim]{DISCLAIMER}[/dim]")
    out.print(disclaimer_footer())


def _run(
    ctx: typer.Context,
    files: list[Path],
    protocols: list[str],
    fmt: OutputFormat,
    patients: list[str],
    db: str | None,
    params: list[str],
    wide: bool,
) -> int:
    if not files and not patients:
        fail("give at least one CASE.json or --patient ID", ExitCode.USAGE)
    rulesets = assess_service.load_rulesets(protocols, params)
    cases = [assess_service.read_case(p) for p in files]
    results = assess_service.assess_cases(cases, rulesets)
    if patients:
        with workspace(ctx, db) as ws:
            results += assess_service.assess_registered(ws.registry(), patients, rulesets)
    if fmt is OutputFormat.JSON:
        emit_json([a.to_dict() for a in results])
    else:
        print_text(results, rulesets, console(wide=wide))
    return ExitCode.NOT_ASSIGNABLE if assess_service.any_not_assignable(results) else ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``assess`` command to ``app``."""

    @app.command("assess")
    def assess(
        ctx: typer.Context,
        cases: list[Path] = typer.Argument(  # noqa: B008
            None, help="Case JSON file(s) (the case format of mrdguide.domain)."
        ),
        protocol: list[str] = typer.Option(  # noqa: B008
            ..., "--protocol", "-p", help="Protocol id (repeatable), or 'all' to compare."
        ),
        fmt: OutputFormat = typer.Option(  # noqa: B008
            OutputFormat.TEXT, "--format", help="text or json."
        ),
        patient: list[str] = typer.Option(  # noqa: B008
            None, "--patient", help="Assess a registered patient and store the assignment."
        ),
        db: str | None = typer.Option(None, "--db", help="Registry database URL."),
        param: list[str] = typer.Option(  # noqa: B008
            None,
            "--param",
            help="Override a rule-set parameter, e.g. dcog-all10.hr_tp2_threshold=5e-4 "
            "(see docs/protocols.md for the documented conflicts).",
        ),
        wide: WideOpt = False,
    ) -> None:
        """Assign each case to a risk group under each protocol, rule by rule.

        Exit code 5 means at least one case was not assignable (an input missing, or the
        patient outside a protocol's scope); the output still lists every result. Research
        use only: an assignment under a protocol's rules is not a treatment recommendation.
        """
        code = _run(
            ctx,
            list(cases or []),
            protocol,
            fmt,
            list(patient or []),
            db,
            list(param or []),
            wide,
        )
        if code != ExitCode.OK:
            # SystemExit reaches ``main`` unchanged in non-standalone mode (typer.Exit does not).
            raise SystemExit(int(code))
