"""Run the Alembic migrations programmatically, with a configuration built in code.

No ``alembic.ini`` is needed, so this works from an installed wheel: the script location is
the ``migrations`` directory inside the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic :class:`~alembic.config.Config` pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this version of mrdguide."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package always ships at least one revision
    return str(head)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty (uninitialised) database."""
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    return None if rev is None else str(rev)


#: Key of the PostgreSQL advisory lock held while migrating (any constant bigint).
_PG_MIGRATION_LOCK = 0x6D7264677569  # "mrdgui"


def _foreign_keys(conn: Connection, on: bool) -> None:
    raw: Any = conn.connection.driver_connection
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One migration transaction, serialised against concurrent callers.

    SQLite rebuilds a table to drop columns: foreign keys must be off meanwhile (the pragma is
    ignored inside a transaction, so it is set before BEGIN) and are checked before the commit.
    """
    with engine.execution_options(mrdguide_sqlite_begin="IMMEDIATE").connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(conn, on=False)
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    lock = text("SELECT pg_advisory_xact_lock(:k)")
                    conn.execute(lock, {"k": _PG_MIGRATION_LOCK})
                yield conn
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    msg = "migration left rows that violate a foreign key; rolled back"
                    raise RuntimeError(msg)
        finally:
            if sqlite:
                _foreign_keys(conn, on=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction.

    Concurrent callers are serialised (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
    PostgreSQL), so a second caller finds the schema already migrated and does nothing.
    """
    cfg = alembic_config()
    with _migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` in one transaction."""
    cfg = alembic_config()
    with _migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
