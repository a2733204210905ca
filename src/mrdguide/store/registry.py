"""The cohort registry: repositories that store and return domain objects.

Use :func:`open_registry`::

    with open_registry("sqlite:///reg.sqlite") as reg:
        summary = reg.add_cases(cases, source="cohort.csv")
        case = reg.get_case("SYN-0001")

Every write runs in one transaction together with its audit records.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from mrdguide.domain import Case, MRDMeasurement, case_to_dict
from mrdguide.errors import InputError, NotFoundError, StoreError
from mrdguide.store._engine import WRITE, make_engine
from mrdguide.store._mappers import apply_case, mrd_doc, mrd_row, row_to_case
from mrdguide.store.audit import AuditEntry, AuditWriter, Clock, default_actor, read_audit, utc_now
from mrdguide.store.config import redact_url
from mrdguide.store.schema import check_schema, upgrade_schema
from mrdguide.store.tables import AssignmentRow, Base, PatientRow

_LOAD_ALL = (
    selectinload(PatientRow.genetics),
    selectinload(PatientRow.mrd),
    selectinload(PatientRow.treatments),
    selectinload(PatientRow.outcomes),
)
_BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSummary:
    """What :meth:`Registry.add_cases` did, by patient id."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()

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
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    """One line of :meth:`Registry.list_patients`."""

    patient_id: str
    age_years: float | None
    sex: str | None
    immunophenotype: str | None
    wbc_per_ul: float | None
    nci_risk: str | None
    has_genetics: bool
    mrd_timepoints: tuple[str, ...]
    n_outcomes: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        d = dataclasses.asdict(self)
        d["mrd_timepoints"] = list(self.mrd_timepoints)
        return d


