"""Engine creation and schema preparation for :func:`mrdguide.store.open_registry`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from mrdguide.errors import StoreError
from mrdguide.store import _migrate
from mrdguide.store.config import redact_url, sqlite_path


def make_engine(url: str, *, create: bool) -> Engine:
    """An engine for ``url``; SQLite gets its folder created and foreign keys switched on.

    Raises
    ------
    StoreError
        If the SQLite file is missing and ``create`` is false, or the driver is missing.
    """
    path = sqlite_path(url)
    if path is not None:
        if not create and not path.exists():
            raise StoreError(
                f"No registry at {path}. Create one with `mrdguide init` "
                "(or open it with create=True)."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
    except ImportError as exc:
        raise StoreError(
            f"The database driver for {redact_url(url)} is not installed ({exc}). "
            "For PostgreSQL install the 'postgres' extra: pip install 'mrdguide[postgres]'."
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def prepare_schema(engine: Engine, *, create: bool) -> None:
    """Migrate to the newest schema (``create``) or check that the database is at it."""
    current = _migrate.current_revision(engine)
    head = _migrate.head_revision()
    if current == head:
        return
    if create:
        _migrate.upgrade(engine)
        return
    if current is None:
        raise StoreError("The registry database is empty. Initialise it with `mrdguide init`.")
    raise StoreError(
        f"The registry schema is at revision {current!r}; this mrdguide needs {head!r}. "
        "Run `mrdguide init` to upgrade it."
    )
