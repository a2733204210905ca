"""Human labels for the internal codes a person reads: one table for the CLI, reports and app.

JSON and files keep the codes (``positive_nq``, ``eoi``, ``mrd-high``); these labels are for
people. Every lookup is total: an unknown kind or code falls back to the code itself, so a new
rule-set group or time point shows up as its code rather than raising.

Notes
-----
Time-point windows are the generic ones of the case format (:class:`~mrdguide.domain.Timepoint`):
each protocol maps its own label and day window onto them ([sources: pui2017]; "TP1/TP2": TP1 is the
end of induction, day 33 in BFM and day 29 in UK/COG/NOPHO; TP2 is the end of consolidation, day
78/79 in BFM/DCOG, week 11 in UKALL2003, week 14 in UKALL2011). Risk groups are ordered from the
rule files' ``groups`` (lowest to highest risk); ``not_assignable`` always comes last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

_M = MappingProxyType

#: The group code used when a protocol cannot assign a group (``protocols.schema.NOT_ASSIGNABLE``).
NOT_ASSIGNABLE = "not_assignable"

#: Groups that are never risk groups and sort after every risk group, in this order.
TRAILING_GROUPS: tuple[str, ...] = (NOT_ASSIGNABLE, "missing")

MRD_STATUS: Mapping[str, str] = _M(
    {
        "negative": "negative",
        "positive": "positive, quantifiable",
        "positive_nq": "positive, not quantifiable",
        "not_evaluable": "not evaluable",
    }
)

TIMEPOINT: Mapping[str, str] = _M(
    {
        "day8": "day 8 of induction",
        "day15": "day 15 of induction",
        "day19": "day 19 of induction",
        "eoi": "end of induction (day 29–33)",
        "eoc": "end of consolidation (day 78–79, week 11–14)",
        "post_im1": "after interim maintenance 1",
        "post_di1": "after delayed intensification 1",
        "pre_maintenance": "before maintenance",
    }
)

TIMEPOINT_SHORT: Mapping[str, str] = _M(
    {
        "day8": "day 8",
        "day15": "day 15",
        "day19": "day 19",
        "eoi": "end of induction",
        "eoc": "end of consolidation",
        "post_im1": "after IM1",
        "post_di1": "after DI1",
        "pre_maintenance": "before maintenance",
    }
)

#: Attributive forms ("end-of-induction MRD") used to name rule fields.
TIMEPOINT_ADJECTIVE: Mapping[str, str] = _M(
    {
        "day8": "day-8",
        "day15": "day-15",
        "day19": "day-19",
        "eoi": "end-of-induction",
        "eoc": "end-of-consolidation",
        "post_im1": "post-IM1",
        "post_di1": "post-DI1",
        "pre_maintenance": "pre-maintenance",
    }
)

TISSUE: Mapping[str, str] = _M({"bm": "bone marrow", "pb": "peripheral blood"})

METHOD: Mapping[str, str] = _M(
    {"flow": "flow cytometry", "pcr": "RQ-PCR (Ig/TCR)", "ngs": "NGS (Ig/TCR)"}
)

#: Risk-group labels shared by the protocols that use the code.
GROUP: Mapping[str, str] = _M(
    {
        "sr": "standard risk",
        "mr": "medium risk",
        "ir": "intermediate risk",
        "hr": "high risk",
        "low": "low risk",
        "average": "average risk",
        "standard": "standard risk",
        "intermediate": "intermediate risk",
        "high": "high risk",
        "very-high": "very high risk",
        "vhr": "very high risk",
        "mrd-low": "MRD low",
        "mrd-indeterminate": "MRD indeterminate",
        "mrd-high": "MRD high",
        "ir-low": "intermediate risk, low",
        "ir-high": "intermediate risk, high",
        "hr-standard": "high risk, standard path",
        "hr-double-di": "high risk, double delayed-intensification path",
        "hr-intensified": "high risk, intensified path",
        "intensify": "MRD-triggered intensification group",
        "intensified": "intensified",
        "not intensified": "not intensified",
        "negative": "MRD negative",
        NOT_ASSIGNABLE: "not assignable",
        "missing": "no result",
    }
)

#: Per-protocol labels where the shared one would mislead.
PROTOCOL_GROUP: Mapping[str, Mapping[str, str]] = _M(
    {"asan-mrd": _M({"standard": "standard (no MRD trigger)"})}
)

#: Each shipped rule set's groups, lowest to highest risk (copied from ``rulesets/*.toml``; a
#: unit test keeps the copy equal to the files). Callers that hold the rule set pass its groups.
PROTOCOL_GROUPS: Mapping[str, tuple[str, ...]] = _M(
    {
        "aieop-bfm-all-2000": ("sr", "mr", "hr"),
        "aieop-bfm-all-2009": ("sr", "mr", "hr"),
        "aieop-bfm-all-2017": ("sr", "mr", "hr"),
        "alltogether1": ("sr", "ir-low", "ir-high", "hr"),
        "asan-mrd": ("standard", "intensify"),
        "cog-b-all": ("low", "average", "high", "very-high"),
        "dcog-all10": ("sr", "mr", "hr"),
        "kspho-hr-2024": ("hr-standard", "hr-double-di", "hr-intensified", "vhr"),
        "nopho-all2008": ("sr", "ir", "hr"),
        "stjude-total-xv": ("low", "standard", "high"),
        "stjude-total-xvi": ("low", "standard", "high"),
        "ukall2003": ("mrd-low", "mrd-indeterminate", "mrd-high"),
        "ukall2011": ("low", "intermediate", "high"),
    }
)

#: Generic rank of group codes for protocols without a known order (lower is lower risk).
_GENERIC_RANK: Mapping[str, int] = _M(
    {
        "negative": 0,
        "not intensified": 0,
        "low": 0,
        "mrd-low": 0,
        "sr": 1,
        "standard": 1,
        "average": 2,
        "mr": 2,
        "ir": 2,
        "ir-low": 2,
        "ir-high": 2,
        "intermediate": 2,
        "mrd-indeterminate": 2,
        "intensified": 3,
        "intensify": 3,
        "high": 3,
        "hr": 3,
        "mrd-high": 3,
        "very-high": 4,
        "vhr": 4,
    }
)

PROTOCOL: Mapping[str, str] = _M(
    {
        "aieop-bfm-all-2000": "AIEOP-BFM ALL 2000",
        "aieop-bfm-all-2009": "AIEOP-BFM ALL 2009",
        "aieop-bfm-all-2017": "AIEOP-BFM ALL 2017",
        "alltogether1": "ALLTogether1",
        "asan-mrd": "Asan MRD-triggered intensification",
        "cog-b-all": "COG B-ALL (AALL08B1 era)",
        "dcog-all10": "DCOG ALL10",
        "kspho-hr-2024": "KSPHO HR ALL 2024",
        "nopho-all2008": "NOPHO ALL2008",
        "stjude-total-xv": "St Jude Total XV",
        "stjude-total-xvi": "St Jude Total XVI",
        "ukall2003": "UKALL2003",
        "ukall2011": "UKALL2011",
    }
)

OPERATOR: Mapping[str, str] = _M(
    {
        ">=": "≥",
        ">": ">",
        "<": "<",
        "<=": "≤",
        "==": "is",
        "!=": "is not",
        "in": "is one of",
        "not_in": "is none of",
        "contains": "include",
        "not_contains": "do not include",
        "contains_any": "include any of",
        "contains_none": "include none of",
    }
)

#: Fact fields of :mod:`mrdguide.protocols.facts` other than ``mrd.<time point>.<attribute>``.
FIELD: Mapping[str, str] = _M(
    {
        "patient.age_years": "age (years)",
        "patient.wbc_per_ul": "WBC at diagnosis (/µL)",
        "patient.sex": "sex",
        "patient.immunophenotype": "immunophenotype",
        "patient.cns_status": "CNS status",
        "patient.testicular_involvement": "testicular involvement",
        "patient.steroid_pretreatment": "steroid pre-treatment",
        "patient.down_syndrome": "Down syndrome",
        "patient.day8_pb_blasts_per_ul": "day-8 blood blasts (/µL)",
        "patient.diagnosis_date": "diagnosis date",
        "patient.etp": "early T-precursor (ETP) ALL",
        "patient.eoi_marrow_blasts_percent": "end-of-induction marrow blasts (%)",
        "nci_risk": "NCI risk group",
        "prednisone_response": "prednisone response",
        "induction_outcome": "remission at the end of induction",
        "genetics.lesions": "genetic lesions",
        "genetics.uk_tier": "UK genetic risk tier",
        "genetics.cog_tier": "COG genetic risk group",
        "genetics.stjude_tier": "St Jude genetic risk group",
        "genetics.ploidy_class": "ploidy",
        "genetics.modal_chromosome_number": "modal chromosome number",
        "genetics.ikzf1plus": "IKZF1plus profile",
        "genetics.dna_index": "DNA index",
        "genetics.trisomies": "trisomies",
    }
)

#: Attributes of ``mrd.<time point>.<attribute>`` facts; ``{tp}`` is the attributive time point.
MRD_FIELD: Mapping[str, str] = _M(
    {
        "level": "{tp} MRD",
        "status": "{tp} MRD status",
        "available": "{tp} MRD result available",
        "evaluable": "{tp} MRD evaluable",
        "detected": "{tp} MRD detected",
        "negative_at_required": "{tp} MRD negative at the required sensitivity",
        "method": "{tp} MRD method",
        "tissue": "{tp} MRD sample tissue",
        "day": "{tp} MRD sample day",
        "markers": "{tp} MRD markers",
    }
)

#: Values of categorical facts and presenting features.
VALUE: Mapping[str, Mapping[str, str]] = _M(
    {
        "sex": _M({"male": "male", "female": "female"}),
        "immunophenotype": _M({"B": "B-cell precursor", "T": "T-cell"}),
        "cns_status": _M({"CNS1": "CNS1", "CNS2": "CNS2", "CNS3": "CNS3"}),
        "induction_outcome": _M({"cr": "complete remission", "no_cr": "no complete remission"}),
        "nci_risk": _M({"standard": "standard", "high": "high"}),
        "prednisone_response": _M({"good": "good", "poor": "poor"}),
        "outcome": _M(
            {
                "induction_failure": "induction failure",
                "relapse": "relapse",
                "death": "death",
                "second_malignancy": "second malignancy",
                "last_follow_up": "last follow-up",
            }
        ),
    }
)

_SIMPLE: Mapping[str, Mapping[str, str]] = _M(
    {
        "mrd_status": MRD_STATUS,
        "timepoint": TIMEPOINT,
        "timepoint_short": TIMEPOINT_SHORT,
        "timepoint_adjective": TIMEPOINT_ADJECTIVE,
        "tissue": TISSUE,
        "method": METHOD,
        "protocol": PROTOCOL,
        "operator": OPERATOR,
        **VALUE,
    }
)

#: Every kind :func:`label` knows.
KINDS: tuple[str, ...] = tuple(sorted({*_SIMPLE, "group", "field"}))


def field_label(path: str) -> str:
    """Words for a rule field path: ``mrd.eoc.level`` -> ``end-of-consolidation MRD``.

    Unknown paths fall back to the path itself; an unknown time point keeps its code.
    """
    if path in FIELD:
        return FIELD[path]
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "mrd" and parts[2] in MRD_FIELD:
        tp = TIMEPOINT_ADJECTIVE.get(parts[1], parts[1])
        return MRD_FIELD[parts[2]].format(tp=tp)
    return path


def group_label(code: str, protocol: str | None = None) -> str:
    """Words for a risk group, using a protocol's own label where the shared one misleads."""
    if protocol is not None and code in PROTOCOL_GROUP.get(protocol, {}):
        return PROTOCOL_GROUP[protocol][code]
    return GROUP.get(code, code)


