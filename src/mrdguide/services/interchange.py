"""Importing records from other systems (FHIR, REDCap) into the registry.

Both importers turn their files into :class:`PatientDraft` objects; this module validates them
with the case format's own rules and stores them through :meth:`Registry.add_cases`, the same
versioned, transactional import every cohort file uses:

* a patient the registry already holds keeps its stored case document; the source's fields
  (if any) are laid over it, and its MRD results are added as new results or new versions;
  nothing the source does not mention is removed;
* sample dates become days since the patient's diagnosis date (as the cohort importer does);
  a result without a time point gets the one whose plausibility window alone holds its day;
* any problem is reported with its file, row, field, value and rule, and nothing is written;
* authorised source records (FHIR ``final``/``amended``) are stored as authorised, historical
  data; preliminary ones as drafts to review; ``as_draft`` makes everything a draft. Both go in
  one transaction. A change to a stored record needs ``amend_reason`` (else ConflictError).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mrdguide.domain import Case, case_from_dict, case_to_dict
from mrdguide.domain.timepoints import TIMEPOINT_DAYS
from mrdguide.errors import IngestError, IngestIssue, InputError, NotFoundError
from mrdguide.services.registry import issue_dict
from mrdguide.store import ImportSummary, Registry

__all__ = [
    "InterchangeResult",
    "MRDDraft",
    "PatientDraft",
    "import_drafts",
    "timepoint_for_day",
]


@dataclass(slots=True, kw_only=True)
class MRDDraft:
    """One MRD result from a source file, in case-document form (``timepoint``/``day`` may
    still be missing), with where it came from. ``fields`` names the source field of a key."""

    doc: dict[str, Any]
    date: dt.date | None = None
    authorised: bool = True
    file: str
    row: int | None
    prefix: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def field_name(self, key: str) -> str:
        """The source's name for case key ``key``."""
        return self.fields.get(key, f"{self.prefix}{key}")


