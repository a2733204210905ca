"""Alembic migrations: upgrade head and downgrade base on an empty SQLite database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine

from mrdguide.store import _migrate
from mrdguide.store.tables import Base


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty SQLite file."""
    eng = create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    yield eng
    eng.dispose()


def test_upgrade_head_then_downgrade_base(engine: Engine, tmp_path: Path) -> None:
    """upgrade head creates every table; downgrade base removes them again."""
    cwd = Path.cwd()
    os.chdir(tmp_path)  # no alembic.ini anywhere near: configuration is built in code
    try:
        _migrate.upgrade(engine)
        assert _migrate.current_revision(engine) == _migrate.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        _migrate.downgrade(engine)
        assert _migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        os.chdir(cwd)


def test_migration_matches_models(engine: Engine) -> None:
    """The migrated schema equals the ORM models (autogenerate finds no difference)."""
    _migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_empty_database_has_no_revision(engine: Engine) -> None:
    """An uninitialised database reports no revision."""
    assert _migrate.current_revision(engine) is None
