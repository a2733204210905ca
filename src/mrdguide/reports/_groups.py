"""Group names, risk order and colours for the cohort report (codes stay in the analysis)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from mrdguide.analysis.outcomes import GroupedIncidence, GroupedSurvival
from mrdguide.domain.display import format_mrd_band, format_mrd_threshold
from mrdguide.domain.labels import GROUP, METHOD, TRAILING_GROUPS, VALUE, label, risk_order
from mrdguide.errors import MRDGuideError
from mrdguide.protocols import load_ruleset
from mrdguide.reports.figures import group_colors

G = TypeVar("G", GroupedSurvival, GroupedIncidence)


def protocol_groups(protocol_id: str) -> tuple[str, ...] | None:
    """The shipped rule set's groups (lowest to highest risk), or ``None`` if not shipped."""
    try:
        return load_ruleset(protocol_id).groups
    except (MRDGuideError, LookupError, OSError):
        return None


_EDGE = r"(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_BELOW = re.compile(rf"^<\s*{_EDGE}$")
_FROM = re.compile(rf"^{_EDGE}\s*[–-]\s*{_EDGE}$|^(?:≥|>=)\s*{_EDGE}$")


def _band_low(code: str) -> float | None:
    """The lower edge of an MRD band code (``<1e-04`` 0, ``1e-04–1e-03`` 1e-4), else None."""
    c = code.strip()
    if _BELOW.match(c):
        return 0.0
    if m := _FROM.match(c):
        return float(m.group(1) or m.group(3))
    return None


def order_codes(protocol_id: str | None, codes: Iterable[str]) -> list[str]:
    """Risk order of ``codes`` (rule-file order when the protocol is shipped).

    Without a protocol, MRD bands (:func:`mrdguide.analysis.mrd_band_labels`) go from
    negative up by their lower edge, then ``missing``.
    """
    rs = protocol_groups(protocol_id) if protocol_id else None
    order = risk_order(protocol_id, codes, ruleset_groups=rs)
    if protocol_id is not None:
        return order
    lows = {c: low for c in order if (low := _band_low(c)) is not None}
    it = iter(sorted(lows, key=lows.__getitem__))
    return [next(it) if c in lows else c for c in order]


def ordered(result: G, protocol_id: str | None) -> G:
    """``result`` with its groups (and competing curves) in risk order."""
    codes = [g.group for g in result.groups]
    idx = [codes.index(c) for c in order_codes(protocol_id, codes)]
    groups = tuple(result.groups[i] for i in idx)
    if isinstance(result, GroupedIncidence):
        comp = tuple(result.competing[i] for i in idx)
        return dataclasses.replace(result, groups=groups, competing=comp)
    return dataclasses.replace(result, groups=groups)


def band_name(code: str) -> str:
    """An MRD band or arm in words: ``negative`` -> ``MRD negative``; ``≥1e-03`` -> ``≥ 0.1%``."""
    return GROUP[code] if code in GROUP else format_mrd_band(code)


def group_names(codes: Sequence[str], protocol_id: str | None) -> dict[str, str]:
    """Labels for risk groups of ``protocol_id`` (or MRD bands/arms when it is ``None``)."""
    if protocol_id is None:
        return {c: band_name(c) for c in codes}
    return {c: label("group", c, protocol=protocol_id) for c in codes}


def colors_for(codes: Sequence[str]) -> list[str]:
    """Sequential colours in the given (risk) order; grey for not-assignable/missing."""
    return group_colors(codes, TRAILING_GROUPS)


_METHOD_AT = re.compile(r"^(\w+) at (\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$")
_VALUE_KIND = {"Immunophenotype": "immunophenotype", "Sex": "sex", "CNS status": "cns_status"}


def baseline_level(variable: str, level: str) -> str:
    """A baseline level in words: ``pcr at 1e-05`` -> ``RQ-PCR (Ig/TCR) at 0.001%``."""
    if m := _METHOD_AT.match(level):
        return f"{METHOD.get(m.group(1), m.group(1))} at {format_mrd_threshold(float(m.group(2)))}"
    kind = _VALUE_KIND.get(variable)
    if kind is not None:
        return VALUE[kind].get(level, level)
    return level
