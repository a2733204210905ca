"""Importing cases as versions: plan every change first, refuse clashes, then append.

Rules (``docs/records.md``):

* a new patient, a new MRD result: version 1;
* an identical record: nothing is written (re-imports are idempotent);
* a record that exists and differs: refused (:class:`~mrdguide.errors.ConflictError`, nothing
  written) unless the import amends, with a reason; then a new version;
* a record the file does not mention is left as it is: an import never removes anything;
* imported records are authorised (historical data from a trial database or registry), with
  the importing actor and the source file, unless imported as drafts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from mrdguide.domain import Case, MRDMeasurement, ReviewState
from mrdguide.errors import ConflictError, IngestIssue, InputError
from mrdguide.store._mappers import (
    MRDKey,
    case_document,
    key_label,
    mrd_columns,
    mrd_key,
    row_measurement_doc,
)
from mrdguide.store._records import CASE, MRD, PatientVersions, load_versions
from mrdguide.store._types import ImportSummary
from mrdguide.store._writes import Writer, case_digest, mrd_digest
from mrdguide.store.tables import (
    AuditRow,
    CaseVersionRow,
    MRDVersionRow,
    PatientRow,
    ReviewEventRow,
)

BATCH = 500

__all__ = ["import_cases"]


@dataclass(slots=True)
class _Plan:
    case: Case
    existing: PatientVersions | None
    case_doc: dict[str, Any] | None = None  # a new case version, or None
    mrd: list[tuple[MRDKey, MRDMeasurement, int]] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.case_doc is not None or bool(self.mrd)


def _check_unique(cases: Sequence[Case]) -> None:
    seen: set[str] = set()
    for c in cases:
        if c.patient_id in seen:
            raise InputError(
                f"Patient {c.patient_id!r} occurs more than once in one import.",
                field="patient_id",
                value=c.patient_id,
                rule="patient_id is unique within an import",
            )
        seen.add(c.patient_id)


def _clash(source: str, pid: str, what: str, stored: Any) -> IngestIssue:
    return IngestIssue(
        file=source, row=None, field=f"{pid} {what}", value=stored,
        rule="differs from the stored record; re-import with --amend --reason to store a new "
        "version",
    )  # fmt: skip


def _plan(
    case: Case, pv: PatientVersions | None, amend: str | None, source: str
) -> tuple[_Plan, list[IngestIssue]]:
    plan, clashes = _Plan(case=case, existing=pv), []
    doc = case_document(case)
    latest = None if pv is None or not pv.cases else pv.cases[-1]
    if latest is None or latest.document != doc:
        if latest is not None and amend is None:
            clashes.append(_clash(source, case.patient_id, "case", f"version {latest.version}"))
        plan.case_doc = doc
        if latest is not None:
            plan.before["case"] = {"id": latest.id, "version": latest.version}
    by_key = {} if pv is None else pv.mrd_by_key()
    for m in case.mrd:
        key = mrd_key(m)
        rows = by_key.get(key, [])
        if rows and row_measurement_doc(rows[-1]) == m.to_dict():
            continue
        if rows and amend is None:
            stored = f"version {rows[-1].version}: {rows[-1].status} {rows[-1].level}"
            clashes.append(_clash(source, case.patient_id, f"mrd {key_label(key)}", stored))
        plan.mrd.append((key, m, rows[-1].version + 1 if rows else 1))
        if rows:
            plan.before.setdefault("mrd", {})[key_label(key)] = {
                "id": rows[-1].id, "version": rows[-1].version}  # fmt: skip
    return plan, clashes


def _insert(s: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert with ids assigned here, returned in the order of ``rows``.

    The caller holds the registry's write lock (``BEGIN IMMEDIATE`` on SQLite, the audit tip's
    row lock on PostgreSQL), so no other writer can take these ids; a plain executemany is
    several times faster than ``INSERT … RETURNING`` with ordered results. On PostgreSQL the
    id sequence is moved past them.
    """
    if not rows:
        return []
    t = table.__table__
    start = int(s.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) + 1
    ids = list(range(start, start + len(rows)))
    s.execute(insert(t), [r | {"id": i} for r, i in zip(rows, ids, strict=True)])
    if s.get_bind().dialect.name == "postgresql":
        seq = text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)")
        s.execute(seq, {"t": t.name, "v": ids[-1]})
    return ids


def _version_stamp(w: Writer, amend: str | None, source: str) -> dict[str, Any]:
    return {"recorded_at": w.now, "actor": w.actor, "reason": amend, "source": source}