def label(kind: str, code: object, *, protocol: str | None = None) -> str:
    """The human label of ``code`` of a given ``kind``; the code itself when unknown.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`: ``mrd_status``, ``timepoint`` (with its generic window),
        ``timepoint_short``, ``timepoint_adjective``, ``tissue``, ``method``, ``group``,
        ``protocol``, ``operator``, ``field`` (a rule field path) or a presenting-feature
        vocabulary (``sex``, ``immunophenotype``, ``cns_status``, ``induction_outcome``,
        ``nci_risk``, ``prednisone_response``, ``outcome``).
    code : object
        The code; enum members are read by value. ``None`` gives ``"–"``.
    protocol : str, optional
        For ``group``: the protocol whose label applies.

    Returns
    -------
    str
        Never raises for an unknown kind or code.

    Examples
    --------
    >>> label("mrd_status", "positive_nq")
    'positive, not quantifiable'
    >>> label("group", "sr")
    'standard risk'
    >>> label("field", "mrd.eoc.negative_at_required")
    'end-of-consolidation MRD negative at the required sensitivity'
    >>> label("timepoint", "week99")
    'week99'
    """
    if code is None:
        return "–"
    key = str(getattr(code, "value", code))
    if kind == "group":
        return group_label(key, protocol)
    if kind == "field":
        return field_label(key)
    return _SIMPLE.get(kind, {}).get(key, key)


