"""The audit trail: list it, and verify its hash chain (``mrdguide audit show|verify``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mrdguide.store import AuditEntry, ChainBreak, Registry

__all__ = ["Verification", "show", "verify"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Verification:
    """The result of recomputing the chain."""

    records: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        """Whether every record verified."""
        return self.broken is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "intact": self.intact,
            "records": self.records,
            "first_broken": None if self.broken is None else self.broken.to_dict(),
        }


def verify(reg: Registry) -> Verification:
    """Recompute the SHA-256 chain of the whole audit trail."""
    n, broken = reg.verify_audit()
    return Verification(records=n, broken=broken)


def show(
    reg: Registry,
    *,
    patient_id: str | None = None,
    since: dt.date | None = None,
    actor: str | None = None,
    limit: int | None = 200,
) -> list[AuditEntry]:
    """Audit entries, oldest first (the newest ``limit`` of those matching)."""
    entries = reg.audit_log(limit, patient_id=patient_id, since=since, actor=actor)
    return list(reversed(entries))
