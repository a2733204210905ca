"""Words for people from engine output: conditions, deciding rules and caveats.

The engine's assignment dicts (``RiskAssignment.to_dict()``) keep codes, field paths and raw
floats; this module turns them into sentences at render time (JSON is unchanged). Caveat strings
built in :mod:`mrdguide.protocols` and :mod:`mrdguide.mrd` are rewritten by pattern; anything
unrecognised is kept, with e-notation numbers written as powers of ten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mrdguide.domain.display import (
    format_mrd_threshold,
    format_number,
    mrd_percent,
    replace_e_notation,
)
from mrdguide.domain.labels import (
    FIELD,
    METHOD,
    NOT_ASSIGNABLE,
    TIMEPOINT_SHORT,
    TISSUE,
    VALUE,
    field_label,
    label,
)
from mrdguide.reports.model import Severity, TraceLine, TraceState

_NUMERIC_OPS = (">=", ">", "<", "<=")
#: Value vocabularies for fields whose values are codes.
_FIELD_VALUES = {
    "patient.sex": "sex",
    "patient.immunophenotype": "immunophenotype",
    "patient.cns_status": "cns_status",
    "induction_outcome": "induction_outcome",
    "nci_risk": "nci_risk",
    "prednisone_response": "prednisone_response",
}
_NUM = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def is_mrd_level(field: str) -> bool:
    """Whether ``field`` is an MRD level (a fraction shown in percent)."""
    return field.startswith("mrd.") and field.endswith(".level")


def _code_value(field: str, v: str) -> str:
    kind = _FIELD_VALUES.get(field)
    if kind is not None:
        return VALUE[kind].get(v, v)
    if field.endswith(".status"):
        return label("mrd_status", v)
    if field.endswith(".method"):
        return METHOD.get(v, v)
    if field.endswith(".tissue"):
        return TISSUE.get(v, v)
    return v


def value_words(field: str, v: Any, *, threshold: bool = False) -> str:
    """A fact value or threshold in words: MRD in percent, booleans as yes/no, codes labelled."""
    if v is None:
        return "missing"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list | tuple):
        return ", ".join(value_words(field, x) for x in v) or "none"
    if isinstance(v, int | float):
        if is_mrd_level(field):
            return format_mrd_threshold(v) if threshold else mrd_percent(v, 2)
        return format_number(v, 3)
    s = str(v)
    if is_mrd_level(field) and (m := re.fullmatch(rf"<\s*({_NUM})", s)):
        return f"negative (< {format_mrd_threshold(float(m.group(1)))})"
    if s.startswith("unresolved"):
        return humanize_text(s.replace("positive_nq", label("mrd_status", "positive_nq")))
    return _code_value(field, s)


def _phrase(c: Mapping[str, Any], *, with_observed: bool) -> str:
    """``<field> <op> <threshold>`` in words; with the observed value, or (for a met
    condition as a clause) with the observed value placed before the comparator."""
    field, op, thr = str(c.get("field")), str(c.get("operator", "")), c.get("threshold")
    name = field_label(field)
    obs = value_words(field, c.get("observed"))
    if op in _NUMERIC_OPS:
        rhs = f"{label('operator', op)} {value_words(field, thr, threshold=True)}"
        return f"{name} {rhs} (observed {obs})" if with_observed else f"{name} {obs} {rhs}"
    if isinstance(thr, bool) and op in ("==", "!="):
        core = name if thr == (op == "==") else f"not: {name}"
    else:
        core = f"{name} {label('operator', op)} {value_words(field, thr)}"
    return f"{core} (observed {obs})" if with_observed else core


_STATES: dict[object, tuple[TraceState, str]] = {
    True: ("met", "met"),
    False: ("not-met", "not met"),
    None: ("unknown", "unknown (input missing)"),
}


def condition_line(c: Mapping[str, Any]) -> TraceLine:
    """One trace entry in words with its state: ``met``, ``not-met`` or ``unknown``."""
    state, verdict = _STATES.get(c.get("passed"), _STATES[None])
    rule = str(c.get("rule", ""))
    return TraceLine(
        rule="eligibility" if rule == "ELIGIBILITY" else rule,
        text=f"{_phrase(c, with_observed=True)} → {verdict}",
        state=state,
    )


def condition_short(c: Mapping[str, Any]) -> str:
    """A met condition as a clause: ``end-of-consolidation MRD 21% ≥ 0.1%``."""
    return " ".join(_phrase(c, with_observed=False).split())


def _out_of_scope(caveats: Sequence[str]) -> bool:
    return any(cv.startswith("outside the protocol's scope") for cv in caveats)


def decision_words(a: Mapping[str, Any]) -> str:
    """The deciding rule in words: ``end-of-consolidation MRD 21% ≥ 0.1% → high risk``.

    For ``not_assignable`` it says whether the patient is outside the protocol's scope or which
    inputs are missing; for the default group, that no rule for another group applied.
    """
    pid = str(a.get("protocol", ""))
    group = str(a.get("risk_group", ""))
    glabel = label("group", group, protocol=pid)
    caveats = [str(c) for c in a.get("caveats", [])]
    if group == NOT_ASSIGNABLE:
        if _out_of_scope(caveats):
            return "outside the protocol's scope (see the note below) → not assignable"
        missing = [field_label(str(f)) for f in a.get("missing_inputs", [])]
        if missing:
            return f"missing input: {', '.join(missing)} → not assignable"
        return "no group could be assigned → not assignable"
    fired = [str(r) for r in a.get("fired_rules", [])]
    if not fired:
        return f"no rule for another group applied → {glabel} (the protocol's default group)"
    clauses = []
    for rid in fired:
        met = [c for c in a.get("trace", []) if c.get("rule") == rid and c.get("passed") is True]
        clauses.append(" and ".join(condition_short(c) for c in met) or rid)
    return f"{'; '.join(clauses)} → {glabel}"


# ---------------------------------------------------------------------------------------------
# caveats and flags
# ---------------------------------------------------------------------------------------------

_INFO = ("outside the protocol's scope", "sample day not recorded")
_WARNING = (
    "insufficient sensitivity",
    "genetics not used",
    "not evaluable",
    "no rule matched",
    "re-emergence",
    "conversion",
)


def severity_of(text: str) -> Severity:
    """``info`` (context), ``warning`` (may invalidate a result) or ``caution`` (qualifies it)."""
    low = text.lower()
    if any(k in low for k in _INFO):
        return "info"
    if any(k in low for k in _WARNING):
        return "warning"
    return "caution"


def _thr(m: re.Match[str], i: int) -> str:
    return format_mrd_threshold(float(m.group(i)))


_FIELD_RE = re.compile(
    r"\b(mrd\.[a-z0-9_]+\.[a-z_]+|genetics\.[a-z0-9_]+|patient\.[a-z0-9_]+|"
    + "|".join(re.escape(k) for k in FIELD if "." not in k)
    + r")\b"
)
_REWRITES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(rf"negative at ({_NUM}); the protocol requires ({_NUM}) for a negative result"),
        lambda m: (
            f"negative at a sensitivity of {_thr(m, 1)}; the protocol requires "
            f"{_thr(m, 2)} for a negative result"
        ),
    ),
    (
        re.compile(r"method (\w+) differs from the protocol's \(([^)]*)\)"),
        lambda m: (
            f"method {METHOD.get(m.group(1), m.group(1))} differs from the protocol's ("
            + ", ".join(METHOD.get(x.strip(), x.strip()) for x in m.group(2).split(","))
            + ")"
        ),
    ),
    (
        re.compile(r"result\(s\) from (\w+) not used; (.*) requires (\w+)"),
        lambda m: (
            f"result(s) from {TISSUE.get(m.group(1), m.group(1))} not used; {m.group(2)} "
            f"requires {TISSUE.get(m.group(3), m.group(3))}"
        ),
    ),
    (
        re.compile(rf"level ({_NUM}) is >= ({_NUM}) log above the earlier lowest level ({_NUM})"),
        lambda m: (
            f"level {mrd_percent(float(m.group(1)))} is at least {m.group(2)} log above "
            f"the earlier lowest level {mrd_percent(float(m.group(3)))}"
        ),
    ),
    (
        re.compile(rf"\b(MRD|threshold) ({_NUM})(?!\w|%|\.\d)"),
        lambda m: f"{m.group(1)} {_thr(m, 2)}",
    ),
    (
        re.compile(r"window (is )?day (\d+)-(\d+)"),
        lambda m: f"window {m.group(1) or ''}day {m.group(2)}–{m.group(3)}",
    ),
)


_AT_TP = re.compile(r"\bat (" + "|".join(TIMEPOINT_SHORT) + r")\b")


def _timepoint_prefix(text: str) -> str:
    head, sep, rest = text.partition(": ")
    if sep and head in TIMEPOINT_SHORT:
        short = TIMEPOINT_SHORT[head]
        return f"{short[0].upper()}{short[1:]}: {_timepoint_prefix(rest)}"
    return text


_CARET_POWER = re.compile(r"10\^(-?\d+)")
_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_REPEATED_TP = re.compile(r"\bat (\w+): \1: ")


def humanize_text(text: str) -> str:
    """Rewrite a caveat, flag or note built elsewhere for people (see module docstring)."""
    out = _timepoint_prefix(_REPEATED_TP.sub(r"at \1: ", text))
    for pat, fn in _REWRITES:
        out = pat.sub(fn, out)
    out = _FIELD_RE.sub(lambda m: field_label(m.group(1)), out)
    out = _AT_TP.sub(lambda m: f"at {TIMEPOINT_SHORT[m.group(1)]}", out)
    out = _CARET_POWER.sub(lambda m: "10" + m.group(1).translate(_SUPER), out)
    out = out.replace(" >= ", " ≥ ").replace(" <= ", " ≤ ")
    return replace_e_notation(out)
