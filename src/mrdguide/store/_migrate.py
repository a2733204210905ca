"""Run the Alembic migrations programmatically, with a configuration built in code.

No ``alembic.ini`` is needed, so this works from an installed wheel: the script location is
the ``migrations`` directory inside the package.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction.

    Concurrent callers are serialised (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
    PostgreSQL), so a second caller finds the schema already migrated and does nothing.
    """
    cfg = alembic_config()
    with engine.execution_options(mrdguide_sqlite_begin="IMMEDIATE").begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to ``revision`` in one transaction."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
