"""Filter the patient list: simple ``FIELD OP VALUE`` conditions, a protocol's group, paging.

Conditions run over the fields of :class:`~mrdguide.store.PatientSummary` (authorised data):

=====================  ==================  ==================================================
field (alias)          operators           value
=====================  ==================  ==================================================
``patient_id`` (id)    ``=  !=  ~``        an id; ``~`` means "contains"
``age_years`` (age)    ``= != < <= > >=``  years
``wbc_per_ul`` (wbc)   ``= != < <= > >=``  per µL
``sex``                ``=  !=``           ``male`` / ``female``
``immunophenotype``    ``=  !=``           ``B`` / ``T`` (or "B-cell precursor", "T-cell")
(lineage)
``nci_risk`` (nci)     ``=  !=``           ``standard`` / ``high``
``has_genetics``       ``=  !=``           ``yes`` / ``no``
(genetics)
``mrd_timepoints``     ``=  !=``           a time point code (``eoc``): has / lacks it
(mrd)
``n_outcomes``,        ``= != < <= > >=``  counts
``n_drafts`` (drafts)
=====================  ==================  ==================================================

Text matches ignore case; ``missing`` (or nothing after ``=``) matches an unrecorded value.
A missing value never satisfies ``<``, ``>`` and the like. A protocol's risk group is computed
from the authorised data with the current rule file, as ``mrdguide assess`` would.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mrdguide.domain import TIMEPOINT_ORDER
from mrdguide.domain.labels import VALUE, group_label
from mrdguide.errors import InputError
from mrdguide.protocols import NOT_ASSIGNABLE, evaluate, load_ruleset
from mrdguide.store import CaseView, PatientSummary, Registry

__all__ = [
    "FIELDS",
    "Condition",
    "PatientPage",
    "PatientQuery",
    "PatientSummary",
    "parse_group",
    "parse_where",
    "query_patients",
]

#: Filterable fields of the patient summary and their short aliases.
FIELDS: dict[str, str] = {
    "patient_id": "patient_id", "id": "patient_id",
    "age_years": "age_years", "age": "age_years",
    "wbc_per_ul": "wbc_per_ul", "wbc": "wbc_per_ul",
    "sex": "sex",
    "immunophenotype": "immunophenotype", "lineage": "immunophenotype",
    "nci_risk": "nci_risk", "nci": "nci_risk",
    "has_genetics": "has_genetics", "genetics": "has_genetics",
    "mrd_timepoints": "mrd_timepoints", "mrd": "mrd_timepoints",
    "n_outcomes": "n_outcomes", "outcomes": "n_outcomes",
    "n_drafts": "n_drafts", "drafts": "n_drafts",
}  # fmt: skip
_NUMERIC = frozenset({"age_years", "wbc_per_ul", "n_outcomes", "n_drafts"})
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
_WHERE = re.compile(r"^\s*([A-Za-z_]+)\s*(<=|>=|!=|=|<|>|~)\s*(.*?)\s*$")
_TRUE, _FALSE = {"yes", "true", "1"}, {"no", "false", "0"}
_VOCAB = {"sex": "sex", "immunophenotype": "immunophenotype", "nci_risk": "nci_risk"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One parsed ``FIELD OP VALUE`` condition (``field`` is the summary attribute)."""

    field: str
    op: str
    value: str
    text: str

    def matches(self, s: PatientSummary) -> bool:
        """Whether summary ``s`` satisfies the condition."""
        actual = getattr(s, self.field)
        if self.field == "mrd_timepoints":
            return (self.value.lower() in actual) == (self.op == "=")
        if self.value.lower() in ("", "missing"):
            return (actual is None) == (self.op == "=")
        if actual is None:
            return self.op == "!="
        if self.op == "~":
            return self.value.lower() in str(actual).lower()
        if self.op in _ORDER:
            return bool(_ORDER[self.op](float(actual), float(self.value)))
        return (_canonical(self.field, self.value) == _canonical(self.field, actual)) == (
            self.op == "="
        )


def _canonical(field: str, v: object) -> str:
    """A value in comparable form: numbers as floats, booleans, labels as their codes."""
    if field in _NUMERIC:
        return repr(float(str(v)))
    if field == "has_genetics":
        text = str(v).lower()
        return "true" if text in _TRUE else "false" if text in _FALSE else text
    text = str(v).lower()
    vocab = VALUE.get(_VOCAB.get(field, ""), {})
    labels = {lab.lower(): code.lower() for code, lab in vocab.items()}
    return labels.get(text, text)


#: Short field names, listed in error messages (the long names work as well).
_SHORT = ("id", "age", "sex", "lineage", "wbc", "nci", "genetics", "mrd", "outcomes", "drafts")


def _bad(text: str, why: str) -> InputError:
    return InputError(
        f"{text!r}: {why}. Write FIELD=VALUE, FIELD!=VALUE or FIELD>VALUE (also <, <=, >=; "
        f"~ for 'contains' on ids) with FIELD one of {', '.join(_SHORT)}",
        field="where",
        value=text,
        rule="FIELD OP VALUE",
    )


