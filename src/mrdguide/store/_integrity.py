"""The second half of ``audit verify``: every stored version is the one the audit trail recorded.

Each write records, in its (hash-chained) audit entry, the id and SHA-256 digest of every version
and review event it created. Verification recomputes each stored row's digest and compares; a row
edited, inserted or removed outside the application, in any of the version tables, is named.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.store._chain import ChainBreak
from mrdguide.store._writes import case_digest, event_digest, mrd_digest
from mrdguide.store.tables import AuditRow, CaseVersionRow, MRDVersionRow, ReviewEventRow

__all__ = ["verify_records"]

Refs = dict[tuple[str, int], tuple[str, int]]  # (kind, id) -> (sha256, audit seq)


def _refs(after: Any, seq: int) -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    if not isinstance(after, dict):
        return
    case = after.get("case")
    if isinstance(case, dict) and "sha256" in case:
        yield ("case", int(case["id"])), (str(case["sha256"]), seq)
    mrd = after.get("mrd")
    if isinstance(mrd, dict):
        for ref in mrd.values():
            if isinstance(ref, dict) and "sha256" in ref:
                yield ("mrd", int(ref["id"])), (str(ref["sha256"]), seq)
    if "sha256" in after and "timepoint" in after:  # one MRD version (add_mrd)
        yield ("mrd", int(after["id"])), (str(after["sha256"]), seq)
    event = after.get("event")
    if isinstance(event, dict) and "sha256" in event:
        yield ("event", int(event["id"])), (str(event["sha256"]), seq)


def _collect(s: Session) -> tuple[Refs, dict[tuple[str, int], str]]:
    refs: Refs = {}
    states: dict[tuple[str, int], str] = {}
    for seq, after in s.execute(select(AuditRow.seq, AuditRow.after).order_by(AuditRow.seq)):
        for key, value in _refs(after, seq):
            refs[key] = value
            if key[0] in ("case", "mrd") and isinstance(after, dict):
                states[key] = str(after.get("review_state", ""))
    return refs, states


def _check_rows(
    kind: str, rows: Iterator[Any], refs: Refs, digest: Any, what: str
) -> ChainBreak | None:
    for row in rows:
        ref = refs.get((kind, row.id))
        if ref is None:
            return ChainBreak(seq=None, record_id=row.id,
                              reason=f"{what} {row.id} is not in the audit trail")  # fmt: skip
        if digest(row) != ref[0]:
            return ChainBreak(
                seq=ref[1],
                record_id=row.id,
                reason=f"{what} {row.id} differs from what audit record {ref[1]} recorded",
            )
    return None


def verify_records(s: Session) -> ChainBreak | None:
    """The first version or review event that does not match the audit trail (or ``None``)."""
    refs, states = _collect(s)
    checks = (
        ("case", select(CaseVersionRow).order_by(CaseVersionRow.id), case_digest, "case version"),
        ("mrd", select(MRDVersionRow).order_by(MRDVersionRow.id), mrd_digest, "MRD version"),
    )
    for kind, stmt, digest, what in checks:
        broken = _check_rows(kind, iter(s.scalars(stmt)), refs, digest, what)
        if broken is not None:
            return broken
    return _check_events(s, refs, states)


def _check_events(s: Session, refs: Refs, states: dict[tuple[str, int], str]) -> ChainBreak | None:
    for e in s.scalars(select(ReviewEventRow).order_by(ReviewEventRow.id)):
        ref = refs.get(("event", e.id))
        if ref is not None:
            if event_digest(e) != ref[0]:
                why = f"review event {e.id} differs from what audit record {ref[1]} recorded"
                return ChainBreak(seq=ref[1], record_id=e.id, reason=why)
            continue
        # An imported version's creation event is recorded by its state in the import entry.
        state = states.get((e.record_kind, e.record_id))
        if e.action not in {"import_authorised", "create"} or state != e.state:
            why = f"review event {e.id} is not in the audit trail"
            return ChainBreak(seq=None, record_id=e.id, reason=why)
    return None
