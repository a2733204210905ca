"""Stored risk assignments: compact outcomes against their rule file, expanded on demand.

The text of every rule file an assignment was made under is stored once per SHA-256
(``rule_files``), so an assignment can be shown in full even after the shipped rule file
changed. Assignments of unknown rule files (or made before schema 0002) keep a full document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mrdguide.errors import InputError, MRDGuideError
from mrdguide.protocols import RiskAssignment, RuleSet, available_protocols, load_ruleset
from mrdguide.protocols.compact import compact, expand
from mrdguide.protocols.loader import parse_ruleset, ruleset_source
from mrdguide.protocols.schema import NOT_ASSIGNABLE
from mrdguide.store.tables import AssessmentInputRow, AssignmentRow, RuleFileRow, TraceTextRow

__all__ = ["assignment_rows", "expand_row", "ruleset_text"]


@cache
def _shipped_by_hash() -> dict[str, RuleSet]:
    out: dict[str, RuleSet] = {}
    for pid in available_protocols():
        rs = load_ruleset(pid)
        out[rs.sha256] = rs
    return out


def ruleset_text(rs: RuleSet) -> str | None:
    """The source text of a shipped rule file (``None`` when ``rs`` is not shipped as is)."""
    if _shipped_by_hash().get(rs.sha256) is None:
        return None
    return ruleset_source(rs.id).decode("utf-8")


def _rule_file_id(s: Session, rs: RuleSet, known: dict[str, int]) -> int | None:
    """The id of ``rs``'s stored text, storing it the first time (``None``: not shipped)."""
    if rs.sha256 in known:
        return known[rs.sha256]
    found = s.scalars(select(RuleFileRow.id).where(RuleFileRow.sha256 == rs.sha256)).first()
    if found is None:
        text = ruleset_text(rs)
        if text is None:
            return None
        row = RuleFileRow(sha256=rs.sha256, ruleset_id=rs.id, ruleset_version=rs.version, text=text)
        s.add(row)
        s.flush()
        found = row.id
    known[rs.sha256] = int(found)
    return int(found)


def _full_doc(a: RiskAssignment) -> dict[str, Any]:
    try:
        out: dict[str, Any] = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"assignment of {a.case!r} is not JSON-serialisable: {exc}",
            field="assignment",
            value=a.case,
            rule="JSON-serialisable",
        ) from exc
    out.pop("disclaimer", None)
    return out


def _inputs_ids(
    s: Session, items: Sequence[tuple[int, RiskAssignment, dict[str, Any] | None]]
) -> dict[tuple[int, str], int]:
    """One shared inputs row per distinct (patient, versions used)."""
    wanted: dict[tuple[int, str], dict[str, Any]] = {}
    for pk, _, inputs in items:
        if inputs is not None:
            wanted.setdefault((pk, json.dumps(inputs, sort_keys=True)), inputs)
    keys = list(wanted)
    if not keys:
        return {}
    stmt = insert(AssessmentInputRow).returning(AssessmentInputRow.id, sort_by_parameter_order=True)
    rows = [{"patient_pk": pk, "versions": wanted[(pk, k)]} for pk, k in keys]
    ids = [int(i) for i in s.scalars(stmt, rows)]
    return dict(zip(keys, ids, strict=True))


def _text_ids(s: Session, texts: set[str]) -> dict[str, int]:
    """Ids of caveat texts, storing the new ones (each text once per registry)."""
    if not texts:
        return {}
    by_sha = {hashlib.sha256(t.encode("utf-8")).hexdigest(): t for t in texts}
    out: dict[str, int] = {}
    shas = list(by_sha)
    for i in range(0, len(shas), 900):
        stmt = select(TraceTextRow.sha256, TraceTextRow.id).where(
            TraceTextRow.sha256.in_(shas[i : i + 900])
        )
        out.update({by_sha[h]: int(pk) for h, pk in s.execute(stmt)})
    new = [h for h in shas if by_sha[h] not in out]
    if new:
        add = insert(TraceTextRow).returning(TraceTextRow.id, sort_by_parameter_order=True)
        ids = s.scalars(add, [{"sha256": h, "text": by_sha[h]} for h in new])
        out.update({by_sha[h]: int(pk) for h, pk in zip(new, ids, strict=True)})
    return out


