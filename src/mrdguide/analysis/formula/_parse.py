"""Parsing of R-style survival formulas (internal).

``"Surv(time, event) ~ age + C(subtype) + log10(mrd) + strata(sex) + cluster(id)"`` is split
into its response (``Surv``/``Event`` and the argument expressions), the special terms R's
survival package treats apart (``strata()``, ``cluster()``, ``offset()``) and the remaining
right-hand side, which formulaic parses and later encodes. formulaic is imported when a formula
is parsed, never at module import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mrdguide.errors import InputError

__all__ = ["ParsedFormula", "parse_formula", "split_top_level"]

SPECIALS = ("strata", "cluster", "offset")
_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\((.*)\)\s*$", re.DOTALL)
_NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_.]*|`[^`]+`)$")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFormula:
    """The pieces of a survival formula.

    ``response`` is ``"Surv"`` or ``"Event"``; ``response_args`` its argument expressions (2
    for ``(time, status)``, 3 for ``(start, stop, event)``). ``rhs`` is a formulaic
    ``SimpleFormula`` of the ordinary terms, always with an intercept (encoding needs it, as
    R's ``coxph`` forces ``attr(Terms, "intercept") <- 1``; the intercept column is dropped
    after encoding). ``strata`` are column names, ``cluster`` one column name, ``offsets``
    expressions (summed, as R).
    """

    text: str
    response: str
    response_args: tuple[str, ...]
    rhs: Any
    strata: tuple[str, ...]
    cluster: str | None
    offsets: tuple[str, ...]


def split_top_level(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` characters outside brackets, quotes and backticks."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _column_name(arg: str, where: str) -> str:
    """A bare (or backticked) column name; the argument of strata()/cluster()."""
    a = arg.strip()
    if not _NAME.match(a):
        raise InputError(
            f"{where} takes column names, got {a!r}",
            field="formula",
            value=a,
            rule=f"{where}: column names only (compute the column first)",
        )
    return a.strip("`")


def _response(lhs: str, responses: tuple[str, ...], text: str) -> tuple[str, tuple[str, ...]]:
    m = _CALL.match(lhs)
    if m is None or m.group(1) not in responses:
        forms = " or ".join(f"{r}(...)" for r in responses)
        raise InputError(
            f"the left-hand side of {text!r} must be {forms}",
            field="formula",
            value=lhs.strip(),
            rule=f"response is {forms}",
        )
    args = tuple(a.strip() for a in split_top_level(m.group(2), ","))
    if any(not a for a in args) or any("=" in a and "==" not in a for a in args):
        raise InputError(
            f"{m.group(1)}() takes positional column expressions, got {lhs.strip()!r}",
            field="formula",
            value=lhs.strip(),
            rule="Surv(time, event), Surv(start, stop, event) or Event(time, cause)",
        )
    return m.group(1), args


def _call_name(expr: str) -> str | None:
    m = _CALL.match(expr)
    return m.group(1) if m else None


def _special(term: Any) -> tuple[str, str] | None:
    """``(name, inner text)`` when a term is one special call, else None."""
    exprs = [str(f.expr) for f in term.factors]
    hits = [e for e in exprs if _call_name(e) in SPECIALS]
    if not hits:
        return None
    if len(exprs) > 1:
        raise InputError(
            f"{hits[0]} cannot be part of an interaction ({term})",
            field="formula",
            value=str(term),
            rule="strata(), cluster() and offset() are separate terms",
        )
    m = _CALL.match(hits[0])
    assert m is not None
    return m.group(1), m.group(2)


def _split_terms(parsed: Any) -> tuple[list[Any], list[str], list[str], list[str]]:
    """Ordinary terms and the strata / cluster / offset specials of a parsed right side."""
    from formulaic import Formula

    strata: list[str] = []
    clusters: list[str] = []
    offsets: list[str] = []
    terms: list[Any] = list(Formula("1"))
    for term in parsed:
        sp = _special(term)
        if sp is None:
            if str(term) != "1":
                terms.append(term)
        elif sp[0] == "strata":
            strata += [_column_name(a, "strata()") for a in split_top_level(sp[1], ",")]
        elif sp[0] == "cluster":
            clusters.append(_column_name(sp[1], "cluster()"))
        else:
            offsets.append(sp[1].strip())
    if len(clusters) > 1:
        raise InputError(
            "only one cluster() term is allowed",
            field="formula",
            value=clusters,
            rule="one cluster()",
        )
    return terms, strata, clusters, offsets


def parse_formula(text: Any, responses: tuple[str, ...] = ("Surv",)) -> ParsedFormula:
    """Parse ``"Surv(...) ~ terms"``; see :class:`ParsedFormula`."""
    from formulaic import Formula
    from formulaic.formula import SimpleFormula

    if not isinstance(text, str):
        raise InputError("formula must be a string", field="formula", value=text, rule="str")
    sides = split_top_level(text, "~")
    if len(sides) != 2 or not sides[1].strip():
        raise InputError(
            f"formula {text!r} needs one '~' with a right-hand side",
            field="formula",
            value=text,
            rule="Surv(...) ~ terms",
        )
    response, args = _response(sides[0], responses, text)
    try:
        parsed = Formula(sides[1])
    except Exception as exc:  # formulaic raises its own parser errors
        raise InputError(
            f"cannot parse {sides[1].strip()!r}: {exc}", field="formula", value=text, rule="syntax"
        ) from exc
    terms, strata, clusters, offsets = _split_terms(parsed)
    return ParsedFormula(
        text=text,
        response=response,
        response_args=args,
        rhs=SimpleFormula(terms),
        strata=tuple(strata),
        cluster=clusters[0] if clusters else None,
        offsets=tuple(offsets),
    )
