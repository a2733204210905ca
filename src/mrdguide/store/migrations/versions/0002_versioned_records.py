"""Versioned, reviewed, audited records: case and MRD versions, review events, users, API
tokens, rule files, compact assignments and a hash-chained audit trail.

Existing data are carried over as version 1 of each record, authorised (they were imported
historical data), recorded by ``schema-migration-0002`` at the patient's last update. The
existing audit rows become the start of the hash chain. On PostgreSQL the application role loses
UPDATE, DELETE and TRUNCATE on the audit trail and the version tables.

Downgrading is refused once version history exists (it would be lost).

Revision ID: 0002_versioned_records
Revises: 0001_initial
Create Date: 2026-12-05
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

from mrdguide.store._chain import GENESIS, canonical_hash
from mrdguide.store.tables import AuditRow

revision: str = "0002_versioned_records"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None

TS = sa.DateTime(timezone=True)
ACTOR = "schema-migration-0002"
PATIENT_FIELDS = (
    "age_years", "sex", "immunophenotype", "wbc_per_ul", "cns_status", "testicular_involvement",
    "steroid_pretreatment", "down_syndrome", "day8_pb_blasts_per_ul", "induction_outcome",
    "diagnosis_date",
)  # fmt: skip
MRD_COLUMNS = (
    "timepoint", "sample_day", "tissue", "method", "status", "level", "sensitivity",
    "quantitative_range", "markers", "cells_analysed", "dna_ng", "warnings",
)  # fmt: skip
APPEND_ONLY = ("audit_log", "case_versions", "mrd_versions", "review_events")


def _version_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("source", sa.Text()),
    ]


def _create_tables() -> None:
    op.create_table(
        "case_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        *_version_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_versions")),
        sa.ForeignKeyConstraint(["patient_pk"], ["patients.id"],
                                name=op.f("fk_case_versions_patient_pk_patients")),
        sa.UniqueConstraint("patient_pk", "version", name=op.f("uq_case_versions_patient_pk")),
    )  # fmt: skip
    op.create_index(op.f("ix_case_versions_patient_pk"), "case_versions", ["patient_pk"])
    op.create_table(
        "mrd_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("timepoint", sa.String(32), nullable=False),
        sa.Column("tissue", sa.String(8), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sample_day", sa.Integer()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("level", sa.Float()),
        sa.Column("sensitivity", sa.Float()),
        sa.Column("quantitative_range", sa.Float()),
        sa.Column("markers", sa.Integer()),
        sa.Column("cells_analysed", sa.Integer()),
        sa.Column("dna_ng", sa.Float()),
        sa.Column("warnings", sa.JSON(), nullable=False),
        *_version_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrd_versions")),
        sa.ForeignKeyConstraint(["patient_pk"], ["patients.id"],
                                name=op.f("fk_mrd_versions_patient_pk_patients")),
        sa.UniqueConstraint("patient_pk", "timepoint", "tissue", "method", "version",
                            name=op.f("uq_mrd_versions_patient_pk")),
    )  # fmt: skip
    op.create_index(op.f("ix_mrd_versions_patient_pk"), "mrd_versions", ["patient_pk"])
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sa.String(8), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
    )
    op.create_index("ix_review_events_record", "review_events", ["record_kind", "record_id"])
    _create_people_tables()


def _create_people_tables() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_pk", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.ForeignKeyConstraint(["user_pk"], ["users.id"],
                                name=op.f("fk_api_tokens_user_pk_users")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )  # fmt: skip
    op.create_index(op.f("ix_api_tokens_user_pk"), "api_tokens", ["user_pk"])
    op.create_table(
        "rule_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("ruleset_id", sa.String(128), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_rule_files_sha256")),
    )
    op.create_table(
        "trace_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_texts")),
        sa.UniqueConstraint("sha256", name=op.f("uq_trace_texts_sha256")),
    )
    op.create_table(
        "assessment_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_pk", sa.Integer(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_inputs")),
        sa.ForeignKeyConstraint(["patient_pk"], ["patients.id"],
                                name=op.f("fk_assessment_inputs_patient_pk_patients")),
    )  # fmt: skip
    op.create_index(op.f("ix_assessment_inputs_patient_pk"), "assessment_inputs", ["patient_pk"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )


def _case_document(conn: sa.Connection, p: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"patient_id": p.patient_id}
    for f in PATIENT_FIELDS:
        v = getattr(p, f)
        if v is not None:
            doc[f] = v.isoformat() if isinstance(v, dt.date) else v
    g = conn.execute(sa.text("SELECT * FROM genetic_profiles WHERE patient_pk = :p"),
                     {"p": p.id}).first()  # fmt: skip
    if g is not None:
        gen = {"lesions": g.lesions, "modal_chromosome_number": g.modal_chromosome_number,
               "dna_index": g.dna_index, "karyotype": g.karyotype,
               "copy_number": g.copy_number, "trisomies": g.trisomies}  # fmt: skip
        doc["genetics"] = {k: v for k, v in gen.items() if v not in (None, [], {})}
    for table, key, cols in (
        ("treatment_events", "treatments", ("kind", "day", "phase", "triggered_by", "description")),
        ("outcome_events", "outcomes", ("kind", "day", "relapse_site", "in_remission")),
    ):
        rows = conn.execute(sa.text(f"SELECT * FROM {table} WHERE patient_pk = :p ORDER BY seq"),  # noqa: S608
                            {"p": p.id})  # fmt: skip
        items = [{c: getattr(r, c) for c in cols if getattr(r, c) is not None} for r in rows]
        if items:
            doc[key] = items
    return doc


def _json(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


def _carry_over(conn: sa.Connection) -> list[tuple[str, dict[str, Any]]]:
    """Each patient's record and MRD results become version 1, authorised; returns, per
    patient, the ids and digests the audit trail records for them."""
    from mrdguide.store._writes import case_digest, mrd_digest
    from mrdguide.store.tables import CaseVersionRow, MRDVersionRow

    out = []
    for p in list(conn.execute(sa.text("SELECT * FROM patients ORDER BY id"))):
        at = _as_utc(p.updated_at)
        doc = _case_document(conn, p)
        if "genetics" in doc:
            doc["genetics"] = {k: _json(v) for k, v in doc["genetics"].items()}
        stamp = {"recorded_at": at, "actor": ACTOR, "reason": None, "source": p.source}
        case = {"patient_pk": p.id, "version": 1, "document": doc} | stamp
        cid = conn.execute(
            sa.insert(CaseVersionRow).returning(CaseVersionRow.id), case
        ).scalar_one()
        _review(conn, "case", cid, at)
        after: dict[str, Any] = {"case": {"id": cid, "version": 1,
                                          "sha256": case_digest(CaseVersionRow(id=cid, **case))}}
        for m in conn.execute(sa.text("SELECT * FROM mrd_measurements WHERE patient_pk = :p"),
                              {"p": p.id}):  # fmt: skip
            values = {c: getattr(m, c) for c in MRD_COLUMNS} | {"warnings": _json(m.warnings) or []}
            row = {"patient_pk": p.id, "version": 1} | values | stamp | {"source": m.source}
            mid = conn.execute(
                sa.insert(MRDVersionRow).returning(MRDVersionRow.id), row
            ).scalar_one()
            _review(conn, "mrd", mid, at)
            key = f"{m.timepoint}/{m.tissue}/{m.method}"
            after.setdefault("mrd", {})[key] = {
                "id": mid, "version": 1, "sha256": mrd_digest(MRDVersionRow(id=mid, **row))}
        out.append((p.patient_id, after | {"review_state": "authorised"}))
    return out


def _review(conn: sa.Connection, kind: str, record_id: int, at: Any) -> None:
    conn.execute(
        sa.text("INSERT INTO review_events (record_kind, record_id, action, state, actor, at, "
                "reason) VALUES (:k, :r, 'import_authorised', 'authorised', :a, :at, NULL)"),
        {"k": kind, "r": record_id, "a": ACTOR, "at": at},
    )  # fmt: skip


def _as_utc(v: Any) -> dt.datetime:
    t: dt.datetime = dt.datetime.fromisoformat(v) if isinstance(v, str) else v
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _chain_existing_audit(conn: sa.Connection, carried: list[tuple[str, dict[str, Any]]]) -> None:
    """Turn the existing audit rows into the start of the hash chain, then record the
    carried-over versions (ids and digests) in it."""
    with op.batch_alter_table("audit_log") as b:
        b.add_column(sa.Column("seq", sa.Integer()))
        b.add_column(sa.Column("prev_hash", sa.String(64)))
        b.add_column(sa.Column("hash", sa.String(64)))
    prev, seq = GENESIS, 0
    for r in list(conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id"))):
        seq += 1
        h = canonical_hash(
            seq=seq, at=_as_utc(r.at), actor=r.actor, action=r.action, entity=r.entity,
            patient_id=r.patient_id, source=r.source, before=_json(r.before),
            after=_json(r.after), prev_hash=prev,
        )  # fmt: skip
        conn.execute(sa.text("UPDATE audit_log SET seq = :s, prev_hash = :p, hash = :h "
                             "WHERE id = :i"), {"s": seq, "p": prev, "h": h, "i": r.id})  # fmt: skip
        prev = h
    now = dt.datetime.now(dt.UTC)
    for patient_id, after in carried:
        seq += 1
        fields: dict[str, Any] = {
            "at": now, "actor": ACTOR, "action": "migrate", "entity": "case",
            "patient_id": patient_id, "source": "schema 0002", "before": None, "after": after,
        }  # fmt: skip
        h = canonical_hash(seq=seq, prev_hash=prev, **fields)
        conn.execute(sa.insert(AuditRow), fields | {"seq": seq, "prev_hash": prev, "hash": h})
        prev = h
    conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :s, :h)"),
                 {"s": seq, "h": prev})  # fmt: skip
    with op.batch_alter_table("audit_log") as b:
        b.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        b.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        b.alter_column("hash", existing_type=sa.String(64), nullable=False)
        b.create_unique_constraint(op.f("uq_audit_log_seq"), ["seq"])


def _reshape_old_tables() -> None:
    with op.batch_alter_table("risk_assignments") as b:
        # Rows stored before this revision keep their full document (with its rule-file hash).
        b.drop_column("ruleset_sha256")
        b.add_column(sa.Column("rule_file_id", sa.Integer()))
        b.add_column(sa.Column("inputs_id", sa.Integer()))
        b.add_column(sa.Column("compact", sa.JSON()))
        b.alter_column("document", existing_type=sa.JSON(), nullable=True)
        b.drop_constraint(op.f("fk_risk_assignments_patient_pk_patients"), type_="foreignkey")
        b.create_foreign_key(op.f("fk_risk_assignments_patient_pk_patients"), "patients",
                             ["patient_pk"], ["id"])
        b.create_foreign_key(op.f("fk_risk_assignments_rule_file_id_rule_files"), "rule_files",
                             ["rule_file_id"], ["id"])
        b.create_foreign_key(op.f("fk_risk_assignments_inputs_id_assessment_inputs"),
                             "assessment_inputs", ["inputs_id"], ["id"])  # fmt: skip
    for table in ("genetic_profiles", "mrd_measurements", "treatment_events", "outcome_events"):
        op.drop_table(table)
    with op.batch_alter_table("patients") as b:
        for col in (*PATIENT_FIELDS, "source", "updated_at"):
            b.drop_column(col)


def upgrade() -> None:
    conn = op.get_bind()
    _create_tables()
    carried = _carry_over(conn)
    _chain_existing_audit(conn, carried)
    _reshape_old_tables()
    if conn.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM CURRENT_USER")


def downgrade() -> None:
    conn = op.get_bind()
    n = conn.execute(sa.text("SELECT (SELECT count(*) FROM case_versions) + "
                             "(SELECT count(*) FROM mrd_versions)")).scalar_one()  # fmt: skip
    if n:
        msg = "refusing to downgrade: the registry holds versioned records that would be lost"
        raise RuntimeError(msg)
    _restore_old_schema()
    for table in ("audit_head", "trace_texts", "assessment_inputs", "rule_files", "api_tokens", "users",
                  "review_events", "mrd_versions", "case_versions"):  # fmt: skip
        op.drop_table(table)


def _restore_old_schema() -> None:
    with op.batch_alter_table("audit_log") as b:
        b.drop_constraint(op.f("uq_audit_log_seq"), type_="unique")
        for col in ("seq", "prev_hash", "hash"):
            b.drop_column(col)
    with op.batch_alter_table("risk_assignments") as b:
        b.drop_constraint(op.f("fk_risk_assignments_rule_file_id_rule_files"), type_="foreignkey")
        b.drop_constraint(op.f("fk_risk_assignments_inputs_id_assessment_inputs"),
                          type_="foreignkey")  # fmt: skip
        b.drop_column("compact")
        b.drop_column("inputs_id")
        b.drop_column("rule_file_id")
        b.add_column(sa.Column("ruleset_sha256", sa.String(64)))
    cols: dict[str, Any] = {
        "age_years": sa.Float(), "sex": sa.String(16), "immunophenotype": sa.String(4),
        "wbc_per_ul": sa.Float(), "cns_status": sa.String(8),
        "testicular_involvement": sa.Boolean(), "steroid_pretreatment": sa.Boolean(),
        "down_syndrome": sa.Boolean(), "day8_pb_blasts_per_ul": sa.Float(),
        "induction_outcome": sa.String(8), "diagnosis_date": sa.Date(), "source": sa.Text(),
        "updated_at": TS,
    }  # fmt: skip
    with op.batch_alter_table("patients") as b:
        for name, typ in cols.items():
            b.add_column(sa.Column(name, typ))
    spec = importlib.util.spec_from_file_location(
        "_mrdguide_0001", Path(__file__).with_name("0001_initial.py")
    )
    assert spec is not None and spec.loader is not None
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    first.create_child_tables()
