"""SQLAlchemy 2 typed ORM models of the registry (adapter layer).

Clinical data are versioned and append-only (see ``docs/records.md``):

* ``patients`` holds only the identity of a patient;
* ``case_versions`` holds every version of a patient's case document without its MRD results
  (presenting features, genetics, treatment and outcome events);
* ``mrd_versions`` holds every version of every MRD result, keyed by patient, time point,
  tissue and method; a unique constraint on that key plus the version number makes a duplicate
  version impossible;
* ``review_events`` records every review action (creation as draft or as imported-authorised,
  submit, authorise, return); a version's review state is its latest event.

Nothing in these tables is updated or deleted (database triggers refuse it). ``audit_log`` is a
hash chain; ``audit_head`` holds its tip and serialises writers on PostgreSQL. Enum values are
stored as their stable lowercase strings; timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Constraint naming convention, so that Alembic batch migrations on SQLite are reproducible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time-zone type; values are stored as naive UTC and re-attached to UTC when
    read. Naive datetimes are refused on write.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert to naive UTC for SQLite, aware UTC elsewhere."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are not stored; use a timezone-aware UTC timestamp"
            raise ValueError(msg)
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002 - part of the TypeDecorator interface
    ) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Longest patient identifier the registry stores (validated before the database sees it).
PATIENT_ID_MAX = 64
ACTOR_MAX = 128


class PatientRow(Base):
    """The identity of one patient; the clinical data are in the version tables."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(PATIENT_ID_MAX), unique=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    case_versions: Mapped[list[CaseVersionRow]] = relationship(
        back_populates="patient", order_by="CaseVersionRow.version"
    )
    mrd_versions: Mapped[list[MRDVersionRow]] = relationship(
        back_populates="patient", order_by="MRDVersionRow.id"
    )
    assignments: Mapped[list[AssignmentRow]] = relationship(
        back_populates="patient", order_by="AssignmentRow.id"
    )


class _VersionColumns:
    """Who recorded a version, when, why and from where."""

    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class CaseVersionRow(_VersionColumns, Base):
    """One version of a patient's case document without MRD results (JSON)."""

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("patient_pk", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    patient: Mapped[PatientRow] = relationship(back_populates="case_versions")


class MRDVersionRow(_VersionColumns, Base):
    """One version of one MRD result. Levels are fractions (1e-4 = 0.01 %)."""

    __tablename__ = "mrd_versions"
    __table_args__ = (UniqueConstraint("patient_pk", "timepoint", "tissue", "method", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    timepoint: Mapped[str] = mapped_column(String(32))
    tissue: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    sample_day: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[float | None] = mapped_column(Float)
    sensitivity: Mapped[float | None] = mapped_column(Float)
    quantitative_range: Mapped[float | None] = mapped_column(Float)
    markers: Mapped[int | None] = mapped_column(Integer)
    cells_analysed: Mapped[int | None] = mapped_column(Integer)
    dna_ng: Mapped[float | None] = mapped_column(Float)
    warnings: Mapped[list[Any]] = mapped_column(JSON)

    patient: Mapped[PatientRow] = relationship(back_populates="mrd_versions")


class ReviewEventRow(Base):
    """One review action on one version (``record_kind`` ``case`` or ``mrd``)."""

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_record", "record_kind", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class UserRow(Base):
    """A registry user with one role (``lab``, ``reviewer``, ``clinician``, ...)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str | None] = mapped_column(Text)
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    """An API bearer token, stored as its SHA-256 only."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RuleFileRow(Base):
    """The text of every rule file an assignment was made under, stored once per hash."""

    __tablename__ = "rule_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ruleset_id: Mapped[str] = mapped_column(String(128))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class TraceTextRow(Base):
    """A caveat text of a stored assignment, stored once (assignments refer to it by id)."""

    __tablename__ = "trace_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)


class AssessmentInputRow(Base):
    """The case and MRD versions one assessment of a patient used (shared by its protocols)."""

    __tablename__ = "assessment_inputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)


class AssignmentRow(Base):
    """A stored risk assignment: compact outcomes against its rule file, and its inputs.

    ``compact`` holds :func:`mrdguide.protocols.compact.compact` output against the rule file
    ``rule_file_id``; ``inputs_id`` names the case and MRD versions used. ``document`` holds a
    full document instead, for rows stored before schema 0002 or whose rule file is not shipped.
    """

    __tablename__ = "risk_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    ruleset_id: Mapped[str | None] = mapped_column(String(128))
    ruleset_version: Mapped[str | None] = mapped_column(String(64))
    rule_file_id: Mapped[int | None] = mapped_column(ForeignKey("rule_files.id"))
    inputs_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_inputs.id"))
    risk_group: Mapped[str | None] = mapped_column(String(64))
    compact: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    patient: Mapped[PatientRow] = relationship(back_populates="assignments")


class AuditRow(Base):
    """One audit record, chained to the previous one by SHA-256 (``hash``, ``prev_hash``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(ACTOR_MAX))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str | None] = mapped_column(String(PATIENT_ID_MAX), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The tip of the audit chain (one row): its last ``seq`` and ``hash``.

    Writers lock this row first (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
    SQLite), which serialises registry writes; ``audit verify`` also uses it to notice records
    removed from the end of the chain.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
