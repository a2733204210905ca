"""Schema 0002 carries a 0001 registry over: version 1 of everything, authorised, audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from mrdguide.store import Registry, _migrate, make_engine

T0 = "2026-01-02 03:04:05.000000"


def _old_registry(path: Path) -> None:
    """A registry at revision 0001 with one patient, written as version 0.1.0 wrote it."""
    engine = create_engine(f"sqlite:///{path}")
    _migrate.upgrade(engine, "0001_initial")
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO patients (id, patient_id, age_years, sex, immunophenotype, wbc_per_ul, "
            "source, created_at, updated_at) VALUES (1, 'SYN-0001', 4.5, 'female', 'B', 12000, "
            "'cohort.csv', :t, :t)"), {"t": T0})  # fmt: skip
        c.execute(text(
            "INSERT INTO genetic_profiles (patient_pk, lesions, copy_number, trisomies) VALUES "
            "(1, :l, '{}', '[]')"), {"l": json.dumps(["ETV6::RUNX1"])})  # fmt: skip
        c.execute(text(
            "INSERT INTO mrd_measurements (patient_pk, seq, timepoint, sample_day, tissue, method,"
            " status, level, sensitivity, warnings, source) VALUES (1, 0, 'eoi', 33, 'bm', 'pcr',"
            " 'positive', 0.0002, 0.00001, '[]', 'cohort.csv')"))  # fmt: skip
        c.execute(text(
            "INSERT INTO outcome_events (patient_pk, seq, kind, day) VALUES "
            "(1, 0, 'last_follow_up', 2000)"))  # fmt: skip
        c.execute(text(
            "INSERT INTO audit_log (at, actor, action, entity, patient_id, source, before, after)"
            " VALUES (:t, 'alice', 'create', 'case', 'SYN-0001', 'cohort.csv', NULL, :a)"),
            {"t": T0, "a": json.dumps({"patient_id": "SYN-0001"})})  # fmt: skip
    engine.dispose()


@pytest.fixture
def migrated(tmp_path: Path) -> Registry:
    """The old registry upgraded to the newest schema."""
    path = tmp_path / "old.sqlite"
    _old_registry(path)
    engine = make_engine(f"sqlite:///{path}")
    _migrate.upgrade(engine)
    return Registry(engine, actor="tester")


def test_old_data_become_authorised_version_one(migrated: Registry) -> None:
    """The case and its MRD result come back unchanged, as authorised version 1."""
    view = migrated.case_view("SYN-0001")
    case = view.case
    assert (case.patient.age_years, case.genetics.lesions) == (4.5, ("ETV6::RUNX1",))  # type: ignore[union-attr]
    assert case.mrd[0].level is not None
    assert case.mrd[0].level.fraction == 2e-4
    assert view.inputs() == {"case": 1, "mrd": {"eoi/bm/pcr": 1}}
    [v] = migrated.mrd_history("SYN-0001")
    assert (v.version, v.review_state.value, v.actor) == (1, "authorised", "schema-migration-0002")
    assert v.recorded_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_old_audit_rows_start_the_chain(migrated: Registry) -> None:
    """The old audit row is record 1 of the chain; the carried-over versions are recorded."""
    n, broken = migrated.verify_audit()
    assert broken is None
    assert n == 2
    first, second = reversed(migrated.audit_log())
    assert (first.seq, first.actor) == (1, "alice")
    assert (second.seq, second.action) == (2, "migrate")


def test_downgrade_refuses_to_lose_history(tmp_path: Path) -> None:
    """A registry with versions cannot be downgraded (the history would be lost)."""
    path = tmp_path / "old.sqlite"
    _old_registry(path)
    engine = make_engine(f"sqlite:///{path}")
    _migrate.upgrade(engine)
    with pytest.raises(RuntimeError, match="would be lost"):
        _migrate.downgrade(engine, "0001_initial")
