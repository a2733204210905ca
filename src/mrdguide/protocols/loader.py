"""Load and validate the packaged protocol rule files.

The only I/O in :mod:`mrdguide.protocols` is here: reading the package's own
``rulesets/*.toml`` through :mod:`importlib.resources`. :func:`parse_ruleset` is pure (bytes in,
:class:`RuleSet` out) and computes the content hash (sha256 of the file bytes) that every
assignment carries.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from mrdguide.errors import RuleSetError
from mrdguide.protocols.schema import (
    EVIDENCE,
    IF_MISSING,
    NUMERIC_OPERATORS,
    OPERATORS,
    PNQ_POLICIES,
    PRECEDENCES,
    CaveatRule,
    Condition,
    Exclusion,
    Parameter,
    Rule,
    RuleSet,
    TimepointSpec,
)

_RULESET_PACKAGE = "mrdguide.protocols.rulesets"
_CONDITION_KEYS = frozenset(
    {"field", "op", "value", "param", "op_param", "complement", "unit", "if_missing"}
)
_RULE_KEYS = frozenset(
    {
        "id",
        "group",
        "cite",
        "evidence",
        "all",
        "any",
        "none",
        "note",
        "phase",
        "designation",
        "enabled_by",
    }
)
_TOP_KEYS = frozenset(
    {"ruleset", "mrd", "timepoints", "parameters", "eligibility", "rules", "caveats"}
)
_RULESET_KEYS = frozenset(
    {
        "id",
        "version",
        "title",
        "source",
        "precedence",
        "groups",
        "default_group",
        "report_triggering_phase",
        "ambiguities",
    }
)
_TIMEPOINT_KEYS = frozenset(
    {
        "label",
        "timepoint",
        "tissue",
        "methods",
        "day_min",
        "day_max",
        "cite",
        "required_sensitivity",
    }
)
_MRD_FIELD = re.compile(r"^mrd\.([a-z0-9_]+)\.([a-z_]+)$")
_STATIC_FIELDS = frozenset(
    {
        "patient.age_years",
        "patient.wbc_per_ul",
        "patient.sex",
        "patient.immunophenotype",
        "patient.cns_status",
        "patient.testicular_involvement",
        "patient.steroid_pretreatment",
        "patient.down_syndrome",
        "patient.day8_pb_blasts_per_ul",
        "patient.etp",
        "patient.eoi_marrow_blasts_percent",
        "nci_risk",
        "prednisone_response",
        "induction_outcome",
        "genetics.uk_tier",
        "genetics.cog_tier",
        "genetics.stjude_tier",
        "genetics.ploidy_class",
        "genetics.modal_chromosome_number",
        "genetics.dna_index",
        "genetics.ikzf1plus",
        "genetics.lesions",
        "genetics.trisomies",
    }
)
#: Attributes rules may read for every mapped time point ``mrd.<timepoint>.<attribute>``.
MRD_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "available",
        "evaluable",
        "status",
        "detected",
        "negative_at_required",
        "level",
        "method",
        "tissue",
        "day",
        "markers",
    }
)


def _need(d: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in d:
        raise RuleSetError(f"{where}: missing required key {key!r}")
    v = d[key]
    if not isinstance(v, kind) or (isinstance(v, bool) and kind is not bool):
        raise RuleSetError(f"{where}.{key}: wrong type {type(v).__name__}")
    return v


def _no_unknown(d: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise RuleSetError(f"{where}: unknown key(s) {extra}")


def _parameters(raw: Mapping[str, Any]) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for name, d in raw.items():
        where = f"parameters.{name}"
        _no_unknown(d, frozenset({"value", "alternatives", "source", "note"}), where)
        if "value" not in d:
            raise RuleSetError(f"{where}: missing required key 'value'")
        value = d["value"]
        if not isinstance(value, bool):
            value = _need(d, "value", where, (int, float, str))
        if isinstance(value, str) and value not in NUMERIC_OPERATORS:
            raise RuleSetError(f"{where}: a string parameter must be a comparator")
        out[name] = Parameter(
            name=name,
            value=float(value) if isinstance(value, int) and not isinstance(value, bool) else value,
            alternatives=tuple(d.get("alternatives", ())),
            source=_need(d, "source", where, str),
            note=str(d.get("note", "")),
        )
    return out


def _check_condition_params(
    d: Mapping[str, Any], where: str, params: Mapping[str, Parameter]
) -> None:
    for key in ("param", "op_param"):
        if key in d and d[key] not in params:
            raise RuleSetError(f"{where}: unknown parameter {d[key]!r}")
    if "op_param" in d and not isinstance(params[d["op_param"]].value, str):
        raise RuleSetError(f"{where}: op_param must name a comparator parameter")
    if "param" in d and isinstance(params[d["param"]].value, bool):
        raise RuleSetError(f"{where}: a boolean parameter is a rule switch (enabled_by)")


def _condition(d: Any, where: str, params: Mapping[str, Parameter]) -> Condition:
    if not isinstance(d, Mapping):
        raise RuleSetError(f"{where}: a condition must be a table")
    _no_unknown(d, _CONDITION_KEYS, where)
    fld = _need(d, "field", where, str)
    if fld not in _STATIC_FIELDS:
        m = _MRD_FIELD.match(fld)
        if m is None or m.group(2) not in MRD_ATTRIBUTES:
            raise RuleSetError(f"{where}: unknown field {fld!r}")
    if ("op" in d) == ("op_param" in d):
        raise RuleSetError(f"{where}: give exactly one of 'op' and 'op_param'")
    if "op" in d and d["op"] not in OPERATORS:
        raise RuleSetError(f"{where}: unknown operator {d['op']!r}")
    if ("value" in d) == ("param" in d):
        raise RuleSetError(f"{where}: give exactly one of 'value' and 'param'")
    _check_condition_params(d, where, params)
    if d.get("complement") and "op_param" not in d:
        raise RuleSetError(f"{where}: 'complement' applies to 'op_param' only")
    if d.get("if_missing", "unknown") not in IF_MISSING:
        raise RuleSetError(f"{where}: if_missing must be one of {sorted(IF_MISSING)}")
    value = d.get("value")
    return Condition(
        field=fld,
        op=d.get("op"),
        value=tuple(value) if isinstance(value, list) else value,
        param=d.get("param"),
        op_param=d.get("op_param"),
        complement=bool(d.get("complement", False)),
        unit=d.get("unit"),
        if_missing=d.get("if_missing", "unknown"),
    )


def _conditions(raw: Any, where: str, params: Mapping[str, Parameter]) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleSetError(f"{where}: must be a list of conditions")
    return tuple(_condition(c, f"{where}[{i}]", params) for i, c in enumerate(raw))


def _rule(d: Mapping[str, Any], i: int, params: Mapping[str, Parameter]) -> Rule:
    where = f"rules[{i}]"
    _no_unknown(d, _RULE_KEYS, where)
    rid = _need(d, "id", where, str)
    where = f"rules[{rid}]"
    cite = _need(d, "cite", where, str)
    if not cite.strip():
        raise RuleSetError(f"{where}: empty citation")
    evidence = _need(d, "evidence", where, str)
    if evidence not in EVIDENCE:
        raise RuleSetError(f"{where}: evidence must be 'V' or 'R'")
    rule = Rule(
        id=rid,
        group=_need(d, "group", where, str),
        cite=cite,
        evidence=evidence,
        all=_conditions(d.get("all"), f"{where}.all", params),
        any=_conditions(d.get("any"), f"{where}.any", params),
        none=_conditions(d.get("none"), f"{where}.none", params),
        note=str(d.get("note", "")),
        phase=d.get("phase"),
        designation=d.get("designation"),
        enabled_by=d.get("enabled_by"),
    )
    if rule.enabled_by is not None and not isinstance(
        getattr(params.get(rule.enabled_by), "value", None), bool
    ):
        raise RuleSetError(f"{where}: enabled_by must name a boolean parameter")
    if not rule.conditions:
        raise RuleSetError(f"{where}: a rule needs at least one condition")
    if evidence == "R" and not rule.note:
        raise RuleSetError(f"{where}: an [R] rule needs a note saying what is unverified")
    return rule


def _timepoint(d: Mapping[str, Any], i: int) -> TimepointSpec:
    where = f"timepoints[{i}]"
    _no_unknown(d, _TIMEPOINT_KEYS, where)
    spec = TimepointSpec(
        label=_need(d, "label", where, str),
        timepoint=_need(d, "timepoint", where, str),
        tissue=_need(d, "tissue", where, str),
        methods=tuple(_need(d, "methods", where, list)),
        day_min=_need(d, "day_min", where, int),
        day_max=_need(d, "day_max", where, int),
        cite=_need(d, "cite", where, str),
        required_sensitivity=d.get("required_sensitivity"),
    )
    if spec.day_min > spec.day_max:
        raise RuleSetError(f"{where}: day_min > day_max")
    return spec


def _check_references(rs: RuleSet) -> None:
    groups = set(rs.groups)
    if len(groups) != len(rs.groups):
        raise RuleSetError(f"{rs.id}: duplicate group names")
    if rs.default_group is not None and rs.default_group not in groups:
        raise RuleSetError(f"{rs.id}: default_group {rs.default_group!r} is not a group")
    ids = [r.id for r in rs.rules]
    if len(set(ids)) != len(ids):
        raise RuleSetError(f"{rs.id}: duplicate rule ids")
    mapped = {t.timepoint for t in rs.timepoints}
    conds = [c for r in rs.rules for c in r.conditions]
    conds += list(rs.eligibility) + [c for cr in rs.caveat_rules for c in cr.all]
    conds += [c for ex in rs.exclusions for c in ex.all]
    for r in rs.rules:
        if r.group not in groups:
            raise RuleSetError(f"{rs.id}: rule {r.id} names unknown group {r.group!r}")
        if r.phase is not None and r.phase not in mapped:
            raise RuleSetError(f"{rs.id}: rule {r.id} names unmapped phase {r.phase!r}")
    for c in conds:
        m = _MRD_FIELD.match(c.field)
        if m is not None and m.group(1) not in mapped:
            raise RuleSetError(f"{rs.id}: field {c.field!r} uses an unmapped time point")
    if rs.default_group is None and rs.precedence == "highest_risk_wins":
        raise RuleSetError(f"{rs.id}: highest_risk_wins needs a default_group (exhaustive)")


def parse_ruleset(data: bytes, *, origin: str = "<bytes>") -> RuleSet:
    """Parse and validate one rule file.

    Parameters
    ----------
    data : bytes
        The TOML file contents. The sha256 of exactly these bytes becomes ``RuleSet.sha256``.
    origin : str
        Name used in error messages.

    Raises
    ------
    RuleSetError
        On invalid TOML, unknown keys, unknown operators, fields, groups or parameters, rules
        without a citation, or a non-exhaustive precedence.
    """
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleSetError(f"{origin}: not valid TOML: {exc}") from exc
    try:
        rs = _build(raw)
    except RuleSetError as exc:
        raise RuleSetError(f"{origin}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleSetError(f"{origin}: malformed rule file: {exc}") from exc
    return replace(rs, sha256=hashlib.sha256(data).hexdigest())


def _exclusions(raw: Any, params: Mapping[str, Parameter]) -> tuple[Exclusion, ...]:
    if not isinstance(raw, list):
        raise RuleSetError("eligibility.exclude must be a list of tables")
    out = []
    for i, d in enumerate(raw):
        where = f"eligibility.exclude[{i}]"
        _no_unknown(d, frozenset({"id", "cite", "all"}), where)
        ex = Exclusion(
            id=_need(d, "id", where, str),
            cite=_need(d, "cite", where, str),
            all=_conditions(d.get("all"), f"{where}.all", params),
        )
        if not ex.all:
            raise RuleSetError(f"{where}: an exclusion needs at least one condition")
        out.append(ex)
    return tuple(out)


def _build(raw: Mapping[str, Any]) -> RuleSet:
    _no_unknown(raw, _TOP_KEYS, "file")
    head = _need(raw, "ruleset", "file", dict)
    _no_unknown(head, _RULESET_KEYS, "ruleset")
    mrd = _need(raw, "mrd", "file", dict)
    _no_unknown(mrd, frozenset({"required_sensitivity", "positive_nq_level"}), "mrd")
    params = _parameters(raw.get("parameters", {}))
    precedence = _need(head, "precedence", "ruleset", str)
    if precedence not in PRECEDENCES:
        raise RuleSetError(f"ruleset.precedence must be one of {sorted(PRECEDENCES)}")
    pnq = mrd.get("positive_nq_level", "estimate")
    if pnq not in PNQ_POLICIES:
        raise RuleSetError(f"mrd.positive_nq_level must be one of {sorted(PNQ_POLICIES)}")
    elig = raw.get("eligibility", {})
    _no_unknown(elig, frozenset({"any", "cite", "exclude"}), "eligibility")
    caveats = tuple(
        CaveatRule(
            id=_need(c, "id", f"caveats[{i}]", str),
            text=_need(c, "text", f"caveats[{i}]", str),
            cite=_need(c, "cite", f"caveats[{i}]", str),
            all=_conditions(c.get("all"), f"caveats[{i}].all", params),
        )
        for i, c in enumerate(raw.get("caveats", []))
    )
    rs = RuleSet(
        id=_need(head, "id", "ruleset", str),
        version=_need(head, "version", "ruleset", str),
        title=_need(head, "title", "ruleset", str),
        source=_need(head, "source", "ruleset", str),
        precedence=precedence,
        groups=tuple(_need(head, "groups", "ruleset", list)),
        default_group=head.get("default_group"),
        required_sensitivity=float(_need(mrd, "required_sensitivity", "mrd", (int, float))),
        positive_nq_level=pnq,
        timepoints=tuple(_timepoint(t, i) for i, t in enumerate(raw.get("timepoints", []))),
        rules=tuple(_rule(r, i, params) for i, r in enumerate(_need(raw, "rules", "file", list))),
        eligibility=_conditions(elig.get("any"), "eligibility.any", params),
        eligibility_cite=str(elig.get("cite", "")),
        exclusions=_exclusions(elig.get("exclude", []), params),
        caveat_rules=caveats,
        parameters=params,
        ambiguities=tuple(head.get("ambiguities", ())),
        report_triggering_phase=bool(head.get("report_triggering_phase", False)),
    )
    _check_references(rs)
    return rs


def _files() -> dict[str, bytes]:
    root = resources.files(_RULESET_PACKAGE)
    return {
        entry.name.removesuffix(".toml"): entry.read_bytes()
        for entry in root.iterdir()
        if entry.name.endswith(".toml")
    }


def available_protocols() -> tuple[str, ...]:
    """Ids of every packaged rule set, sorted."""
    return tuple(sorted(_files()))


@cache
def load_ruleset(protocol_id: str) -> RuleSet:
    """Load a packaged rule set by id (e.g. ``"ukall2003"``), with its content hash.

    Raises
    ------
    RuleSetError
        If no rule file has that id, or the file is invalid.
    """
    files = _files()
    if protocol_id not in files:
        known = ", ".join(sorted(files))
        raise RuleSetError(f"unknown protocol {protocol_id!r}; available: {known}")
    rs = parse_ruleset(files[protocol_id], origin=f"{protocol_id}.toml")
    if rs.id != protocol_id:
        raise RuleSetError(f"{protocol_id}.toml declares id {rs.id!r}")
    return rs


def ruleset_source(protocol_id: str) -> bytes:
    """The exact bytes of a packaged rule file (their SHA-256 is ``RuleSet.sha256``).

    Raises
    ------
    RuleSetError
        If no rule file has that id.
    """
    files = _files()
    if protocol_id not in files:
        raise RuleSetError(f"unknown protocol {protocol_id!r}")
    return files[protocol_id]
