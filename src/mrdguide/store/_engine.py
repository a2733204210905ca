"""Engines: one per process (or per web app), separate from the unit of work.

:func:`make_engine` builds an engine for a registry URL. On SQLite it

* creates a new registry file with mode 0600 (its folder, when created, 0700), whatever the
  umask, because the file holds patient-level data;
* switches on foreign keys, WAL journaling (readers do not block the writer) and a busy timeout,
  so concurrent processes wait for each other instead of failing with "database is locked";
* opens write transactions with ``BEGIN IMMEDIATE`` (see :data:`WRITE`), so that a
  read-then-write cannot interleave with another writer's, and read transactions with a plain
  (deferred) ``BEGIN``.

An in-memory SQLite URL (``sqlite://``) gets one shared connection, so that every unit of work
of a test sees the same database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from mrdguide.errors import StoreError
from mrdguide.store.config import parse_url, redact_url, resolve_database_url, sqlite_path

#: Execution option naming the SQLite ``BEGIN`` mode of a connection's transactions.
BEGIN_OPTION = "mrdguide_sqlite_begin"
#: Execution options of a write unit of work (``BEGIN IMMEDIATE`` on SQLite).
WRITE = {BEGIN_OPTION: "IMMEDIATE"}
#: How long (seconds) an SQLite connection waits for another writer before giving up.
BUSY_TIMEOUT_S = 60.0
FILE_MODE = 0o600
DIR_MODE = 0o700

__all__ = ["BUSY_TIMEOUT_S", "WRITE", "create_private_file", "make_engine"]


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (and its folder with 0700)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.parent.chmod(DIR_MODE)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
    path.chmod(FILE_MODE)  # the umask may have removed bits; never added any


def make_engine(url: str | None = None, *, create: bool = False) -> Engine:
    """An engine for the registry at ``url`` (default: ``MRDGUIDE_DATABASE_URL`` or the
    user data folder).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL or a bare SQLite file path.
    create : bool, optional
        Create a missing SQLite file (mode 0600). Without it a missing file is an error.

    Raises
    ------
    StoreError
        If the SQLite file is missing and ``create`` is false, or the driver is missing.
    """
    resolved = resolve_database_url(url)
    path = sqlite_path(resolved)
    if path is not None:
        if not create and not path.exists():
            raise StoreError(
                f"No registry at {path}. Create one with `mrdguide init --db {resolved}`."
            )
        create_private_file(path)
    return _create(resolved)


def _create(url: str) -> Engine:
    parsed = parse_url(url)
    # JSON columns hold strict, compact JSON (no NaN; no padding spaces).
    kwargs: dict[str, Any] = {"json_serializer": _json_text}
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite:
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        if sqlite_path(url) is None:  # in-memory: one connection shared by every session
            kwargs["poolclass"] = StaticPool
    try:
        engine = create_engine(url, **kwargs)
    except ImportError as exc:
        raise StoreError(
            f"The database driver for {redact_url(url)} is not installed ({exc}). "
            "For PostgreSQL install the 'postgres' extra: pip install 'mrdguide[postgres]'."
        ) from exc
    if is_sqlite:
        file_backed = sqlite_path(url) is not None
        event.listen(engine, "connect", _sqlite_connect(file_backed=file_backed))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _json_text(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sqlite_connect(*, file_backed: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module, so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        if file_backed:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")
