"""Reading versioned records: review states, the current view, version references.

A version's review state is its latest review event. The *current view* of a record is its
newest version in the requested view: ``"authorised"`` (what assessments use) or ``"latest"``
(what a laboratory sees, drafts included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.domain import TIMEPOINT_ORDER, Case, ReviewState
from mrdguide.store._mappers import MRDKey, build_case, key_label, row_key
from mrdguide.store.tables import CaseVersionRow, MRDVersionRow, PatientRow, ReviewEventRow

View = Literal["authorised", "latest"]
CASE = "case"
MRD = "mrd"
_CHUNK = 900  # under SQLite's default limit of bound parameters

__all__ = [
    "CASE",
    "MRD",
    "CaseView",
    "PatientVersions",
    "View",
    "load_versions",
    "review_states",
]


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def review_states(s: Session, kind: str, record_ids: Sequence[int]) -> dict[int, ReviewState]:
    """The review state of each record id (its latest review event)."""
    out: dict[int, ReviewState] = {}
    for chunk in _chunks(list(record_ids)):
        stmt = (
            select(ReviewEventRow.record_id, ReviewEventRow.state)
            .where(ReviewEventRow.record_kind == kind, ReviewEventRow.record_id.in_(chunk))
            .order_by(ReviewEventRow.id)
        )
        for rid, state in s.execute(stmt):
            out[int(rid)] = ReviewState(state)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseView:
    """A patient's case in one view, with the versions it was built from.

    ``drafts`` lists MRD versions newer than the ones used (not yet authorised), so that they
    can be shown as drafts.
    """

    case: Case
    case_version: int | None
    mrd_versions: dict[str, int]
    drafts: tuple[tuple[MRDVersionRow, ReviewState], ...] = ()

    def inputs(self) -> dict[str, Any]:
        """The versions used, as stored with an assignment."""
        return {"case": self.case_version, "mrd": dict(sorted(self.mrd_versions.items()))}


@dataclass(slots=True)
class PatientVersions:
    """Every version of one patient's records, with their review states."""

    patient: PatientRow
    cases: list[CaseVersionRow] = field(default_factory=list)
    mrd: list[MRDVersionRow] = field(default_factory=list)
    states: dict[tuple[str, int], ReviewState] = field(default_factory=dict)

    def state(self, kind: str, record_id: int) -> ReviewState:
        """The review state of one version."""
        return self.states[(kind, record_id)]

    def latest_case(self, view: View) -> CaseVersionRow | None:
        """The newest case version in ``view``."""
        for row in reversed(self.cases):
            if view == "latest" or self.state(CASE, row.id) is ReviewState.AUTHORISED:
                return row
        return None

    def mrd_by_key(self) -> dict[MRDKey, list[MRDVersionRow]]:
        """MRD versions grouped by key, oldest first."""
        out: dict[MRDKey, list[MRDVersionRow]] = defaultdict(list)
        for r in sorted(self.mrd, key=lambda r: (row_key(r), r.version)):
            out[row_key(r)].append(r)
        return out

    def latest_mrd(self, view: View) -> dict[MRDKey, MRDVersionRow]:
        """The newest version of each MRD result in ``view``."""
        out: dict[MRDKey, MRDVersionRow] = {}
        for key, rows in self.mrd_by_key().items():
            for row in reversed(rows):
                if view == "latest" or self.state(MRD, row.id) is ReviewState.AUTHORISED:
                    out[key] = row
                    break
        return out

    def view(self, view: View) -> CaseView:
        """The case in ``view`` and the versions it used."""
        case_row = self.latest_case(view)
        used = self.latest_mrd(view)
        newest = self.latest_mrd("latest")
        drafts = tuple(
            (row, self.state(MRD, row.id))
            for key, row in sorted(newest.items())
            if used.get(key) is not row
        )
        case = build_case(
            self.patient.patient_id,
            None if case_row is None else case_row.document,
            [used[k] for k in sorted(used, key=_key_order)],
        )
        return CaseView(
            case=case,
            case_version=None if case_row is None else case_row.version,
            mrd_versions={key_label(k): r.version for k, r in used.items()},
            drafts=drafts,
        )


_RANK = {tp.value: i for i, tp in enumerate(TIMEPOINT_ORDER)}


def _key_order(key: MRDKey) -> tuple[int, str, str]:
    """Time points in clinical order, then tissue (bone marrow first) and method."""
    tp, tissue, method = key
    return (_RANK.get(tp, len(_RANK)), "" if tissue == "bm" else tissue, method)


def load_versions(s: Session, patients: Sequence[PatientRow]) -> list[PatientVersions]:
    """Every version (and review state) of the given patients' records, in their order."""
    by_pk = {p.id: PatientVersions(patient=p) for p in patients}
    pks = list(by_pk)
    for chunk in _chunks(pks):
        for c in s.scalars(
            select(CaseVersionRow)
            .where(CaseVersionRow.patient_pk.in_(chunk))
            .order_by(CaseVersionRow.patient_pk, CaseVersionRow.version)
        ):
            by_pk[c.patient_pk].cases.append(c)
        for m in s.scalars(
            select(MRDVersionRow)
            .where(MRDVersionRow.patient_pk.in_(chunk))
            .order_by(MRDVersionRow.id)
        ):
            by_pk[m.patient_pk].mrd.append(m)
    case_ids = [c.id for pv in by_pk.values() for c in pv.cases]
    mrd_ids = [m.id for pv in by_pk.values() for m in pv.mrd]
    case_states = review_states(s, CASE, case_ids)
    mrd_states = review_states(s, MRD, mrd_ids)
    for pv in by_pk.values():
        pv.states.update({(CASE, c.id): case_states[c.id] for c in pv.cases})
        pv.states.update({(MRD, m.id): mrd_states[m.id] for m in pv.mrd})
    return [by_pk[p.id] for p in patients]
