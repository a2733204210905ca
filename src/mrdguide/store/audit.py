"""The audit trail: who changed what, when, with the record before and after."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.store.tables import AuditRow

#: A clock returning timezone-aware UTC timestamps; injectable for deterministic tests.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def default_actor() -> str:
    """The operating-system user name, or ``"unknown"`` when it cannot be determined."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no passwd entry / no login name in containers
        return "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One audit record.

    Attributes
    ----------
    id : int
        Row id.
    seq : int
        Position in the hash chain (1, 2, ...).
    hash : str
        SHA-256 of the record chained to the previous one.
    at : datetime.datetime
        When the change was committed (timezone-aware UTC).
    actor : str
        Who made it (OS user by default, or the ``actor`` given to ``open_registry``).
    action : str
        ``create``, ``update``, ``add_mrd``, ``update_mrd`` or ``save_assignment``.
    entity : str
        ``case``, ``mrd`` or ``assignment``.
    patient_id : str or None
        The patient concerned.
    source : str or None
        Where the data came from (file names, a tool name).
    before, after : dict or None
        The record before and after the change, as case-document JSON.
    """

    id: int
    seq: int
    hash: str
    at: dt.datetime
    actor: str
    action: str
    entity: str
    patient_id: str | None
    source: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (timestamp as ISO 8601 with offset)."""
        return {
            "id": self.id,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "patient_id": self.patient_id,
            "source": self.source,
            "before": self.before,
            "after": self.after,
        }


def read_audit(
    session: Session,
    *,
    limit: int | None = 100,
    patient_id: str | None = None,
    since: dt.datetime | dt.date | None = None,
    actor: str | None = None,
) -> list[AuditEntry]:
    """The newest audit entries first (at most ``limit``; ``None`` for all).

    ``since`` keeps entries at or after a time (a date means its start, UTC).
    """
    stmt = select(AuditRow).order_by(AuditRow.id.desc())
    if patient_id is not None:
        stmt = stmt.where(AuditRow.patient_id == patient_id)
    if actor is not None:
        stmt = stmt.where(AuditRow.actor == actor)
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = dt.datetime(since.year, since.month, since.day, tzinfo=dt.UTC)
        stmt = stmt.where(AuditRow.at >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        AuditEntry(
            id=r.id,
            seq=r.seq,
            hash=r.hash,
            at=r.at,
            actor=r.actor,
            action=r.action,
            entity=r.entity,
            patient_id=r.patient_id,
            source=r.source,
            before=r.before,
            after=r.after,
        )
        for r in session.scalars(stmt)
    ]
