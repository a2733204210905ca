"""Values the registry returns: import summaries, patient lines, versions, users."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from mrdguide.domain import ReviewState, Role

__all__ = ["ImportSummary", "MRDVersion", "PatientSummary", "ReviewEvent", "UserInfo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSummary:
    """What :meth:`Registry.add_cases` did, by patient id, and how many versions it added."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    new_versions: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(self.added or self.updated)

    def to_dict(self) -> dict[str, Any]:
        """Counts and id lists, JSON-ready."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "added_ids": list(self.added),
            "updated_ids": list(self.updated),
            "new_versions": self.new_versions,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    """One line of :meth:`Registry.list_patients` (authorised data; drafts counted)."""

    patient_id: str
    age_years: float | None
    sex: str | None
    immunophenotype: str | None
    wbc_per_ul: float | None
    nci_risk: str | None
    has_genetics: bool
    mrd_timepoints: tuple[str, ...]
    n_outcomes: int
    n_drafts: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        d = dataclasses.asdict(self)
        d["mrd_timepoints"] = list(self.mrd_timepoints)
        return d


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewEvent:
    """One review action on one version."""

    action: str
    state: ReviewState
    actor: str
    at: dt.datetime
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "action": self.action, "state": self.state.value, "actor": self.actor,
            "at": self.at.isoformat(), "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class MRDVersion:
    """One version of one MRD result, with who recorded it, why, and its review state."""

    patient_id: str
    timepoint: str
    tissue: str
    method: str
    version: int
    measurement: dict[str, Any]
    actor: str
    reason: str | None
    source: str | None
    recorded_at: dt.datetime
    review_state: ReviewState
    events: tuple[ReviewEvent, ...] = ()

    @property
    def key(self) -> str:
        """``eoi/bm/flow``."""
        return f"{self.timepoint}/{self.tissue}/{self.method}"

    def to_dict(self) -> dict[str, Any]:
        """The history line: version, status, level, sensitivity, actor, reason, recorded_at,
        review_state, plus the rest of the measurement and the review events."""
        m = self.measurement
        return {
            "patient_id": self.patient_id, "timepoint": self.timepoint, "tissue": self.tissue,
            "method": self.method, "version": self.version, "status": m.get("status"),
            "level": m.get("level"), "sensitivity": m.get("sensitivity"),
            "quantitative_range": m.get("quantitative_range"), "day": m.get("day"),
            "actor": self.actor, "reason": self.reason, "source": self.source,
            "recorded_at": self.recorded_at.isoformat(), "review_state": self.review_state.value,
            "measurement": m, "events": [e.to_dict() for e in self.events],
        }  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class UserInfo:
    """A registry user (never the password hash)."""

    username: str
    role: Role
    active: bool
    created_at: dt.datetime
    locked_until: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "username": self.username, "role": self.role.value, "active": self.active,
            "created_at": self.created_at.isoformat(),
            "locked_until": None if self.locked_until is None else self.locked_until.isoformat(),
        }  # fmt: skip
