"""The audit trail as a hash chain: append, read, verify.

Each audit row carries ``hash = SHA-256(canonical JSON of the row, including prev_hash)`` and
the previous row's hash, starting from :data:`GENESIS`. The canonical encoding is JSON with
sorted keys, no whitespace, UTF-8, no NaN, and the timestamp as ISO 8601 UTC with microseconds.
``audit_head`` stores the tip, so removing rows from the end is noticed too.

Writers take the chain's tip once per transaction and keep it in memory while they append; the
transaction writes the new tip back before it commits. Concurrent writers are serialised by the
database (``BEGIN IMMEDIATE`` on SQLite; a row lock on ``audit_head`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.store.tables import AuditHeadRow, AuditRow

#: ``prev_hash`` of the first record.
GENESIS = "0" * 64
HEAD_ID = 1

__all__ = ["GENESIS", "ChainBreak", "ChainTip", "canonical_hash", "verify_chain"]


def _ts(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    patient_id: str | None,
    source: str | None,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical encoding of one audit record."""
    payload = {
        "seq": seq, "at": _ts(at), "actor": actor, "action": action, "entity": entity,
        "patient_id": patient_id, "source": source, "before": before, "after": after,
        "prev_hash": prev_hash,
    }  # fmt: skip
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row_hash(r: AuditRow, prev_hash: str) -> str:
    return canonical_hash(
        seq=r.seq, at=r.at, actor=r.actor, action=r.action, entity=r.entity,
        patient_id=r.patient_id, source=r.source, before=r.before, after=r.after,
        prev_hash=prev_hash,
    )  # fmt: skip


class ChainTip:
    """The chain's tip inside one write transaction (read once, written back at the end)."""

    def __init__(self, session: Session, *, lock: bool) -> None:
        stmt = select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID)
        if lock:
            stmt = stmt.with_for_update()
        head = session.scalars(stmt).one_or_none()
        if head is None:  # a registry migrated before the chain existed: start it
            head = AuditHeadRow(id=HEAD_ID, seq=0, hash=GENESIS)
            session.add(head)
        self._session = session
        self._head = head
        self.seq = head.seq
        self.hash = head.hash

    def next_values(self, **fields: Any) -> dict[str, Any]:
        """The column values of the next chained audit row; advances the tip."""
        seq = self.seq + 1
        h = canonical_hash(seq=seq, prev_hash=self.hash, **fields)
        values = {"seq": seq, "prev_hash": self.hash, "hash": h, **fields}
        self.seq, self.hash = seq, h
        return values

    def append(self, **fields: Any) -> AuditRow:
        """Add one chained audit row to the session and advance the tip."""
        row = AuditRow(**self.next_values(**fields))
        self._session.add(row)
        return row

    def store(self) -> None:
        """Write the tip back (before the transaction commits)."""
        if (self._head.seq, self._head.hash) != (self.seq, self.hash):
            self._head.seq, self._head.hash = self.seq, self.hash


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainBreak:
    """The first record at which the audit chain does not verify."""

    seq: int | None
    record_id: int | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"seq": self.seq, "record_id": self.record_id, "reason": self.reason}


def verify_chain(session: Session, *, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Recompute the chain in ``id`` order; return the number of records checked and the
    first break (``None`` when the chain is intact)."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditRow).where(AuditRow.id > last_id).order_by(AuditRow.id).limit(batch)
            )
        )
        for r in rows:
            broken = _check(r, expected_seq, prev_hash)
            if broken is not None:
                return checked, broken
            prev_hash, expected_seq, checked = r.hash, expected_seq + 1, checked + 1
        if len(rows) < batch:
            break
        last_id = rows[-1].id
    return checked, _check_head(session, expected_seq - 1, prev_hash)


def _check(r: AuditRow, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if r.seq != expected_seq:
        what = "missing or reordered" if r.seq > expected_seq else "reordered or duplicated"
        return ChainBreak(
            seq=expected_seq, record_id=r.id,
            reason=f"record {expected_seq} is {what} (found record {r.seq} in its place)",
        )  # fmt: skip
    if r.prev_hash != prev_hash:
        return ChainBreak(
            seq=r.seq, record_id=r.id,
            reason="does not follow the previous record (prev_hash differs): a record before "
            "it was removed, reordered or edited",
        )  # fmt: skip
    if _row_hash(r, prev_hash) != r.hash:
        return ChainBreak(
            seq=r.seq, record_id=r.id, reason="content changed after it was written (hash differs)"
        )
    return None


def _check_head(session: Session, last_seq: int, last_hash: str) -> ChainBreak | None:
    head = session.get(AuditHeadRow, HEAD_ID)
    if head is None:
        return None if last_seq == 0 else ChainBreak(
            seq=None, record_id=None, reason="the chain's tip record (audit_head) is missing"
        )  # fmt: skip
    if head.seq > last_seq:
        return ChainBreak(
            seq=last_seq + 1, record_id=None,
            reason=f"records {last_seq + 1}–{head.seq} were removed from the end of the chain",
        )  # fmt: skip
    if (head.seq, head.hash) != (last_seq, last_hash):
        return ChainBreak(
            seq=head.seq, record_id=None,
            reason="the chain's tip (audit_head) does not match its last record",
        )  # fmt: skip
    return None