def _with_text_ids(doc: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    if doc.get("v"):
        doc = doc | {"v": [ids[t] for t in doc["v"]]}
    return doc


def assignment_rows(
    s: Session,
    items: Sequence[tuple[int, RiskAssignment, dict[str, Any] | None]],
    when: dt.datetime,
) -> list[dict[str, Any]]:
    """Row values for ``(patient_pk, assignment, inputs)`` items (rule files, caveat texts and
    shared inputs stored once)."""
    known: dict[str, int] = {}
    shipped = _shipped_by_hash()
    inputs_ids = _inputs_ids(s, items)
    text_ids = _text_ids(s, {c for _, a, _ in items for c in a.caveats})
    rows = []
    for pk, a, inputs in items:
        rs = shipped.get(a.protocol_sha256)
        rf = None if rs is None else _rule_file_id(s, rs, known)
        key = None if inputs is None else (pk, json.dumps(inputs, sort_keys=True))
        compact_doc = None
        if rf is not None and rs is not None:
            compact_doc = _with_text_ids(compact(a, rs), text_ids)
        rows.append(
            {
                "patient_pk": pk,
                # id and version are in the rule file; kept per row only for full documents
                "ruleset_id": None if rf is not None else a.protocol,
                "ruleset_version": None if rf is not None else a.protocol_version,
                "rule_file_id": rf,
                "inputs_id": None if key is None else inputs_ids[key],
                "risk_group": a.risk_group,
                "compact": compact_doc,
                "document": None if rf is not None else _full_doc(a),
                "assigned_at": when,
            }
        )
    return rows


def insert_assignments(s: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk insert (tens of thousands of rows in well under a second)."""
    if rows:
        s.execute(insert(AssignmentRow), rows)


@cache
def _parsed(text: str) -> RuleSet:
    return parse_ruleset(text.encode("utf-8"))


def expand_row(s: Session, row: AssignmentRow, patient_id: str) -> dict[str, Any]:
    """The full assignment document of a stored row (expanded from its compact form)."""
    if row.compact is None or row.rule_file_id is None:
        return dict(row.document or {})
    rule_file = s.get(RuleFileRow, row.rule_file_id)
    if rule_file is None:
        raise MRDGuideError(f"rule file {row.rule_file_id} of an assignment is missing")
    stored = dict(row.compact)
    if stored.get("v"):
        texts = {t.id: t.text for t in s.scalars(
            select(TraceTextRow).where(TraceTextRow.id.in_(stored["v"])))}  # fmt: skip
        stored["v"] = [texts[i] for i in stored["v"]]
    doc = expand(stored, _parsed(rule_file.text), case_id=patient_id).to_dict()
    doc.pop("disclaimer", None)
    return doc


def rule_file_of(s: Session, row: AssignmentRow) -> tuple[str | None, str | None, str | None]:
    """``(ruleset id, version, sha256)`` of a stored assignment."""
    if row.rule_file_id is not None:
        rf = s.get(RuleFileRow, row.rule_file_id)
        if rf is not None:
            return rf.ruleset_id, rf.ruleset_version, rf.sha256
    return row.ruleset_id, row.ruleset_version, sha256_of(s, row)


def sha256_of(s: Session, row: AssignmentRow) -> str | None:
    """The rule file's SHA-256 of a stored assignment."""
    if row.rule_file_id is not None:
        rf = s.get(RuleFileRow, row.rule_file_id)
        return None if rf is None else rf.sha256
    doc = row.document or {}
    value = doc.get("protocol_sha256") or doc.get("ruleset_sha256")
    return None if value is None else str(value)


def inputs_of(s: Session, row: AssignmentRow) -> dict[str, Any] | None:
    """The case and MRD versions a stored assignment used."""
    if row.inputs_id is None:
        return None
    found = s.get(AssessmentInputRow, row.inputs_id)
    return None if found is None else dict(found.versions)


def list_rows(s: Session, patient_pk: int) -> list[AssignmentRow]:
    """A patient's stored assignments, oldest first."""
    return list(
        s.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.patient_pk == patient_pk)
            .order_by(AssignmentRow.id)
        )
    )


def group_of(row: AssignmentRow) -> str:
    """The stored group (``not_assignable`` when none was recorded)."""
    return row.risk_group or NOT_ASSIGNABLE