def _apply(
    w: Writer, plans: list[_Plan], *, state: ReviewState, amend: str | None, source: str
) -> int:
    """Append every planned version of one batch with bulk inserts; one audit record each."""
    s = w.session
    new = [p for p in plans if p.existing is None]
    pks = dict(zip((p.case.patient_id for p in new), _insert(s, PatientRow, [
        {"patient_id": p.case.patient_id, "created_at": w.now} for p in new
    ]), strict=True))  # fmt: skip
    for p in plans:
        if p.existing is not None:
            pks[p.case.patient_id] = p.existing.patient.id
    stamp = _version_stamp(w, amend, source)
    case_plans = [p for p in plans if p.case_doc is not None]
    case_rows = [
        {"patient_pk": pks[p.case.patient_id], "version": _next_case_version(p),
         "document": p.case_doc} | stamp
        for p in case_plans
    ]  # fmt: skip
    case_ids = _insert(s, CaseVersionRow, case_rows)
    mrd_items = [(p, key, m, v) for p in plans for key, m, v in p.mrd]
    mrd_rows = [
        {"patient_pk": pks[p.case.patient_id], "version": v} | mrd_columns(m) | stamp
        for p, _, m, v in mrd_items
    ]
    mrd_ids = _insert(s, MRDVersionRow, mrd_rows)
    action = _created_action(state)
    events = [
        {"record_kind": kind, "record_id": i, "action": action, "state": state.value,
         "actor": w.actor, "at": w.now, "reason": amend}
        for kind, ids in ((CASE, case_ids), (MRD, mrd_ids)) for i in ids
    ]  # fmt: skip
    if events:
        s.execute(insert(ReviewEventRow), events)
    after = _after_states(
        plans, list(zip(case_plans, case_rows, case_ids, strict=True)),
        list(zip(mrd_items, mrd_rows, mrd_ids, strict=True)),
    )  # fmt: skip
    audit = [
        w.tip.next_values(
            at=w.now, actor=w.actor, action="update" if p.existing else "create", entity="case",
            patient_id=p.case.patient_id, source=source, before=p.before or None,
            after=after[p.case.patient_id] | {"review_state": state.value},
        )
        for p in plans
    ]  # fmt: skip
    s.execute(insert(AuditRow), audit)
    return len(case_ids) + len(mrd_ids)


def _after_states(
    plans: list[_Plan],
    cases: list[tuple[_Plan, dict[str, Any], int]],
    mrds: list[tuple[tuple[_Plan, Any, Any, int], dict[str, Any], int]],
) -> dict[str, dict[str, Any]]:
    """Per patient, the new versions' ids, numbers and digests (the audit rows' ``after``)."""
    after: dict[str, dict[str, Any]] = {p.case.patient_id: {} for p in plans}
    for p, row, i in cases:
        ref = SimpleNamespace(id=i, **row)  # digest input without an ORM instance
        after[p.case.patient_id]["case"] = {"id": i, "version": row["version"],
                                            "sha256": case_digest(ref)}  # fmt: skip
    for (p, key, _, v), row, i in mrds:
        mref = SimpleNamespace(id=i, **row)
        after[p.case.patient_id].setdefault("mrd", {})[key_label(key)] = {
            "id": i, "version": v, "sha256": mrd_digest(mref)}  # fmt: skip
    return after


def _next_case_version(p: _Plan) -> int:
    cases = p.existing.cases if p.existing else []
    return cases[-1].version + 1 if cases else 1


def _created_action(state: ReviewState) -> str:
    return "import_authorised" if state is ReviewState.AUTHORISED else "create"


def import_cases(
    w: Writer,
    cases: Sequence[Case],
    *,
    source: str,
    amend: str | None = None,
    as_draft: bool = False,
) -> ImportSummary:
    """Plan and append the versions ``cases`` need (see the module docstring).

    Raises
    ------
    InputError
        If a patient id occurs twice in ``cases``.
    ConflictError
        Listing every stored record the import would change without ``amend``.
    """
    _check_unique(cases)
    plans: list[_Plan] = []
    clashes: list[IngestIssue] = []
    for start in range(0, len(cases), BATCH):
        batch = cases[start : start + BATCH]
        existing = _existing(w.session, [c.patient_id for c in batch])
        for case in batch:
            plan, found = _plan(case, existing.get(case.patient_id), amend, source)
            plans.append(plan)
            clashes.extend(found)
    if clashes:
        raise ConflictError(
            f"the import would change {len(clashes)} stored record(s); nothing was written. "
            "Re-import with --amend --reason TEXT to store new versions.",
            issues=tuple(clashes),
        )
    state = ReviewState.DRAFT if as_draft else ReviewState.AUTHORISED
    changing = [p for p in plans if p.changes]
    n = 0
    for start in range(0, len(changing), BATCH):
        n += _apply(w, changing[start : start + BATCH], state=state, amend=amend, source=source)
    added = [p.case.patient_id for p in changing if p.existing is None]
    updated = [p.case.patient_id for p in changing if p.existing is not None]
    unchanged = [p.case.patient_id for p in plans if not p.changes]
    return ImportSummary(
        added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged), new_versions=n
    )


def _existing(s: Session, ids: Sequence[str]) -> dict[str, PatientVersions]:
    rows = list(s.scalars(select(PatientRow).where(PatientRow.patient_id.in_(ids))))
    return {pv.patient.patient_id: pv for pv in load_versions(s, rows)}