def _generic_key(order: Sequence[str]) -> dict[str, tuple[int, int]]:
    return {g: (_GENERIC_RANK.get(g, 5), i) for i, g in enumerate(order)}


def risk_order(
    protocol_id: str | None,
    groups: Iterable[str],
    *,
    ruleset_groups: Sequence[str] | None = None,
) -> list[str]:
    """``groups`` (each once) sorted lowest to highest risk, then ``not_assignable``/``missing``.

    Parameters
    ----------
    protocol_id : str or None
        The protocol whose order applies (:data:`PROTOCOL_GROUPS`), if known.
    groups : iterable of str
        The group codes to order (e.g. those present in a cohort), in any order.
    ruleset_groups : sequence of str, optional
        The rule set's own ``groups`` (lowest to highest risk); takes precedence over the
        built-in copy, so a changed rule file orders correctly.

    Returns
    -------
    list of str
        Known groups in protocol order; others by a generic rank (low, standard, intermediate,
        high, very high), then in their given order; then :data:`TRAILING_GROUPS`.
    """
    given = list(dict.fromkeys(str(g) for g in groups))
    order = list(ruleset_groups or PROTOCOL_GROUPS.get(protocol_id or "", ()))
    rank = {g: i for i, g in enumerate(order)}
    generic = _generic_key(given)
    head = [g for g in given if g not in TRAILING_GROUPS]
    known = sorted((g for g in head if g in rank), key=rank.__getitem__)
    others = sorted((g for g in head if g not in rank), key=generic.__getitem__)
    tail = [g for g in TRAILING_GROUPS if g in given]
    return known + others + tail


__all__ = [
    "FIELD",
    "GROUP",
    "KINDS",
    "METHOD",
    "MRD_STATUS",
    "NOT_ASSIGNABLE",
    "OPERATOR",
    "PROTOCOL",
    "PROTOCOL_GROUPS",
    "TIMEPOINT",
    "TISSUE",
    "field_label",
    "group_label",
    "label",
    "risk_order",
]
