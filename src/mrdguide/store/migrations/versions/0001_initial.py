"""Initial registry schema: patients, genetics, MRD, treatment and outcome events,
risk assignments and the audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("age_years", sa.Float()),
        sa.Column("sex", sa.String(16)),
        sa.Column("immunophenotype", sa.String(4)),
        sa.Column("wbc_per_ul", sa.Float()),
        sa.Column("cns_status", sa.String(8)),
        sa.Column("testicular_involvement", sa.Boolean()),
        sa.Column("steroid_pretreatment", sa.Boolean()),
        sa.Column("down_syndrome", sa.Boolean()),
        sa.Column("day8_pb_blasts_per_ul", sa.Float()),
        sa.Column("induction_outcome", sa.String(8)),
        sa.Column("diagnosis_date", sa.Date()),
        sa.Column("source", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_index(op.f("ix_patients_patient_id"), "patients", ["patient_id"], unique=True)
    create_child_tables()
    op.create_table(
        "risk_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sa.String(128)),
        sa.Column("ruleset_version", sa.String(64)),
        sa.Column("ruleset_sha256", sa.String(64)),
        sa.Column("risk_group", sa.String(64)),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assignments")),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_risk_assignments_patient_pk_patients"),
        ),
    )
    op.create_index(
        op.f("ix_risk_assignments_patient_pk"), "risk_assignments", ["patient_pk"]
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("patient_id", sa.String(64)),
        sa.Column("source", sa.Text()),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_patient_id"), "audit_log", ["patient_id"])


def create_child_tables() -> None:
    """The per-patient child tables of this schema (also used by 0002's downgrade)."""
    op.create_table(
        "genetic_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("lesions", sa.JSON(), nullable=False),
        sa.Column("modal_chromosome_number", sa.Integer()),
        sa.Column("dna_index", sa.Float()),
        sa.Column("karyotype", sa.Text()),
        sa.Column("copy_number", sa.JSON(), nullable=False),
        sa.Column("trisomies", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genetic_profiles")),
        sa.UniqueConstraint("patient_pk", name=op.f("uq_genetic_profiles_patient_pk")),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_genetic_profiles_patient_pk_patients"),
        ),
    )
    op.create_table(
        "mrd_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("timepoint", sa.String(32), nullable=False),
        sa.Column("sample_day", sa.Integer()),
        sa.Column("tissue", sa.String(8), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("level", sa.Float()),
        sa.Column("sensitivity", sa.Float()),
        sa.Column("quantitative_range", sa.Float()),
        sa.Column("markers", sa.Integer()),
        sa.Column("cells_analysed", sa.Integer()),
        sa.Column("dna_ng", sa.Float()),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrd_measurements")),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_mrd_measurements_patient_pk_patients"),
        ),
    )
    op.create_index(
        op.f("ix_mrd_measurements_patient_pk"), "mrd_measurements", ["patient_pk"]
    )
    op.create_table(
        "treatment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Text()),
        sa.Column("triggered_by", sa.String(32)),
        sa.Column("description", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_events")),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_treatment_events_patient_pk_patients"),
        ),
    )
    op.create_index(
        op.f("ix_treatment_events_patient_pk"), "treatment_events", ["patient_pk"]
    )
    op.create_table(
        "outcome_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("relapse_site", sa.String(16)),
        sa.Column("in_remission", sa.Boolean()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_events")),
        sa.ForeignKeyConstraint(
            ["patient_pk"],
            ["patients.id"],
            ondelete="CASCADE",
            name=op.f("fk_outcome_events_patient_pk_patients"),
        ),
    )
    op.create_index(op.f("ix_outcome_events_patient_pk"), "outcome_events", ["patient_pk"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_patient_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    for table in ("risk_assignments", "outcome_events", "treatment_events", "mrd_measurements"):
        op.drop_index(op.f(f"ix_{table}_patient_pk"), table_name=table)
        op.drop_table(table)
    op.drop_table("genetic_profiles")
    op.drop_index(op.f("ix_patients_patient_id"), table_name="patients")
    op.drop_table("patients")
