"""``mrdguide assess``: explained risk groups of cases under one or more protocols.

Output is an assignment under a protocol's published rules, never a treatment instruction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    workspace,
)
from mrdguide.protocols import NOT_ASSIGNABLE, RiskAssignment, RuleSet
from mrdguide.services import assess as assess_service


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return "-" if v is None else str(v)


def _passed(p: bool | None) -> str:
    return {True: "[green]yes[/green]", False: "no", None: "[yellow]unknown[/yellow]"}[p]


def _explain(console: Console, a: RiskAssignment, rs: RuleSet) -> None:
    if a.risk_group == NOT_ASSIGNABLE:
        head = f"Case {a.case}: not assignable under protocol {a.protocol} {a.protocol_version}"
    else:
        head = (
            f"Case {a.case}: assigned to risk group [bold]{a.risk_group}[/bold] under protocol "
            f"{a.protocol} {a.protocol_version}"
        )
    console.print(head)
    console.print(f"[dim]rule file sha256 {a.protocol_sha256}[/dim]")
    cites = {r.id: r.cite for r in rs.rules}
    for rid in a.fired_rules:
        console.print(f"  fired {rid}: {cites.get(rid, '')}")
    if a.default_group_applied:
        console.print(f"  no rule fired: default group '{a.risk_group}' (all others)")
    if a.triggering_phase:
        console.print(f"  triggering phase: {a.triggering_phase}")
    table = Table("rule", "field", "op", "threshold", "observed", "passed", show_lines=False)
    for c in a.trace:
        table.add_row(
            c.rule,
            c.field,
            c.operator,
            _fmt(c.threshold),
            "missing" if c.missing else _fmt(c.observed),
            _passed(c.passed),
        )
    console.print(table)
    if a.missing_inputs:
        console.print("  missing inputs: " + ", ".join(a.missing_inputs))
    for cav in a.caveats:
        console.print(f"  [yellow]caveat[/yellow]: {cav}", markup=True, highlight=False)


def _compare(console: Console, case_id: str, rows: list[RiskAssignment]) -> None:
    table = Table(title=f"Case {case_id}: risk group under each protocol")
    for col in ("protocol", "risk group", "fired rules", "missing inputs", "caveats"):
        table.add_column(col)
    for a in rows:
        table.add_row(
            f"{a.protocol} {a.protocol_version}",
            a.risk_group,
            ", ".join(a.fired_rules) or ("(default)" if a.default_group_applied else "-"),
            ", ".join(a.missing_inputs) or "-",
            str(len(a.caveats)),
        )
    console.print(table)


def _print_text(results: list[RiskAssignment], rulesets: list[RuleSet]) -> None:
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)
    by_id = {rs.id: rs for rs in rulesets}
    if len(rulesets) == 1:
        for a in results:
            _explain(console, a, by_id[a.protocol])
            console.print()
    else:
        for i in range(0, len(results), len(rulesets)):
            chunk = results[i : i + len(rulesets)]
            _compare(console, chunk[0].case, chunk)
    console.print(f"[dim]{DISCLAIMER}[/dim]")
    console.print(disclaimer_footer())


def _run(
    ctx: typer.Context,
    files: list[Path],
    protocols: list[str],
    fmt: OutputFormat,
    patients: list[str],
    db: str | None,
    params: list[str],
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
        _print_text(results, rulesets)
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
    ) -> None:
        """Assign each case to a risk group under each protocol, rule by rule.

        Exit code 5 means at least one case was not assignable (missing inputs); the output
        still lists every result. Research use only: an assignment under a protocol's rules is
        not a treatment recommendation.
        """
        code = _run(
            ctx, list(cases or []), protocol, fmt, list(patient or []), db, list(param or [])
        )
        if code != ExitCode.OK:
            # SystemExit reaches ``main`` unchanged in non-standalone mode (typer.Exit does not).
            raise SystemExit(int(code))
