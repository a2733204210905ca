"""``mrdguide assess``: explained risk groups of cases under one or more protocols.

Output is an assignment under a protocol's published rules, never a treatment instruction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import typer
from rich.console import Console
from rich.table import Table

from mrdguide._disclaimer import DISCLAIMER
from mrdguide.cli._common import ExitCode, OutputFormat, disclaimer_footer, emit_json
from mrdguide.domain import Case, case_from_dict
from mrdguide.errors import InputError, MRDGuideError, NotFoundError, RuleSetError
from mrdguide.protocols import (
    NOT_ASSIGNABLE,
    RiskAssignment,
    RuleSet,
    available_protocols,
    evaluate,
    load_ruleset,
)

ALL = "all"


class _Fail(click.ClickException):
    """A failed command with a meaningful exit code (``main`` prints it and returns the code)."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = int(code)  # type: ignore[misc]  # click declares a class default


def _read_case(path: Path) -> Case:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Fail(f"{path}: file not found", ExitCode.NOT_FOUND) from None
    except OSError as exc:
        raise _Fail(f"{path}: cannot read: {exc}", ExitCode.INVALID_INPUT) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        raise _Fail(msg, ExitCode.INVALID_INPUT) from None
    if not isinstance(doc, dict):
        raise _Fail(f"{path}: a case file must hold one JSON object", ExitCode.INVALID_INPUT)
    try:
        return case_from_dict(doc)
    except InputError as exc:
        where = f"field {exc.field!r}: " if exc.field else ""
        raise _Fail(f"{path}: {where}{exc}", ExitCode.INVALID_INPUT) from None


def _overrides(params: list[str]) -> dict[str, dict[str, float | str]]:
    """Parse ``PROTOCOL.NAME=VALUE`` options into ``{protocol: {name: value}}``."""
    out: dict[str, dict[str, float | str]] = {}
    for item in params:
        key, sep, raw = item.partition("=")
        pid, dot, name = key.partition(".")
        if not (sep and dot and name and raw):
            raise _Fail(f"--param {item!r}: expected PROTOCOL.NAME=VALUE", ExitCode.USAGE)
        try:
            value: float | str = float(raw)
        except ValueError:
            value = raw
        out.setdefault(pid, {})[name] = value
    return out


def _rulesets(ids: list[str], params: list[str]) -> list[RuleSet]:
    wanted: list[str] = []
    for pid in ids:
        wanted.extend(available_protocols() if pid == ALL else [pid])
    overrides = _overrides(params)
    try:
        loaded = [load_ruleset(pid) for pid in dict.fromkeys(wanted)]
        unknown = set(overrides) - {rs.id for rs in loaded}
        if unknown:
            raise RuleSetError(f"--param names protocol(s) not assessed: {sorted(unknown)}")
        return [rs.with_parameters(**overrides.get(rs.id, {})) for rs in loaded]
    except RuleSetError as exc:
        raise _Fail(str(exc), ExitCode.USAGE) from None


def _from_registry(
    patient_ids: list[str], db: str | None, rulesets: list[RuleSet]
) -> list[RiskAssignment]:
    from mrdguide.store import open_registry

    out: list[RiskAssignment] = []
    try:
        with open_registry(db) as reg:
            for pid in patient_ids:
                case = reg.get_case(pid)
                for rs in rulesets:
                    a = evaluate(case, rs)
                    reg.save_assignment(pid, {**a.to_dict(), "protocol_id": a.protocol})
                    out.append(a)
    except NotFoundError as exc:
        raise _Fail(str(exc), ExitCode.NOT_FOUND) from None
    except MRDGuideError as exc:
        raise _Fail(str(exc), ExitCode.FAILURE) from None
    return out


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
    files: list[Path],
    protocols: list[str],
    fmt: OutputFormat,
    patients: list[str],
    db: str | None,
    params: list[str],
) -> int:
    if not files and not patients:
        raise _Fail("give at least one CASE.json or --patient ID", ExitCode.USAGE)
    rulesets = _rulesets(protocols, params)
    cases = [_read_case(p) for p in files]
    results = [evaluate(c, rs) for c in cases for rs in rulesets]
    if patients:
        results += _from_registry(patients, db, rulesets)
    if fmt is OutputFormat.JSON:
        emit_json([a.to_dict() for a in results])
    else:
        _print_text(results, rulesets)
    if any(a.risk_group == NOT_ASSIGNABLE for a in results):
        return ExitCode.NOT_ASSIGNABLE
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``assess`` command to ``app``."""

    @app.command("assess")
    def assess(
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
        code = _run(list(cases or []), protocol, fmt, list(patient or []), db, list(param or []))
        if code != ExitCode.OK:
            # SystemExit reaches ``main`` unchanged in non-standalone mode (typer.Exit does not).
            raise SystemExit(int(code))
