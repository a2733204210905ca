"""Schema revisions: migrate at ``mrdguide init`` time, check once at process start.

A running process never migrates inside a request: the CLI's ``init`` (and a first ``import``
into a new file) calls :func:`upgrade_schema`; every other command and the web app call
:func:`check_schema` once, when they open the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from mrdguide.errors import StoreError
from mrdguide.store import _migrate
from mrdguide.store.config import redact_url

__all__ = ["SchemaStatus", "check_schema", "head_revision", "schema_status", "upgrade_schema"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaStatus:
    """The revision a database is at and the one this mrdguide needs."""

    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        """Whether the database is at the newest schema."""
        return self.current == self.head


def head_revision() -> str:
    """The newest schema revision shipped with this mrdguide."""
    return _migrate.head_revision()


def _where(engine: Engine) -> str:
    return redact_url(engine.url.render_as_string(hide_password=False))


def schema_status(engine: Engine) -> SchemaStatus:
    """Read the database's revision.

    Raises
    ------
    StoreError
        If the database cannot be reached.
    """
    try:
        current = _migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"Cannot open registry {_where(engine)}: {exc}") from exc
    return SchemaStatus(current=current, head=head_revision())


def check_schema(engine: Engine) -> SchemaStatus:
    """Check that the database is at the newest schema.

    Raises
    ------
    StoreError
        If it is empty or at another revision; the message says to run ``mrdguide init``.
    """
    status = schema_status(engine)
    if status.is_current:
        return status
    if status.current is None:
        raise StoreError(
            f"The registry {_where(engine)} is empty. Initialise it with `mrdguide init`."
        )
    raise StoreError(
        f"The registry schema is at revision {status.current!r}; this mrdguide needs "
        f"{status.head!r}. Run `mrdguide init` to upgrade it."
    )


def upgrade_schema(engine: Engine) -> SchemaStatus:
    """Migrate the database to the newest schema (one transaction; concurrent callers wait).

    Raises
    ------
    StoreError
        If a migration fails (nothing is changed).
    """
    status = schema_status(engine)
    if status.is_current:
        return status
    try:
        _migrate.upgrade(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"Cannot migrate registry {_where(engine)}: {exc}") from exc
    return schema_status(engine)
