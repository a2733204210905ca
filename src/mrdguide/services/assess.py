"""Risk assessment workflows: load rule sets, read case files, assess and store assignments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from mrdguide.domain import Case
from mrdguide.errors import RuleSetError
from mrdguide.io import read_case_file
from mrdguide.protocols import (
    NOT_ASSIGNABLE,
    RiskAssignment,
    RuleSet,
    available_protocols,
    evaluate,
    load_ruleset,
)
from mrdguide.store import Registry

#: The protocol id that stands for every shipped protocol.
ALL = "all"
Progress = Callable[[str, int, int], None]

__all__ = [
    "ALL",
    "any_not_assignable",
    "assess_all",
    "assess_cases",
    "assess_registered",
    "load_rulesets",
    "parse_overrides",
    "read_case",
]


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def parse_overrides(items: Sequence[str]) -> dict[str, dict[str, float | str]]:
    """Parse ``PROTOCOL.NAME=VALUE`` strings into ``{protocol: {name: value}}``.

    Raises
    ------
    RuleSetError
        If an item is not of that form.
    """
    out: dict[str, dict[str, float | str]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        pid, dot, name = key.partition(".")
        if not (sep and dot and name and raw):
            raise RuleSetError(f"parameter {item!r}: expected PROTOCOL.NAME=VALUE")
        try:
            value: float | str = float(raw)
        except ValueError:
            value = raw
        out.setdefault(pid, {})[name] = value
    return out


def load_rulesets(ids: Sequence[str], overrides: Sequence[str] = ()) -> list[RuleSet]:
    """The rule sets named by ``ids`` (``"all"`` for every shipped one), with overrides.

    Raises
    ------
    RuleSetError
        For an unknown protocol or parameter, or an override of a protocol not assessed.
    """
    wanted: list[str] = []
    for pid in ids:
        wanted.extend(available_protocols() if pid == ALL else [pid])
    params = parse_overrides(overrides)
    loaded = [load_ruleset(pid) for pid in dict.fromkeys(wanted)]
    unknown = set(params) - {rs.id for rs in loaded}
    if unknown:
        raise RuleSetError(f"parameter override names protocol(s) not assessed: {sorted(unknown)}")
    return [rs.with_parameters(**params.get(rs.id, {})) for rs in loaded]


def read_case(path: Path) -> Case:
    """Read one case document.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IngestError
        Naming the file, field, value and rule of any problem.
    """
    return read_case_file(path)


def assess_cases(cases: Sequence[Case], rulesets: Sequence[RuleSet]) -> list[RiskAssignment]:
    """Every case under every rule set, case by case (pure)."""
    return [evaluate(c, rs) for c in cases for rs in rulesets]


def assess_registered(
    reg: Registry, patient_ids: Sequence[str], rulesets: Sequence[RuleSet]
) -> list[RiskAssignment]:
    """Assess registered patients on their authorised records and store each assignment with
    the versions it used, all in one transaction.

    Raises
    ------
    NotFoundError
        If a patient is not registered (nothing is stored).
    """
    out: list[RiskAssignment] = []
    items = []
    with reg.transaction():
        for pid in patient_ids:
            view = reg.case_view(pid)
            for rs in rulesets:
                a = evaluate(view.case, rs)
                items.append((pid, a, view.inputs()))
                out.append(a)
        reg.save_assignments(items)
    return out


def any_not_assignable(results: Sequence[RiskAssignment]) -> bool:
    """Whether at least one result is ``not_assignable``."""
    return any(a.risk_group == NOT_ASSIGNABLE for a in results)


def assess_all(
    cases: Sequence[Case], protocols: Sequence[str], progress: Progress = _quiet
) -> dict[str, list[RiskAssignment]]:
    """Evaluate every case under every protocol (pure; input order kept)."""
    out: dict[str, list[RiskAssignment]] = {}
    total = len(cases) * len(protocols)
    done = 0
    for pid in protocols:
        rs = load_ruleset(pid)
        res = []
        for c in cases:
            res.append(evaluate(c, rs))
            done += 1
            if done % 500 == 0 or done == total:
                progress("assess", done, total)
        out[pid] = res
    return out
