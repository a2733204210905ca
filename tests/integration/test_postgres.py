"""The registry on a real PostgreSQL server (set MRDGUIDE_TEST_POSTGRES_URL to run).

Each test runs in its own freshly created schema (dropped afterwards), so the tests never
touch other data in the database. See ``make postgres-help`` to start a local server.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def _load_scenarios() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_registry_scenarios", Path(__file__).with_name("_registry_scenarios.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_scenarios()


@pytest.fixture
def url(pg_url: str) -> str:
    """A fresh schema on the test server (see ``tests/conftest.py``)."""
    return pg_url


def test_migrations_up_and_down(url: str) -> None:
    """upgrade head and downgrade base work on PostgreSQL."""
    from sqlalchemy import create_engine, inspect

    from mrdguide.store import _migrate

    engine = create_engine(url)
    try:
        _migrate.upgrade(engine)
        assert "patients" in inspect(engine).get_table_names()
        _migrate.downgrade(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_import_and_reimport(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped cohort imports; re-importing changes nothing."""
    S.check_import_and_reimport(url, capsys)


@pytest.mark.parametrize("name", sorted(S.BAD_INPUTS))
def test_bad_input_leaves_database_unchanged(
    url: str, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad input exits 3 and leaves the PostgreSQL registry unchanged."""
    S.check_bad_input(url, tmp_path, name, capsys)


def test_round_trip_and_audit(url: str) -> None:
    """Cases read back equal; audit timestamps are timezone-aware UTC."""
    import datetime as dt

    from mrdguide.io import read_cohort
    from mrdguide.protocols import evaluate, load_ruleset
    from mrdguide.store import open_registry

    cases = read_cohort(S.WIDE).cases
    with open_registry(url, actor="pg-test") as reg:
        reg.add_cases(cases, source="pg")
        assert list(reg.iter_cases()) == sorted(cases, key=lambda c: c.patient_id)
        view = reg.case_view("SYN-0001")
        a = evaluate(view.case, load_ruleset("ukall2003"))
        reg.save_assignment("SYN-0001", a, view.inputs())
        [stored] = reg.list_assignments("SYN-0001")
        assert stored["group"] == a.risk_group
        assert reg.verify_audit()[1] is None
        entry = reg.audit_log(limit=1)[0]
        assert entry.actor == "pg-test"
        assert entry.at.utcoffset() == dt.timedelta(0)
