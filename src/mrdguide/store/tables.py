"""SQLAlchemy 2 typed ORM models of the registry (adapter layer).

The tables mirror the case document (``mrdguide/schemas/case.schema.json``): one row per
patient, an optional genetic profile, and child rows for MRD results, treatment events and
outcome events. Enum values are stored as their stable lowercase strings. Timestamps are
timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
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


class PatientRow(Base):
    """One patient: presenting features (units in the column names)."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    age_years: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(16))
    immunophenotype: Mapped[str | None] = mapped_column(String(4))
    wbc_per_ul: Mapped[float | None] = mapped_column(Float)
    cns_status: Mapped[str | None] = mapped_column(String(8))
    testicular_involvement: Mapped[bool | None] = mapped_column(Boolean)
    steroid_pretreatment: Mapped[bool | None] = mapped_column(Boolean)
    down_syndrome: Mapped[bool | None] = mapped_column(Boolean)
    day8_pb_blasts_per_ul: Mapped[float | None] = mapped_column(Float)
    induction_outcome: Mapped[str | None] = mapped_column(String(8))
    diagnosis_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    genetics: Mapped[GeneticsRow | None] = relationship(
        back_populates="patient", cascade="all, delete-orphan", uselist=False
    )
    mrd: Mapped[list[MRDRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="MRDRow.seq"
    )
    treatments: Mapped[list[TreatmentRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="TreatmentRow.seq"
    )
    outcomes: Mapped[list[OutcomeRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="OutcomeRow.seq"
    )
    assignments: Mapped[list[AssignmentRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="AssignmentRow.id"
    )


class GeneticsRow(Base):
    """The genetic profile at diagnosis (at most one per patient)."""

    __tablename__ = "genetic_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), unique=True
    )
    lesions: Mapped[list[Any]] = mapped_column(JSON)
    modal_chromosome_number: Mapped[int | None] = mapped_column(Integer)
    dna_index: Mapped[float | None] = mapped_column(Float)
    karyotype: Mapped[str | None] = mapped_column(Text)
    copy_number: Mapped[dict[str, Any]] = mapped_column(JSON)
    trisomies: Mapped[list[Any]] = mapped_column(JSON)

    patient: Mapped[PatientRow] = relationship(back_populates="genetics")


class MRDRow(Base):
    """One MRD result. Levels are fractions (1e-4 = 0.01 %)."""

    __tablename__ = "mrd_measurements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    timepoint: Mapped[str] = mapped_column(String(32))
    sample_day: Mapped[int | None] = mapped_column(Integer)
    tissue: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[float | None] = mapped_column(Float)
    sensitivity: Mapped[float | None] = mapped_column(Float)
    quantitative_range: Mapped[float | None] = mapped_column(Float)
    markers: Mapped[int | None] = mapped_column(Integer)
    cells_analysed: Mapped[int | None] = mapped_column(Integer)
    dna_ng: Mapped[float | None] = mapped_column(Float)
    warnings: Mapped[list[Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[PatientRow] = relationship(back_populates="mrd")


class TreatmentRow(Base):
    """A treatment event (days since diagnosis)."""

    __tablename__ = "treatment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str | None] = mapped_column(Text)
    triggered_by: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[PatientRow] = relationship(back_populates="treatments")


class OutcomeRow(Base):
    """An outcome event (days since diagnosis)."""

    __tablename__ = "outcome_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[int] = mapped_column(Integer)
    relapse_site: Mapped[str | None] = mapped_column(String(16))
    in_remission: Mapped[bool | None] = mapped_column(Boolean)

    patient: Mapped[PatientRow] = relationship(back_populates="outcomes")


class AssignmentRow(Base):
    """A stored risk assignment with its rule-set provenance and full trace (JSON)."""

    __tablename__ = "risk_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_pk: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    ruleset_id: Mapped[str | None] = mapped_column(String(128))
    ruleset_version: Mapped[str | None] = mapped_column(String(64))
    ruleset_sha256: Mapped[str | None] = mapped_column(String(64))
    risk_group: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    patient: Mapped[PatientRow] = relationship(back_populates="assignments")


class AuditRow(Base):
    """One audit record: who did what to which entity, with before/after JSON."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str | None] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
