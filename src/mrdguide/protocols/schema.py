"""Frozen value types of a protocol rule set (the parsed form of ``rulesets/*.toml``).

A rule set is data: groups ordered from lowest to highest risk, rules made of conditions with
explicit comparators and a citation each, a precedence policy, a time-point mapping onto the case
format and named parameters for every point where sources conflict. The engine
(:mod:`mrdguide.protocols.engine`) only interprets these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from mrdguide.errors import RuleSetError

#: Numeric comparators. ``>=``/``<`` and ``>``/``<=`` are complements of each other.
NUMERIC_OPERATORS: frozenset[str] = frozenset({">=", ">", "<", "<="})
#: Every operator a condition may use.
OPERATORS: frozenset[str] = NUMERIC_OPERATORS | frozenset(
    {"==", "!=", "in", "not_in", "contains", "not_contains", "contains_any", "contains_none"}
)
#: The complement of each numeric comparator (used by ``complement = true`` conditions).
COMPLEMENT: Mapping[str, str] = MappingProxyType({">=": "<", "<": ">=", ">": "<=", "<=": ">"})
#: Precedence policies.
PRECEDENCES: frozenset[str] = frozenset({"highest_risk_wins", "first_match"})
#: What a condition does when its field is absent from the case.
IF_MISSING: frozenset[str] = frozenset({"unknown", "fail"})
#: Evidence tags (docs/sources.md): verified against the source, or recalled. A threshold that
#: is unknown ([GAP]) is a parameter whose ``source`` says so; a rule is always [V] or [R].
EVIDENCE: frozenset[str] = frozenset({"V", "R"})
#: Policies for the level used when a result is positive but not quantifiable.
PNQ_POLICIES: frozenset[str] = frozenset({"estimate", "qr_lower_limit"})

#: The group name used when no group can be assigned.
NOT_ASSIGNABLE = "not_assignable"


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A named value that a rule refers to, where sources disagree or a choice was made.

    Parameters
    ----------
    name : str
        Identifier used by conditions (``param = "name"`` or ``op_param = "name"``) or by a
        rule's ``enabled_by``.
    value : float, str or bool
        The chosen value (a fraction, a number, a comparator, or a switch between two readings
        of a source that a rule names in ``enabled_by``).
    alternatives : tuple
        Values other sources give.
    source : str
        Why ``value`` was chosen (normally: the primary source says so).
    note : str
        The conflict in words.
    """

    name: str
    value: float | str | bool
    alternatives: tuple[float | str | bool, ...] = ()
    source: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "name": self.name,
            "value": self.value,
            "alternatives": list(self.alternatives),
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One test of one fact: ``field op threshold``.

    Exactly one of ``value`` and ``param`` gives the threshold; ``op`` or ``op_param`` gives the
    comparator. ``complement`` turns a parameterised comparator into its complement (``>=`` into
    ``<``) so that two rules stay exact complements when the parameter changes.
    """

    field: str
    op: str | None = None
    value: Any = None
    param: str | None = None
    op_param: str | None = None
    complement: bool = False
    unit: str | None = None
    if_missing: str = "unknown"

    def operator(self, params: Mapping[str, Parameter]) -> str:
        """The comparator after parameters are resolved."""
        op = str(params[self.op_param].value) if self.op_param is not None else str(self.op)
        return COMPLEMENT[op] if self.complement else op

    def threshold(self, params: Mapping[str, Parameter]) -> Any:
        """The threshold after parameters are resolved."""
        if self.param is not None:
            return params[self.param].value
        return self.value

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (unresolved)."""
        out: dict[str, Any] = {"field": self.field}
        for k in ("op", "value", "param", "op_param", "unit"):
            v = getattr(self, k)
            if v is not None:
                out[k] = list(v) if isinstance(v, tuple) else v
        if self.complement:
            out["complement"] = True
        if self.if_missing != "unknown":
            out["if_missing"] = self.if_missing
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A rule: if every ``all`` condition holds, at least one ``any`` condition holds (when
    given) and no ``none`` condition holds, the rule fires and proposes ``group``.

    ``designation`` is an optional sub-label reported with the group when the rule fires (e.g.
    ``"early HR"``). ``enabled_by`` names a boolean parameter: while it is false the rule never
    fires (its conditions are still traced), so one reading of an ambiguous source can be
    switched on without editing the file.
    """

    id: str
    group: str
    cite: str
    evidence: str
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    none: tuple[Condition, ...] = ()
    note: str = ""
    phase: str | None = None
    designation: str | None = None
    enabled_by: str | None = None

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition of the rule, in file order."""
        return (*self.all, *self.any, *self.none)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        out: dict[str, Any] = {
            "id": self.id,
            "group": self.group,
            "cite": self.cite,
            "evidence": self.evidence,
        }
        for k in ("all", "any", "none"):
            conds = getattr(self, k)
            if conds:
                out[k] = [c.to_dict() for c in conds]
        if self.note:
            out["note"] = self.note
        if self.phase:
            out["phase"] = self.phase
        if self.designation:
            out["designation"] = self.designation
        if self.enabled_by:
            out["enabled_by"] = self.enabled_by
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CaveatRule:
    """A condition set that, when it holds, adds ``text`` to the assignment's caveats."""

    id: str
    text: str
    cite: str
    all: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusion:
    """An exclusion criterion of the protocol's scope: a case for which every ``all``
    condition holds is outside the protocol (``not_assignable`` with ``cite`` as caveat)."""

    id: str
    cite: str
    all: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TimepointSpec:
    """How one protocol time point maps onto the case format.

    ``day_min``/``day_max`` bound the sample day (days since diagnosis, inclusive); a sample
    outside the window is still used, with a caveat. ``methods`` lists the protocol's methods;
    another method is used with a caveat. ``tissue`` is required: results from another tissue
    are not used.
    """

    label: str
    timepoint: str
    tissue: str
    methods: tuple[str, ...]
    day_min: int
    day_max: int
    cite: str
    required_sensitivity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        return {
            "label": self.label,
            "timepoint": self.timepoint,
            "tissue": self.tissue,
            "methods": list(self.methods),
            "day_min": self.day_min,
            "day_max": self.day_max,
            "cite": self.cite,
            "required_sensitivity": self.required_sensitivity,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """A parsed, validated protocol rule set.

    ``groups`` is ordered from lowest to highest risk. ``sha256`` is the hash of the file
    bytes it was parsed from.
    """

    id: str
    version: str
    title: str
    source: str
    precedence: str
    groups: tuple[str, ...]
    default_group: str | None
    required_sensitivity: float
    positive_nq_level: str
    timepoints: tuple[TimepointSpec, ...]
    rules: tuple[Rule, ...]
    eligibility: tuple[Condition, ...] = ()
    eligibility_cite: str = ""
    exclusions: tuple[Exclusion, ...] = ()
    caveat_rules: tuple[CaveatRule, ...] = ()
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    ambiguities: tuple[str, ...] = ()
    report_triggering_phase: bool = False
    sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    def rank(self, group: str) -> int:
        """Position of ``group`` in the risk order (0 is lowest risk)."""
        return self.groups.index(group)

    def timepoint(self, timepoint: str) -> TimepointSpec | None:
        """The mapping for case time point ``timepoint``, if the protocol uses it."""
        for tp in self.timepoints:
            if tp.timepoint == timepoint:
                return tp
        return None

    def with_parameters(self, **overrides: float | str | bool) -> RuleSet:
        """A copy with some parameters set to other values (e.g. a conflicting source's).

        Raises
        ------
        RuleSetError
            For an unknown parameter name, a comparator that is not one of ``>=``, ``>``,
            ``<``, ``<=`` where a comparator is expected, or a non-boolean value for a switch
            (or a boolean for a number).
        """
        params = dict(self.parameters)
        for name, value in overrides.items():
            if name not in params:
                raise RuleSetError(f"{self.id}: unknown parameter {name!r}")
            old = params[name]
            if isinstance(old.value, str) and value not in NUMERIC_OPERATORS:
                raise RuleSetError(f"{self.id}: parameter {name!r} must be a comparator")
            if isinstance(old.value, bool) != isinstance(value, bool):
                raise RuleSetError(f"{self.id}: parameter {name!r} must be true or false")
            params[name] = replace(old, value=value)
        return replace(self, parameters=params)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (for documentation and the CLI)."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "source": self.source,
            "sha256": self.sha256,
            "precedence": self.precedence,
            "groups": list(self.groups),
            "default_group": self.default_group,
            "required_sensitivity": self.required_sensitivity,
            "positive_nq_level": self.positive_nq_level,
            "timepoints": [t.to_dict() for t in self.timepoints],
            "parameters": {k: p.to_dict() for k, p in sorted(self.parameters.items())},
            "rules": [r.to_dict() for r in self.rules],
            "ambiguities": list(self.ambiguities),
        }