@dataclass(slots=True, kw_only=True)
class PatientDraft:
    """A patient from a source file: the case fields it gives (may be empty) and its results.

    With ``only_if_new`` the fields are used only for a patient the registry does not hold yet
    (a laboratory system's demographics never overwrite the registry's case).
    """

    patient_id: str
    doc: dict[str, Any] = field(default_factory=dict)
    only_if_new: bool = False
    file: str
    row: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    mrd: list[MRDDraft] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class InterchangeResult:
    """What an import wrote, how many results were authorised or drafts, and every note
    (unit conversions, skipped records) the reader made."""

    summary: ImportSummary
    authorised: int
    drafts: int
    source: str
    notes: tuple[str, ...] = ()
    flagged: tuple[IngestIssue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Counts, id lists, notes and flagged rows."""
        return self.summary.to_dict() | {
            "mrd_authorised": self.authorised,
            "mrd_drafts": self.drafts,
            "source": self.source,
            "notes": list(self.notes),
            "flagged": [issue_dict(i) for i in self.flagged],
        }


def timepoint_for_day(day: int) -> str | None:
    """The time point whose plausibility window alone holds ``day`` (``None``: none or several)."""
    fits = [tp.value for tp, (lo, hi) in TIMEPOINT_DAYS.items() if lo <= day <= hi]
    return fits[0] if len(fits) == 1 else None


def _issue(file: str, row: int | None, fld: str | None, value: Any, rule: str) -> IngestIssue:
    return IngestIssue(file=file, row=row, field=fld, value=value, rule=rule)


def _resolve_day(m: MRDDraft, diagnosis: Any, issues: list[IngestIssue]) -> bool:
    if m.date is None:
        return True
    if not isinstance(diagnosis, str):
        issues.append(
            _issue(
                m.file,
                m.row,
                m.field_name("date"),
                m.date.isoformat(),
                "a date needs the patient's diagnosis_date to be converted to days since diagnosis",
            )
        )
        return False
    day = (m.date - dt.date.fromisoformat(diagnosis)).days
    given = m.doc.get("day")
    if given is not None and given != day:
        issues.append(
            _issue(
                m.file,
                m.row,
                m.field_name("date"),
                m.date.isoformat(),
                f"day ({given}) and date (day {day}) disagree",
            )
        )
        return False
    m.doc["day"] = day
    return True


def _resolve_timepoint(m: MRDDraft, issues: list[IngestIssue]) -> bool:
    if m.doc.get("timepoint") is not None:
        return True
    day = m.doc.get("day")
    tp = timepoint_for_day(day) if isinstance(day, int) else None
    if tp is None:
        rule = (
            "no time point given, and the sample day does not fit exactly one time point's window"
            if isinstance(day, int)
            else "no time point and no sample day given"
        )
        issues.append(_issue(m.file, m.row, m.field_name("timepoint"), day, rule))
        return False
    m.doc["timepoint"] = tp
    return True


def _check_mrd(m: MRDDraft, issues: list[IngestIssue]) -> bool:
    try:
        case_from_dict({"patient_id": "x", "mrd": [m.doc]})
    except InputError as err:
        key = (err.field or "").rsplit(".", 1)[-1]
        issues.append(
            _issue(
                m.file, m.row, m.field_name(key) if key else None, err.value, err.rule or str(err)
            )
        )
        return False
    return True


def _merged_doc(p: PatientDraft, stored: dict[str, Any] | None) -> dict[str, Any]:
    doc = dict(stored or {"patient_id": p.patient_id})
    given = {} if stored is not None and p.only_if_new else p.doc
    for k, v in given.items():
        if k == "genetics" and isinstance(v, dict):
            doc["genetics"] = {**(doc.get("genetics") or {}), **v}
        else:
            doc[k] = v
    doc.pop("mrd", None)
    return doc


def _patient_issue(p: PatientDraft, err: InputError) -> IngestIssue:
    key = err.field or ""
    return _issue(p.file, p.row, p.fields.get(key, key or None), err.value, err.rule or str(err))


def _plan_one(
    p: PatientDraft, stored: dict[str, Any] | None, issues: list[IngestIssue]
) -> tuple[Case | None, Case | None]:
    doc = _merged_doc(p, stored)
    try:
        case_from_dict(doc)
    except InputError as err:
        issues.append(_patient_issue(p, err))
        return None, None
    ok = [
        m
        for m in p.mrd
        if _resolve_day(m, doc.get("diagnosis_date"), issues)
        and _resolve_timepoint(m, issues)
        and _check_mrd(m, issues)
    ]
    if len(ok) != len(p.mrd):
        return None, None
    try:
        case_from_dict(doc | {"mrd": [m.doc for m in ok]})  # one result per key, days in order
    except InputError as err:
        issues.append(_issue(p.file, p.row, err.field, err.value, err.rule or str(err)))
        return None, None
    auth = case_from_dict(doc | {"mrd": [m.doc for m in ok if m.authorised]})
    drafts = [m.doc for m in ok if not m.authorised]
    return auth, (case_from_dict(doc | {"mrd": drafts}) if drafts else None)


def _stored_docs(reg: Registry, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    known = set(reg.patient_ids())
    out = {}
    for pid in ids:
        if pid in known:
            try:
                doc = case_to_dict(reg.get_case(pid, view="latest"))
            except NotFoundError:  # pragma: no cover - removed between the two reads
                continue
            doc.pop("mrd", None)
            out[pid] = doc
    return out


def _merge(a: ImportSummary, b: ImportSummary | None, ids: Sequence[str]) -> ImportSummary:
    if b is None:
        return a
    added = [p for p in ids if p in set(a.added) | set(b.added)]
    changed = set(a.updated) | set(b.updated)
    updated = [p for p in ids if p in changed and p not in added]
    unchanged = [p for p in ids if p not in set(added) | set(updated)]
    return ImportSummary(
        added=tuple(added),
        updated=tuple(updated),
        unchanged=tuple(unchanged),
        new_versions=a.new_versions + b.new_versions,
    )


def import_drafts(
    reg: Registry,
    patients: Sequence[PatientDraft],
    *,
    source: str,
    amend_reason: str | None = None,
    as_draft: bool = False,
    notes: Sequence[str] = (),
    flagged: Sequence[IngestIssue] = (),
) -> InterchangeResult:
    """Validate ``patients`` and store them in one transaction (see the module docstring).

    Raises
    ------
    IngestError
        Listing every problem (nothing is written).
    ConflictError
        If a stored record would change and no ``amend_reason`` is given (nothing is written).
    """
    ids = list(dict.fromkeys(p.patient_id for p in patients))
    if len(ids) != len(patients):
        raise InputError(
            "a patient occurs twice in one import",
            field="patient_id",
            value=next(p for p in ids if ids.count(p) > 1),
            rule="one draft each",
        )
    issues: list[IngestIssue] = []
    with reg.transaction():
        stored = _stored_docs(reg, ids)
        planned = [_plan_one(p, stored.get(p.patient_id), issues) for p in patients]
        if issues:
            raise IngestError(issues)
        auth = [a for a, _ in planned if a is not None]
        later = [d for _, d in planned if d is not None]
        first = reg.add_cases(auth, source=source, amend_reason=amend_reason, as_draft=as_draft)
        second = (
            reg.add_cases(later, source=source, amend_reason=amend_reason, as_draft=True)
            if later
            else None
        )
    n_auth = 0 if as_draft else sum(len(a.mrd) for a in auth)
    n_draft = sum(len(d.mrd) for d in later) + (sum(len(a.mrd) for a in auth) if as_draft else 0)
    return InterchangeResult(
        summary=_merge(first, second, ids),
        authorised=n_auth,
        drafts=n_draft,
        source=source,
        notes=tuple(notes),
        flagged=tuple(flagged),
    )