def parse_where(text: str) -> Condition:
    """Parse ``FIELD OP VALUE`` (e.g. ``age>=10``, ``sex=female``, ``mrd=eoc``).

    Raises
    ------
    InputError
        If the text is not of that form, the field is unknown or the operator does not apply.
    """
    m = _WHERE.match(text)
    if m is None:
        raise _bad(text, "not a condition")
    name, op, value = m.group(1).lower(), m.group(2), m.group(3)
    if name not in FIELDS:
        raise _bad(text, f"unknown field {name!r}")
    field = FIELDS[name]
    numeric = field in _NUMERIC
    if op in _ORDER and not numeric:
        raise _bad(text, f"{op} compares numbers; {name} is not a number")
    if op == "~" and field != "patient_id":
        raise _bad(text, "~ (contains) applies to patient ids only")
    if numeric and op != "~" and value.lower() not in ("", "missing"):
        try:
            float(value)
        except ValueError:
            raise _bad(text, f"{value!r} is not a number") from None
    return Condition(field=field, op=op, value=value, text=text)


def parse_group(protocol: str, group: str) -> str:
    """The group code of ``protocol`` named by ``group`` (its code or its label, any case).

    Raises
    ------
    InputError
        If the protocol has no such group.
    """
    groups = (*load_ruleset(protocol).groups, NOT_ASSIGNABLE)
    wanted = group.strip().lower()
    for code in groups:
        if wanted in (code.lower(), group_label(code, protocol).lower()):
            return code
    known = ", ".join(f"{c} ({group_label(c, protocol)})" for c in groups)
    raise InputError(
        f"{protocol} has no group {group!r}; its groups are {known}",
        field="group",
        value=group,
        rule="a group of the protocol",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientQuery:
    """Which patients to list: conditions (all must hold), a protocol's group, a page."""

    where: tuple[Condition, ...] = ()
    protocol: str | None = None
    group: str | None = None
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientPage:
    """One page of matching patients, with their group under ``protocol`` when asked."""

    rows: tuple[PatientSummary, ...]
    groups: dict[str, str]
    protocol: str | None
    registered: int
    matched: int

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready summaries; with a protocol, each has its ``risk_group`` code."""
        out = []
        for r in self.rows:
            d = r.to_dict()
            if self.protocol is not None:
                d["risk_group"] = self.groups.get(r.patient_id)
            out.append(d)
        return out


def _groups(reg: Registry, protocol: str, ids: Sequence[str]) -> dict[str, str]:
    """Each patient's group under ``protocol``, from the authorised data."""
    rs = load_ruleset(protocol)
    wanted = set(ids)
    return {
        c.patient_id: evaluate(c, rs).risk_group for c in reg.iter_cases() if c.patient_id in wanted
    }


def _summary(view: CaseView) -> PatientSummary:
    """The summary line of one case view (as :meth:`Registry.list_patients` builds it)."""
    c, p = view.case, view.case.patient
    rank = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    ordered = sorted(c.mrd, key=lambda m: rank[m.timepoint])
    return PatientSummary(
        patient_id=p.patient_id, age_years=p.age_years,
        sex=None if p.sex is None else p.sex.value,
        immunophenotype=None if p.immunophenotype is None else p.immunophenotype.value,
        wbc_per_ul=p.wbc_per_ul, nci_risk=p.nci_risk, has_genetics=c.genetics is not None,
        mrd_timepoints=tuple(dict.fromkeys(m.timepoint.value for m in ordered)),
        n_outcomes=len(c.outcomes), n_drafts=len(view.drafts),
    )  # fmt: skip


def _page(reg: Registry, q: PatientQuery) -> PatientPage:
    """Without filters: one page of ids from the database, then only those records."""
    registered = reg.count_patients()
    views = [reg.case_view(pid) for pid in reg.patient_ids(limit=q.limit, offset=q.offset)]
    groups: dict[str, str] = {}
    if q.protocol is not None:
        rs = load_ruleset(q.protocol)
        groups = {v.case.patient_id: evaluate(v.case, rs).risk_group for v in views}
    return PatientPage(
        rows=tuple(_summary(v) for v in views),
        groups=groups,
        protocol=q.protocol,
        registered=registered,
        matched=registered,
    )


def query_patients(reg: Registry, q: PatientQuery) -> PatientPage:
    """The patients matching ``q``, ordered by id, one page at a time.

    Without conditions or a group filter only the page is read (fast on large registries);
    otherwise every summary is read and filtered here.

    Raises
    ------
    InputError
        If ``q.group`` is given without ``q.protocol``, or a limit or offset is negative.
    """
    if q.group is not None and q.protocol is None:
        raise InputError("a group filter needs a protocol", field="group", value=q.group)
    if (q.limit is not None and q.limit < 0) or q.offset < 0:
        raise InputError("limit and offset must be >= 0", field="limit", value=q.limit)
    with reg.transaction(write=False):
        if not q.where and q.group is None:
            return _page(reg, q)
        summaries = [s for s in reg.list_patients() if all(c.matches(s) for c in q.where)]
        groups: dict[str, str] = {}
        if q.protocol is not None:
            groups = _groups(reg, q.protocol, [s.patient_id for s in summaries])
        if q.group is not None:
            summaries = [s for s in summaries if groups.get(s.patient_id) == q.group]
        registered = reg.count_patients()
    end = None if q.limit is None else q.offset + q.limit
    page = tuple(summaries[q.offset : end])
    return PatientPage(
        rows=page,
        groups={s.patient_id: groups[s.patient_id] for s in page if s.patient_id in groups},
        protocol=q.protocol,
        registered=registered,
        matched=len(summaries),
    )
