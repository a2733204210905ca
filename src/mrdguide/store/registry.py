"""The cohort registry: versioned, audited records of cases and MRD results.

Use :func:`open_registry` in scripts::

    with open_registry("sqlite:///reg.sqlite", actor="lab-1") as reg:
        summary = reg.add_cases(cases, source="cohort.csv")
        reg.add_mrd("SYN-0001", measurement, source="flow")

Every write runs in one transaction with its audit records; nothing is updated or deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from mrdguide.domain import Case, MRDMeasurement, ReviewAction, Role
from mrdguide.errors import ConflictError, MRDGuideError, NotFoundError, StoreError
from mrdguide.protocols import RiskAssignment
from mrdguide.store import _mrd
from mrdguide.store._assignments import (
    assignment_rows,
    expand_row,
    inputs_of,
    insert_assignments,
    list_rows,
    rule_file_of,
)
from mrdguide.store._chain import ChainBreak, ChainTip, verify_chain
from mrdguide.store._engine import WRITE, make_engine
from mrdguide.store._imports import import_cases
from mrdguide.store._integrity import verify_records
from mrdguide.store._records import CaseView, View, load_versions
from mrdguide.store._types import ImportSummary, MRDVersion, PatientSummary

__all__ = ["ImportSummary", "PatientSummary", "Registry", "open_registry"]
from mrdguide.store._writes import Writer
from mrdguide.store.audit import AuditEntry, Clock, default_actor, read_audit, utc_now
from mrdguide.store.config import redact_url
from mrdguide.store.schema import check_schema, upgrade_schema
from mrdguide.store.tables import Base, PatientRow
from mrdguide.store.users import UserStore

_BATCH = 500


class Registry:
    """A unit of work on the registry: build one per command or per web request.

    The engine (and its connection pool) lives as long as the process; a ``Registry`` is cheap.
    Every method runs in a transaction of its own, unless called inside :meth:`transaction`,
    which makes several operations all-or-nothing::

        reg = Registry(engine, actor="lab-1")
        with reg.transaction():
            reg.add_mrd("SYN-0001", measurement, source="flow")
            reg.save_assignment("SYN-0001", assignment)

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        An engine (:func:`mrdguide.store.make_engine`) whose database is at the current schema.
    actor : str
        Name recorded with every version and audit record.
    clock : callable, optional
        Returns timezone-aware UTC timestamps (default: the system clock).
    """

    def __init__(self, engine: Engine, *, actor: str, clock: Clock | None = None) -> None:
        self._engine = engine
        self._write_engine = engine.execution_options(**WRITE)
        self._session: Session | None = None
        self._writer: Writer | None = None
        self.clock = clock or utc_now
        self.actor = actor

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return redact_url(self._engine.url.render_as_string(hide_password=False))

    @property
    def dialect(self) -> str:
        """The database backend (``sqlite`` or ``postgresql``)."""
        return str(self._engine.dialect.name)

    @property
    def users(self) -> UserStore:
        """User and API-token management, audited with this registry's actor."""
        return UserStore(self)

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction spanning every registry call made inside it.

        Nested calls join the outer transaction. On error everything is rolled back; database
        errors become :class:`~mrdguide.errors.StoreError` (a duplicate version
        :class:`~mrdguide.errors.ConflictError`). ``write=False`` gives a read snapshot.
        """
        if self._session is not None:
            yield self._session
            return
        session = Session(self._write_engine if write else self._engine, expire_on_commit=False)
        try:
            with session.begin():
                self._session = session
                yield session
                if self._writer is not None:
                    self._writer.tip.store()
        except IntegrityError as exc:
            msg = f"a concurrent write stored the same record first: {exc.orig}"
            raise ConflictError(msg) from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"Registry write failed and was rolled back: {exc}") from exc
        finally:
            self._session = None
            self._writer = None
            session.close()

    def writer(self) -> Writer:
        """The writer of the open write transaction (takes the audit chain's tip once)."""
        if self._session is None:
            raise MRDGuideError("Registry.writer() needs an open transaction")
        if self._writer is None:
            tip = ChainTip(self._session, lock=self.dialect == "postgresql")
            self._writer = Writer(
                session=self._session, actor=self.actor, now=self.clock(), tip=tip
            )
        return self._writer

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

    def add_cases(
        self,
        cases: Sequence[Case],
        *,
        source: str,
        amend_reason: str | None = None,
        as_draft: bool = False,
    ) -> ImportSummary:
        """Store ``cases`` as versions in one transaction (idempotent on unchanged records).

        Imported records are authorised (historical data) unless ``as_draft``. A stored record
        that the import would change needs ``amend_reason``; records absent from ``cases`` are
        never removed.

        Raises
        ------
        InputError
            If a patient id occurs more than once in ``cases`` (nothing is written).
        ConflictError
            Listing every stored record the import would change without a reason.
        """
        with self.transaction():
            return import_cases(
                self.writer(), cases, source=source, amend=amend_reason, as_draft=as_draft
            )

    def case_view(self, patient_id: str, *, view: View = "authorised") -> CaseView:
        """The patient's case in ``view`` with the versions it used and newer drafts.

        Raises
        ------
        NotFoundError
            If no such patient is registered.
        """
        with self._read() as s:
            return load_versions(s, [_patient(s, patient_id)])[0].view(view)

    def get_case(self, patient_id: str, *, view: View = "authorised") -> Case:
        """The stored case of ``patient_id`` (authorised versions by default)."""
        return self.case_view(patient_id, view=view).case

    def iter_case_views(self, *, view: View = "authorised") -> Iterator[CaseView]:
        """Every patient's case view, ordered by patient id, read in batches."""
        last = ""
        while True:
            with self._read() as s:
                rows = list(
                    s.scalars(
                        select(PatientRow)
                        .where(PatientRow.patient_id > last)
                        .order_by(PatientRow.patient_id)
                        .limit(_BATCH)
                    )
                )
                views = [pv.view(view) for pv in load_versions(s, rows)]
            yield from views
            if len(rows) < _BATCH:
                return
            last = rows[-1].patient_id

    def iter_cases(self, *, view: View = "authorised") -> Iterator[Case]:
        """Every stored case, ordered by patient id (authorised versions by default)."""
        for v in self.iter_case_views(view=view):
            yield v.case

    def list_patients(self) -> list[PatientSummary]:
        """A summary line per patient, ordered by patient id (authorised data)."""
        return [_summary(v) for v in self.iter_case_views()]

    def count_patients(self) -> int:
        """How many patients are registered."""
        with self._read() as s:
            return int(s.scalar(select(func.count()).select_from(PatientRow)) or 0)

    def patient_ids(self, *, search: str | None = None, limit: int | None = None,
                    offset: int = 0) -> list[str]:  # fmt: skip
        """Patient ids in order, optionally containing ``search``, one page at a time."""
        stmt = select(PatientRow.patient_id).order_by(PatientRow.patient_id).offset(offset)
        if search:
            stmt = stmt.where(PatientRow.patient_id.contains(search, autoescape=True))
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as s:
            return [str(x) for x in s.scalars(stmt)]

    # -- MRD -------------------------------------------------------------------------------------

    def add_mrd(
        self,
        patient_id: str,
        measurement: MRDMeasurement,
        *,
        source: str,
        amend_reason: str | None = None,
    ) -> MRDVersion | None:
        """Store an MRD result as a draft version; ``None`` when identical to the stored one.

        Raises
        ------
        NotFoundError
            If the patient is not registered.
        ConflictError
            If a result for the same time point, tissue and method exists and no
            ``amend_reason`` is given (the error carries the stored result).
        """
        with self.transaction() as s:
            return _mrd.add(self.writer(), _patient(s, patient_id), measurement,
                            source=source, amend=amend_reason)  # fmt: skip

    def mrd_history(self, patient_id: str, *, timepoint: str | None = None) -> list[MRDVersion]:
        """Every version of the patient's MRD results, oldest first."""
        with self._read() as s:
            return _mrd.history(s, _patient(s, patient_id), timepoint=timepoint)

    def review_mrd(
        self,
        patient_id: str,
        key: tuple[str, str, str],
        action: ReviewAction,
        *,
        role: Role | None,
        reason: str | None = None,
    ) -> MRDVersion:
        """Submit, authorise or return the newest version of one MRD result (four eyes).

        Raises
        ------
        NotFoundError, ConflictError, PermissionDeniedError, InputError
            Unknown result, wrong state, own result or wrong role, missing reason.
        """
        with self.transaction() as s:
            return _mrd.review(self.writer(), _patient(s, patient_id), key, action, role=role,
                               reason=reason)  # fmt: skip

    def review_queue(self) -> list[MRDVersion]:
        """Newest MRD versions awaiting review (submitted), oldest first."""
        with self._read() as s:
            return _mrd.queue(s)

    # -- assignments ---------------------------------------------------------------------------

    def save_assignments(
        self, items: Sequence[tuple[str, RiskAssignment, dict[str, Any] | None]]
    ) -> int:
        """Store ``(patient_id, assignment, inputs)`` items in one transaction; return how many.

        One audit record covers the batch (count and protocols). ``inputs`` names the case and
        MRD versions the assignment used.

        Raises
        ------
        NotFoundError
            If any patient is not registered (nothing is stored).
        """
        with self.transaction() as s:
            pks = _patient_pks(s, sorted({pid for pid, _, _ in items}))
            w = self.writer()
            rows = assignment_rows(s, [(pks[p], a, i) for p, a, i in items], w.now)
            insert_assignments(s, rows)
            protocols = sorted({a.protocol for _, a, _ in items})
            w.audit(
                action="save_assignments", entity="assignment", patient_id=None,
                source=",".join(protocols), before=None,
                after={"count": len(rows), "protocols": protocols},
            )  # fmt: skip
        return len(items)

    def save_assignment(
        self, patient_id: str, assignment: RiskAssignment, inputs: dict[str, Any] | None = None
    ) -> None:
        """Store one assignment (see :meth:`save_assignments`)."""
        self.save_assignments([(patient_id, assignment, inputs)])

    def list_assignments(self, patient_id: str) -> list[dict[str, Any]]:
        """Stored assignments of ``patient_id``, oldest first, each expanded in full.

        Each item has ``id``, ``patient_id``, ``ruleset_id``, ``ruleset_version``,
        ``ruleset_sha256``, ``group``, ``assigned_at`` (ISO 8601, UTC), ``inputs`` (the versions
        used) and ``assignment`` (the full assignment with its rule trace).
        """
        with self._read() as s:
            patient = _patient(s, patient_id)
            out = []
            for a in list_rows(s, patient.id):
                rid, version, sha = rule_file_of(s, a)
                out.append({
                    "id": a.id, "patient_id": patient_id, "ruleset_id": rid,
                    "ruleset_version": version, "ruleset_sha256": sha, "group": a.risk_group,
                    "assigned_at": a.assigned_at.isoformat(), "inputs": inputs_of(s, a),
                    "assignment": expand_row(s, a, patient_id),
                })  # fmt: skip
            return out

    # -- audit and housekeeping ----------------------------------------------------------------

    def audit_log(
        self,
        limit: int | None = 100,
        *,
        patient_id: str | None = None,
        since: Any = None,
        actor: str | None = None,
    ) -> list[AuditEntry]:
        """Audit entries, newest first (at most ``limit``; ``None`` for all)."""
        with self._read() as s:
            return read_audit(s, limit=limit, patient_id=patient_id, since=since, actor=actor)

    def verify_audit(self) -> tuple[int, ChainBreak | None]:
        """Recompute the audit chain, then check every stored version and review event against
        the digest its audit record holds: records checked and the first break (``None``:
        intact)."""
        with self._read() as s:
            n, broken = verify_chain(s)
            return n, broken if broken is not None else verify_records(s)

    def table_counts(self) -> dict[str, int]:
        """Row count of every registry table (used to prove a failed write wrote nothing)."""
        with self._read() as s:
            return {
                name: int(s.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in sorted(Base.metadata.tables.items())
            }


def _patient(s: Session, patient_id: str) -> PatientRow:
    row = s.scalars(select(PatientRow).where(PatientRow.patient_id == patient_id)).one_or_none()
    if row is None:
        raise NotFoundError(f"No patient {patient_id!r} in the registry.")
    return row


def _patient_pks(s: Session, ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        stmt = select(PatientRow.patient_id, PatientRow.id).where(PatientRow.patient_id.in_(chunk))
        found.update({str(pid): int(pk) for pid, pk in s.execute(stmt)})
    missing = [pid for pid in ids if pid not in found]
    if missing:
        raise NotFoundError(f"patient {missing[0]!r} is not registered")
    return found


def _summary(v: CaseView) -> PatientSummary:
    c = v.case
    p = c.patient
    return PatientSummary(
        patient_id=p.patient_id, age_years=p.age_years,
        sex=None if p.sex is None else p.sex.value,
        immunophenotype=None if p.immunophenotype is None else p.immunophenotype.value,
        wbc_per_ul=p.wbc_per_ul, nci_risk=p.nci_risk, has_genetics=c.genetics is not None,
        mrd_timepoints=tuple(dict.fromkeys(m.timepoint.value for m in _in_order(c))),
        n_outcomes=len(c.outcomes), n_drafts=len(v.drafts),
    )  # fmt: skip


def _in_order(c: Case) -> list[MRDMeasurement]:
    from mrdguide.domain import TIMEPOINT_ORDER

    rank = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    return sorted(c.mrd, key=lambda m: rank[m.timepoint])


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
        Name recorded with every write (default: the operating-system user).
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
