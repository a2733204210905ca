"""MRD results: add a version, list the history, review (four eyes), the review queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.domain import (
    TIMEPOINT_ORDER,
    MRDMeasurement,
    ReviewAction,
    ReviewState,
    Role,
    review_transition,
)
from mrdguide.errors import ConflictError, NotFoundError
from mrdguide.store._mappers import MRDKey, key_label, mrd_key, row_key, row_measurement_doc
from mrdguide.store._records import MRD, review_states
from mrdguide.store._types import MRDVersion, ReviewEvent
from mrdguide.store._writes import Writer, event_digest, mrd_digest, mrd_version_doc
from mrdguide.store.tables import MRDVersionRow, PatientRow, ReviewEventRow

__all__ = ["add", "history", "queue", "review"]


def _versions(s: Session, patient: PatientRow, key: MRDKey | None = None) -> list[MRDVersionRow]:
    stmt = select(MRDVersionRow).where(MRDVersionRow.patient_pk == patient.id)
    if key is not None:
        tp, tissue, method = key
        stmt = stmt.where(
            MRDVersionRow.timepoint == tp, MRDVersionRow.tissue == tissue,
            MRDVersionRow.method == method,
        )  # fmt: skip
    return list(s.scalars(stmt.order_by(MRDVersionRow.id)))


def _events(s: Session, ids: Sequence[int]) -> dict[int, list[ReviewEvent]]:
    out: dict[int, list[ReviewEvent]] = defaultdict(list)
    if not ids:
        return out
    stmt = (
        select(ReviewEventRow)
        .where(ReviewEventRow.record_kind == MRD, ReviewEventRow.record_id.in_(list(ids)))
        .order_by(ReviewEventRow.id)
    )
    for e in s.scalars(stmt):
        out[e.record_id].append(
            ReviewEvent(
                action=e.action, state=ReviewState(e.state), actor=e.actor, at=e.at, reason=e.reason
            )
        )
    return out


def _version(row: MRDVersionRow, patient_id: str, events: list[ReviewEvent]) -> MRDVersion:
    return MRDVersion(
        patient_id=patient_id, timepoint=row.timepoint, tissue=row.tissue, method=row.method,
        version=row.version, measurement=row_measurement_doc(row), actor=row.actor,
        reason=row.reason, source=row.source, recorded_at=row.recorded_at,
        review_state=events[-1].state, events=tuple(events),
    )  # fmt: skip


def add(
    w: Writer, patient: PatientRow, m: MRDMeasurement, *, source: str, amend: str | None
) -> MRDVersion | None:
    """Append a draft version of ``m`` (``None`` when identical to the newest stored version).

    Raises
    ------
    ConflictError
        If the result exists and ``amend`` is not given; it carries the stored version.
    """
    key = mrd_key(m)
    rows = _versions(w.session, patient, key)
    latest = rows[-1] if rows else None
    if latest is not None and row_measurement_doc(latest) == m.to_dict():
        return None
    if latest is not None and amend is None:
        state = review_states(w.session, MRD, [latest.id])[latest.id]
        raise ConflictError(
            f"patient {patient.patient_id} already has a {key_label(key)} result (version "
            f"{latest.version}, {state.value}); nothing was stored. Use --amend --reason TEXT "
            "to store a new version.",
            existing=mrd_version_doc(latest, state),
        )
    version = latest.version + 1 if latest is not None else 1
    row, event = w.mrd_version(
        patient, m, version=version, state=ReviewState.DRAFT, reason=amend, source=source
    )
    created = {"id": event.id, "sha256": event_digest(event)}
    after = mrd_version_doc(row) | {"id": row.id, "sha256": mrd_digest(row), "event": created}
    w.audit(
        action="amend_mrd" if latest else "add_mrd",
        entity="mrd",
        patient_id=patient.patient_id,
        source=source,
        before=None if latest is None else {"id": latest.id, "version": latest.version},
        after=after | {"review_state": ReviewState.DRAFT.value},
    )
    return _version(row, patient.patient_id, _events(w.session, [row.id])[row.id])


def history(s: Session, patient: PatientRow, *, timepoint: str | None) -> list[MRDVersion]:
    """Every version of the patient's MRD results (optionally one time point), oldest first."""
    rows = [r for r in _versions(s, patient) if timepoint is None or r.timepoint == timepoint]
    ev = _events(s, [r.id for r in rows])
    return [_version(r, patient.patient_id, ev[r.id]) for r in rows]


def review(
    w: Writer,
    patient: PatientRow,
    key: MRDKey,
    action: ReviewAction,
    *,
    role: Role | None,
    reason: str | None,
) -> MRDVersion:
    """Take a review action on the newest version of one result.

    Raises
    ------
    NotFoundError
        If the patient has no such result.
    ConflictError, PermissionDeniedError, InputError
        From :func:`mrdguide.domain.review_transition`.
    """
    rows = _versions(w.session, patient, key)
    if not rows:
        raise NotFoundError(f"patient {patient.patient_id} has no {key_label(key)} MRD result")
    row = rows[-1]
    state = review_states(w.session, MRD, [row.id])[row.id]
    new = review_transition(state, action, actor=w.actor, author=row.actor, role=role,
                            reason=reason)  # fmt: skip
    event = w.review(MRD, row.id, action=action.value, state=new, reason=reason)
    w.audit(
        action=f"{action.value}_mrd", entity="review", patient_id=patient.patient_id,
        source=key_label(key),
        before={"id": row.id, "version": row.version, "review_state": state.value},
        after={"id": row.id, "version": row.version, "review_state": new.value,
               "reason": reason, "event": {"id": event.id, "sha256": event_digest(event)}},
    )  # fmt: skip
    w.session.flush()
    return _version(row, patient.patient_id, _events(w.session, [row.id])[row.id])


def queue(s: Session) -> list[MRDVersion]:
    """The newest version of every result whose review state is ``submitted``."""
    submitted = s.scalars(
        select(ReviewEventRow.record_id).where(
            ReviewEventRow.record_kind == MRD, ReviewEventRow.state == ReviewState.SUBMITTED.value
        )
    ).all()
    candidates = sorted(set(submitted))
    if not candidates:
        return []
    states = review_states(s, MRD, candidates)
    ids = [i for i in candidates if states[i] is ReviewState.SUBMITTED]
    rows = list(s.scalars(select(MRDVersionRow).where(MRDVersionRow.id.in_(ids))))
    newest = _newest_only(s, rows)
    pids = {
        int(pk): str(pid) for pk, pid in s.execute(select(PatientRow.id, PatientRow.patient_id))
    }
    ev = _events(s, [r.id for r in newest])
    rank = {tp.value: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    newest.sort(key=lambda r: (ev[r.id][-1].at, pids[r.patient_pk], rank.get(r.timepoint, 99)))
    return [_version(r, pids[r.patient_pk], ev[r.id]) for r in newest]


def _newest_only(s: Session, rows: list[MRDVersionRow]) -> list[MRDVersionRow]:
    out = []
    for r in rows:
        later = s.scalars(
            select(MRDVersionRow.id).where(
                MRDVersionRow.patient_pk == r.patient_pk, MRDVersionRow.timepoint == r.timepoint,
                MRDVersionRow.tissue == r.tissue, MRDVersionRow.method == r.method,
                MRDVersionRow.version > r.version,
            )
        ).first()  # fmt: skip
        if later is None:
            out.append(r)
    return out


def keys_of(rows: Sequence[MRDVersionRow]) -> list[MRDKey]:
    """The distinct keys of ``rows``, in order."""
    return list(dict.fromkeys(row_key(r) for r in rows))
