"""Writing versioned records inside one transaction: versions, review events, audit rows.

Every method appends; nothing is updated or deleted. Each new version gets a creation review
event (``draft``, or ``authorised`` for historical imports) and an audit record chained to the
previous one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.domain import MRDMeasurement, ReviewState
from mrdguide.store._chain import ChainTip
from mrdguide.store._mappers import MRDKey, key_label, mrd_columns, row_measurement_doc
from mrdguide.store._records import MRD
from mrdguide.store.tables import CaseVersionRow, MRDVersionRow, PatientRow, ReviewEventRow

__all__ = ["Writer", "case_digest", "digest", "mrd_digest", "mrd_version_doc"]


def digest(doc: Any) -> str:
    """SHA-256 of the canonical JSON of ``doc`` (the audit trail records it for each version)."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)  # fmt: skip
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def case_digest(row: CaseVersionRow | Any) -> str:
    """Digest of a case version: its document and who recorded it, when and why."""
    return digest({"patient_pk": row.patient_pk, "version": row.version, "document": row.document,
                   "actor": row.actor, "reason": row.reason, "source": row.source,
                   "recorded_at": _stamp(row.recorded_at)})  # fmt: skip


def mrd_digest(row: MRDVersionRow | Any) -> str:
    """Digest of an MRD version: its values and who recorded it, when and why."""
    return digest({"patient_pk": row.patient_pk, "version": row.version,
                   "measurement": row_measurement_doc(row), "actor": row.actor,
                   "reason": row.reason, "source": row.source,
                   "recorded_at": _stamp(row.recorded_at)})  # fmt: skip


def event_digest(row: ReviewEventRow) -> str:
    """Digest of a review event."""
    return digest({"kind": row.record_kind, "record_id": row.record_id, "action": row.action,
                   "state": row.state, "actor": row.actor, "reason": row.reason,
                   "at": _stamp(row.at)})  # fmt: skip


def mrd_version_doc(row: MRDVersionRow, state: ReviewState | None = None) -> dict[str, Any]:
    """An MRD version as the audit trail and error messages show it."""
    doc = row_measurement_doc(row) | {
        "version": row.version, "actor": row.actor, "reason": row.reason, "source": row.source,
        "recorded_at": row.recorded_at.isoformat(),
    }  # fmt: skip
    if state is not None:
        doc["review_state"] = state.value
    return doc


@dataclass(slots=True)
class Writer:
    """Appends records in ``session`` for ``actor`` at time ``now``."""

    session: Session
    actor: str
    now: dt.datetime
    tip: ChainTip

    def audit(
        self,
        *,
        action: str,
        entity: str,
        patient_id: str | None,
        source: str | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Append one chained audit record."""
        self.tip.append(
            at=self.now, actor=self.actor, action=action, entity=entity, patient_id=patient_id,
            source=source, before=before, after=after,
        )  # fmt: skip

    def patient(self, patient_id: str) -> tuple[PatientRow, bool]:
        """The patient's identity row, created when new (second value: created)."""
        row = self.session.scalars(
            select(PatientRow).where(PatientRow.patient_id == patient_id)
        ).one_or_none()
        if row is not None:
            return row, False
        row = PatientRow(patient_id=patient_id, created_at=self.now)
        self.session.add(row)
        self.session.flush()
        return row, True

    def review(
        self, kind: str, record_id: int, *, action: str, state: ReviewState, reason: str | None
    ) -> ReviewEventRow:
        """Append a review event."""
        row = ReviewEventRow(
            record_kind=kind,
            record_id=record_id,
            action=action,
            state=state.value,
            actor=self.actor,
            at=self.now,
            reason=reason,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def mrd_version(
        self,
        patient: PatientRow,
        m: MRDMeasurement,
        *,
        version: int,
        state: ReviewState,
        reason: str | None,
        source: str | None,
    ) -> tuple[MRDVersionRow, ReviewEventRow]:
        """Append an MRD version and its creation event."""
        row = MRDVersionRow(
            patient_pk=patient.id, version=version, recorded_at=self.now, actor=self.actor,
            reason=reason, source=source, **mrd_columns(m),
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        event = self.review(MRD, row.id, action=_created(state), state=state, reason=reason)
        return row, event


def _created(state: ReviewState) -> str:
    return "import_authorised" if state is ReviewState.AUTHORISED else "create"


def key_of(patient_id: str, key: MRDKey) -> str:
    """``SYN-0001 eoi/bm/flow``: a record named in messages."""
    return f"{patient_id} {key_label(key)}"
