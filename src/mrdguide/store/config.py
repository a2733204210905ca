"""Where the registry lives: database URL resolution (adapter layer).

Order of precedence: an explicit URL (``--db``) > the ``MRDGUIDE_DATABASE_URL`` environment
variable (through :class:`mrdguide.settings.Settings`) > an SQLite file ``registry.sqlite`` in
the platform's user data directory. Nothing is resolved at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from mrdguide.errors import StoreError
from mrdguide.settings import DEFAULT_SQLITE_NAME as _DEFAULT_SQLITE_NAME
from mrdguide.settings import ENV_DATABASE_URL, Settings, default_database_url

#: Environment variable holding the default database URL (read by :mod:`mrdguide.settings`).
ENV_VAR = ENV_DATABASE_URL
DEFAULT_SQLITE_NAME = _DEFAULT_SQLITE_NAME

__all__ = [
    "DEFAULT_SQLITE_NAME",
    "ENV_VAR",
    "default_database_url",
    "parse_url",
    "redact_url",
    "resolve_database_url",
    "sqlite_path",
]


def resolve_database_url(url: str | None = None, *, env: Mapping[str, str] | None = None) -> str:
    """Resolve the database URL: ``url`` > ``MRDGUIDE_DATABASE_URL`` > default SQLite file.

    Parameters
    ----------
    url : str, optional
        An explicit SQLAlchemy URL (e.g. ``sqlite:///reg.sqlite`` or
        ``postgresql+psycopg://user:pw@host/db``). A bare file path is accepted and treated as
        an SQLite file.
    env : mapping, optional
        Environment to read (default ``os.environ``); injectable for tests.

    Returns
    -------
    str
        A SQLAlchemy URL.

    Raises
    ------
    StoreError
        If the URL cannot be parsed.
    """
    chosen = url or Settings.from_env(env).database_url
    if "://" not in chosen:
        chosen = f"sqlite:///{Path(chosen).expanduser()}"
    parse_url(chosen)
    return chosen


def parse_url(url: str) -> URL:
    """Parse ``url`` or raise :class:`StoreError` naming the rule."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"Invalid database URL {redact_url(url)!r}: {exc}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file path of an SQLite URL, or ``None`` for other backends and in-memory DBs."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (safe to print)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable URL>"
