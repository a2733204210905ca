"""Validation of one patient's draft: dates to days, domain rules, outcome order.

Each part (patient, genetics, every MRD result and event) is checked on its own, so that a
patient with several problems gets one issue per problem, each with its file and row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mrdguide.domain import Case, case_from_dict
from mrdguide.errors import IngestIssue, InputError
from mrdguide.io._tables import Draft, Part

#: An issue with the patient it concerns (``None`` when unknown).
Tagged = tuple[IngestIssue, str | None]


def _issue(part: Part, field: str | None, value: Any, rule: str) -> IngestIssue:
    return IngestIssue(file=part.file, row=part.row, field=field, value=value, rule=rule)


def _field(part: Part, err: InputError) -> str | None:
    if err.field is None:
        return None
    return part.prefix + err.field.rsplit(".", 1)[-1]


def _from_error(part: Part, err: InputError) -> IngestIssue:
    return _issue(part, _field(part, err), err.value, err.rule or str(err))


def _resolve_dates(draft: Draft, parts: list[Part]) -> list[IngestIssue]:
    raw = draft.patient.doc.get("diagnosis_date")
    dx = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    issues = []
    for part in parts:
        if part.date is None:
            continue
        field = f"{part.prefix}date"
        if dx is None:
            issues.append(
                _issue(part, field, part.date.isoformat(),
                       "a date needs the patient's diagnosis_date to be converted to days "
                       "since diagnosis")
            )  # fmt: skip
            continue
        day = (part.date - dx).days
        given = part.doc.get("day")
        if given is not None and given != day:
            issues.append(
                _issue(part, field, part.date.isoformat(),
                       f"day ({given}) and date (day {day}) disagree")
            )  # fmt: skip
            continue
        part.doc["day"] = day
        part.date = None
    return issues


def _check(part: Part, doc: dict[str, Any]) -> IngestIssue | None:
    try:
        case_from_dict(doc)
    except InputError as err:
        return _from_error(part, err)
    return None


def _order_issue(draft: Draft) -> IngestIssue | None:
    doc = {"patient_id": draft.patient_id, "outcomes": [p.doc for p in draft.outcomes]}
    try:
        case_from_dict(doc)
    except InputError as err:
        # The field names the later event, e.g. "outcomes.last_follow_up.day".
        parts = (err.field or "").split(".")
        kind = parts[1] if len(parts) > 2 else None
        part = next((p for p in draft.outcomes if p.doc.get("kind") == kind), draft.outcomes[0])
        return _issue(part, f"{part.prefix}day", err.value, err.rule or str(err))
    return None


def _full_doc(draft: Draft) -> dict[str, Any]:
    full = dict(draft.patient.doc)
    if draft.genetics is not None:
        full["genetics"] = draft.genetics.doc
    for key in ("mrd", "treatments", "outcomes"):
        full[key] = [p.doc for p in getattr(draft, key)]
    return full


def build_case(draft: Draft) -> tuple[Case | None, list[Tagged]]:
    """Validate ``draft``; return the case (or ``None``) and every issue found.

    A valid case is built in one pass; only when that fails is each part checked on its own,
    so that every problem is reported with the file and row it came from.
    """
    pid = draft.patient_id
    children = [*draft.mrd, *draft.treatments, *draft.outcomes]
    issues = _resolve_dates(draft, children)
    if not issues:
        try:
            return case_from_dict(_full_doc(draft)), []
        except InputError as err:
            whole = err
    else:
        whole = None
    checks: list[tuple[Part, dict[str, Any]]] = [(draft.patient, draft.patient.doc)]
    if draft.genetics is not None:
        checks.append((draft.genetics, {"patient_id": pid, "genetics": draft.genetics.doc}))
    for key in ("mrd", "treatments", "outcomes"):
        checks.extend((p, {"patient_id": pid, key: [p.doc]}) for p in getattr(draft, key))
    for part, doc in checks:
        if part.date is None:  # parts whose date could not be resolved are already reported
            found = _check(part, doc)
            if found is not None:
                issues.append(found)
    if not issues and draft.outcomes:
        found = _order_issue(draft)
        if found is not None:
            issues.append(found)
    if not issues and whole is not None:
        # A rule across parts (e.g. MRD time points out of order): name the patient's row.
        issues.append(_from_error(_part_of(draft, whole), whole))
    return None, [(i, pid) for i in issues]


def _part_of(draft: Draft, err: InputError) -> Part:
    """The part an error across parts points at (its field names a time point), else the
    patient row."""
    field = err.field or ""
    for p in draft.mrd:
        if f"[{p.doc.get('timepoint')}]" in field:
            return p
    return draft.patient