class Registry:
    """A unit of work on the registry: build one per command or per web request.

    The engine (and its connection pool) lives as long as the process; a ``Registry`` is cheap.
    Every method runs in a transaction of its own, unless called inside
    :meth:`transaction`, which makes several operations all-or-nothing::

        reg = Registry(engine, actor="lab-1")
        with reg.transaction():
            reg.add_mrd("SYN-0001", measurement, source="flow")
            reg.save_assignment("SYN-0001", assignment)

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        An engine (:func:`mrdguide.store.make_engine`) whose database is at the current schema.
    actor : str
        Name recorded in the audit log for every write.
    clock : callable, optional
        Returns timezone-aware UTC timestamps (default: the system clock).
    """

    def __init__(self, engine: Engine, *, actor: str, clock: Clock | None = None) -> None:
        self._engine = engine
        self._write_engine = engine.execution_options(**WRITE)
        self._session: Session | None = None
        self._audit = AuditWriter(actor=actor, clock=clock or utc_now)
        self.actor = actor

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return redact_url(self._engine.url.render_as_string(hide_password=False))

    @property
    def dialect(self) -> str:
        """The database backend (``sqlite`` or ``postgresql``)."""
        return str(self._engine.dialect.name)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction spanning every registry call made inside it.

        Nested calls join the outer transaction. On error everything is rolled back and a
        :class:`~mrdguide.errors.StoreError` (or the original mrdguide error) is raised.
        ``write=False`` gives a consistent read snapshot that does not wait for writers.
        """
        if self._session is not None:
            yield self._session
            return
        engine = self._write_engine if write else self._engine
        session = Session(engine, expire_on_commit=False)
        try:
            with session.begin():
                self._session = session
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"Registry write failed and was rolled back: {exc}") from exc
        finally:
            self._session = None
            session.close()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self.transaction() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            return
        try:
            with Session(self._engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"Registry read failed: {exc}") from exc

    # -- cases ---------------------------------------------------------------------------------

    def add_cases(self, cases: Sequence[Case], *, source: str) -> ImportSummary:
        """Insert or update ``cases`` in one transaction (idempotent on ``patient_id``).

        A case identical to the stored one is reported as unchanged and not written. A
        changed case replaces the stored one; the audit log keeps both versions.

        Raises
        ------
        InputError
            If a patient id occurs more than once in ``cases`` (nothing is written).
        StoreError
            If the database rejects the transaction (nothing is written).
        """
        _check_unique(cases)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        with self._tx() as s:
            for start in range(0, len(cases), _BATCH):
                batch = cases[start : start + _BATCH]
                existing = _load_rows(s, [c.patient_id for c in batch])
                for case in batch:
                    outcome = self._upsert(s, existing.get(case.patient_id), case, source)
                    {"added": added, "updated": updated, "unchanged": unchanged}[outcome].append(
                        case.patient_id
                    )
        return ImportSummary(added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged))

    def _upsert(self, s: Session, row: PatientRow | None, case: Case, source: str) -> str:
        after = case_to_dict(case)
        pid = case.patient_id
        if row is None:
            now = self._audit.clock()
            row = PatientRow(patient_id=pid, created_at=now, updated_at=now)
            apply_case(row, case, source)
            s.add(row)
            self._audit.record(
                s, action="create", entity="case", patient_id=pid, source=source,
                before=None, after=after,
            )  # fmt: skip
            return "added"
        before = case_to_dict(row_to_case(row))
        if before == after:
            return "unchanged"
        apply_case(row, case, source)
        row.updated_at = self._audit.clock()
        self._audit.record(
            s, action="update", entity="case", patient_id=pid, source=source,
            before=before, after=after,
        )  # fmt: skip
        return "updated"

    def get_case(self, patient_id: str) -> Case:
        """The stored case of ``patient_id``.

        Raises
        ------
        NotFoundError
            If no such patient is registered.
        """
        with self._read() as s:
            return row_to_case(_get_row(s, patient_id))

    def iter_cases(self) -> Iterator[Case]:
        """Every stored case, ordered by patient id, read in batches."""
        last = ""
        while True:
            with self._read() as s:
                stmt = (
                    select(PatientRow)
                    .where(PatientRow.patient_id > last)
                    .order_by(PatientRow.patient_id)
                    .limit(_BATCH)
                    .options(*_LOAD_ALL)
                )
                rows = list(s.scalars(stmt))
                cases = [row_to_case(r) for r in rows]
            yield from cases
            if len(rows) < _BATCH:
                return
            last = rows[-1].patient_id

    def list_patients(self) -> list[PatientSummary]:
        """A summary line per patient, ordered by patient id."""
        return [_summary(c) for c in self.iter_cases()]

    def count_patients(self) -> int:
        """How many patients are registered."""
        with self._read() as s:
            return int(s.scalar(select(func.count()).select_from(PatientRow)) or 0)

    # -- MRD -----------------------------------------------------------------------------------

    def add_mrd(self, patient_id: str, measurement: MRDMeasurement, *, source: str) -> None:
        """Add an MRD result, replacing one with the same time point, tissue and method.

        Adding a result identical to the stored one changes nothing.

        Raises
        ------
        NotFoundError
            If the patient is not registered.
        """
        with self._tx() as s:
            row = _get_row(s, patient_id)
            case = row_to_case(row)
            key = (measurement.timepoint, measurement.tissue, measurement.method)
            old = [m for m in case.mrd if (m.timepoint, m.tissue, m.method) == key]
            if old and mrd_doc(old[0]) == mrd_doc(measurement):
                return
            kept = [m for m in case.mrd if (m.timepoint, m.tissue, m.method) != key]
            new_case = dataclasses.replace(case, mrd=(*kept, measurement))
            sources = {id(m): r.source for m, r in zip(case.mrd, row.mrd, strict=True)}
            row.mrd = [
                mrd_row(mrd_doc(m), i, sources.get(id(m), source))
                for i, m in enumerate(new_case.mrd)
            ]
            row.updated_at = self._audit.clock()
            self._audit.record(
                s,
                action="update_mrd" if old else "add_mrd",
                entity="mrd",
                patient_id=patient_id,
                source=source,
                before=mrd_doc(old[0]) if old else None,
                after=mrd_doc(measurement),
            )

    # -- assignments ---------------------------------------------------------------------------

    def save_assignment(self, patient_id: str, assignment: dict[str, Any]) -> None:
        """Store a risk assignment (e.g. ``RiskAssignment.to_dict()``) with a UTC timestamp.

        The rule-set id, version and hash and the group are read from the keys
        ``ruleset_id``/``protocol_id``, ``ruleset_version``/``protocol_version``,
        ``ruleset_sha256``/``protocol_sha256`` and ``group``; the whole dictionary (trace
        included) is stored as JSON.

        Raises
        ------
        NotFoundError
            If the patient is not registered.
        InputError
            If ``assignment`` is not JSON-serialisable.
        """
        doc = _json_copy(assignment)
        with self._tx() as s:
            row = _get_row(s, patient_id)
            rec = _assignment_row(doc, self._audit.clock())
            row.assignments.append(rec)
            self._audit.record(
                s, action="save_assignment", entity="assignment", patient_id=patient_id,
                source=rec.ruleset_id, before=None, after=doc,
            )  # fmt: skip

    def save_assignments(self, items: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Store many assignments in one transaction (all or nothing); return how many.

        One audit entry records the batch (count and rule sets), so that assessing a whole
        cohort under every protocol does not write one audit row per assignment.

        Raises
        ------
        NotFoundError
            If any patient is not registered (nothing is stored).
        """
        docs = [(pid, _json_copy(a)) for pid, a in items]
        with self._tx() as s:
            wanted = sorted({pid for pid, _ in docs})
            found = s.execute(
                select(PatientRow.patient_id, PatientRow.id).where(
                    PatientRow.patient_id.in_(wanted)
                )
            )
            pks: dict[str, int] = {str(pid): int(pk) for pid, pk in found}
            missing = [pid for pid in wanted if pid not in pks]
            if missing:
                raise NotFoundError(f"patient {missing[0]!r} is not registered")
            now = self._audit.clock()
            rows = []
            for pid, doc in docs:
                rec = _assignment_row(doc, now)
                rows.append(
                    {c: getattr(rec, c) for c in _ASSIGNMENT_COLUMNS} | {"patient_pk": pks[pid]}
                )
            # A Core bulk insert: tens of thousands of rows in well under a second.
            if rows:
                s.execute(insert(AssignmentRow), rows)
            protocols = sorted({str(_pick(d, *_ID_KEYS)) for _, d in docs})
            self._audit.record(
                s, action="save_assignments", entity="assignment", patient_id=None,
                source=",".join(protocols), before=None,
                after={"count": len(docs), "protocols": protocols},
            )  # fmt: skip
        return len(docs)

    def list_assignments(self, patient_id: str) -> list[dict[str, Any]]:
        """Stored assignments of ``patient_id``, oldest first.

        Each item has ``id``, ``patient_id``, ``ruleset_id``, ``ruleset_version``,
        ``ruleset_sha256``, ``group``, ``assigned_at`` (ISO 8601, UTC) and ``assignment`` (the
        dictionary given to :meth:`save_assignment`).
        """
        with self._read() as s:
            row = _get_row(s, patient_id, load=(selectinload(PatientRow.assignments),))
            return [
                {
                    "id": a.id,
                    "patient_id": patient_id,
                    "ruleset_id": a.ruleset_id,
                    "ruleset_version": a.ruleset_version,
                    "ruleset_sha256": a.ruleset_sha256,
                    "group": a.risk_group,
                    "assigned_at": a.assigned_at.isoformat(),
                    "assignment": a.document,
                }
                for a in row.assignments
            ]

    # -- audit and housekeeping ----------------------------------------------------------------

    def audit_log(
        self, limit: int | None = 100, *, patient_id: str | None = None
    ) -> list[AuditEntry]:
        """Audit entries, newest first (at most ``limit``; ``None`` for all)."""
        with self._read() as s:
            return read_audit(s, limit=limit, patient_id=patient_id)

    def table_counts(self) -> dict[str, int]:
        """Row count of every registry table (used to prove a failed import wrote nothing)."""
        with self._read() as s:
            return {
                name: int(s.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in sorted(Base.metadata.tables.items())
            }


# ---------------------------------------------------------------------------------------------


def _check_unique(cases: Sequence[Case]) -> None:
    seen: set[str] = set()
    for c in cases:
        if c.patient_id in seen:
            raise InputError(
                f"Patient {c.patient_id!r} occurs more than once in one import.",
                field="patient_id",
                value=c.patient_id,
                rule="patient_id is unique within an import",
            )
        seen.add(c.patient_id)


def _load_rows(s: Session, ids: Sequence[str]) -> dict[str, PatientRow]:
    stmt = select(PatientRow).where(PatientRow.patient_id.in_(ids)).options(*_LOAD_ALL)
    return {r.patient_id: r for r in s.scalars(stmt)}


def _get_row(s: Session, patient_id: str, load: tuple[Any, ...] = _LOAD_ALL) -> PatientRow:
    row = s.scalars(
        select(PatientRow).where(PatientRow.patient_id == patient_id).options(*load)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"No patient {patient_id!r} in the registry.")
    return row


_ID_KEYS = ("ruleset_id", "protocol_id", "protocol")
_ASSIGNMENT_COLUMNS = (
    "ruleset_id",
    "ruleset_version",
    "ruleset_sha256",
    "risk_group",
    "document",
    "assigned_at",
)


def _assignment_row(doc: dict[str, Any], when: Any) -> AssignmentRow:
    # Accept both the store's own keys and RiskAssignment.to_dict()'s ("protocol", "risk_group").
    return AssignmentRow(
        ruleset_id=_pick(doc, *_ID_KEYS),
        ruleset_version=_pick(doc, "ruleset_version", "protocol_version"),
        ruleset_sha256=_pick(doc, "ruleset_sha256", "protocol_sha256"),
        risk_group=_pick(doc, "group", "risk_group"),
        document=doc,
        assigned_at=when,
    )


def _pick(doc: dict[str, Any], *keys: str) -> str | None:
    for k in keys:
        v = doc.get(k)
        if v is not None:
            return str(v)
    return None


def _json_copy(assignment: dict[str, Any]) -> dict[str, Any]:
    try:
        out = json.loads(json.dumps(assignment, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"assignment must be a JSON-serialisable dictionary: {exc}",
            field="assignment",
            value=type(assignment).__name__,
            rule="JSON-serialisable dict",
        ) from exc
    if not isinstance(out, dict):
        raise InputError(
            "assignment must be a dictionary.",
            field="assignment",
            value=type(assignment).__name__,
            rule="JSON object",
        )
    return out


def _summary(case: Case) -> PatientSummary:
    p = case.patient
    return PatientSummary(
        patient_id=p.patient_id,
        age_years=p.age_years,
        sex=None if p.sex is None else p.sex.value,
        immunophenotype=None if p.immunophenotype is None else p.immunophenotype.value,
        wbc_per_ul=p.wbc_per_ul,
        nci_risk=p.nci_risk,
        has_genetics=case.genetics is not None,
        mrd_timepoints=tuple(sorted({m.timepoint.value for m in case.mrd})),
        n_outcomes=len(case.outcomes),
    )


@contextmanager
def open_registry(
    url: str | None = None,
    *,
    create: bool = True,
    actor: str | None = None,
    clock: Clock | None = None,
) -> Iterator[Registry]:
    """Open (and, with ``create``, initialise or upgrade) the registry: for scripts.

    A long-running process (the web app) builds its engine once with
    :func:`~mrdguide.store.make_engine`, checks the schema with
    :func:`~mrdguide.store.check_schema` and creates a :class:`Registry` per request instead.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL. Default: ``MRDGUIDE_DATABASE_URL``, else an SQLite file in the user
        data directory (see :func:`mrdguide.store.config.resolve_database_url`).
    create : bool, optional
        Create the database and run migrations to the newest schema (default). With
        ``False`` a missing or outdated database raises :class:`~mrdguide.errors.StoreError`.
    actor : str, optional
        Name recorded in the audit log (default: the operating-system user).
    clock : callable, optional
        Timestamp source (timezone-aware UTC); injectable for tests.

    Yields
    ------
    Registry

    Raises
    ------
    StoreError
        If the database cannot be reached, created or migrated.
    """
    engine = make_engine(url, create=create)
    try:
        if create:
            upgrade_schema(engine)
        else:
            check_schema(engine)
        yield Registry(engine, actor=actor or default_actor(), clock=clock)
    finally:
        engine.dispose()
