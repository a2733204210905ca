"""The engine's lifetime, apart from the unit of work.

A :class:`Workspace` holds the settings and one database engine for the life of a process (one
CLI command, or the web app). It checks the schema revision once, when it opens, and hands out a
:class:`~mrdguide.store.Registry` (a unit of work) per command or per request::

    with open_workspace(settings) as ws:
        reg = ws.registry(actor="lab-1")
        patients = cohort.list_patients(reg)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from mrdguide.settings import Settings
from mrdguide.store import Registry, check_schema, make_engine, upgrade_schema
from mrdguide.store.audit import Clock

__all__ = ["Workspace", "open_workspace"]


@dataclass(slots=True)
class Workspace:
    """Settings plus one engine; create registries (units of work) with :meth:`registry`."""

    settings: Settings
    engine: Engine
    clock: Clock | None = None

    def registry(self, actor: str | None = None, *, logged_in: str | None = None) -> Registry:
        """A new unit of work; the actor follows :meth:`Settings.resolve_actor`."""
        who = self.settings.resolve_actor(actor, logged_in=logged_in)
        return Registry(self.engine, actor=who, clock=self.clock)

    @property
    def url(self) -> str:
        """The registry URL with any password hidden."""
        return Registry(self.engine, actor="-").url

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


@contextmanager
def open_workspace(
    settings: Settings,
    *,
    url: str | None = None,
    create: bool = False,
    clock: Clock | None = None,
) -> Iterator[Workspace]:
    """Open the registry at ``url`` (default ``settings.database_url``) for one process.

    Parameters
    ----------
    settings : Settings
        Read once by the caller.
    url : str, optional
        Overrides ``settings.database_url`` (the CLI's ``--db``).
    create : bool, optional
        Create a missing registry and migrate it to the newest schema (``mrdguide init`` and
        ``import``). Otherwise the schema must already be current.
    clock : callable, optional
        Timestamp source of every unit of work (tests).

    Raises
    ------
    StoreError
        If the registry is missing, unreachable or at another schema revision.
    """
    engine = make_engine(url or settings.database_url, create=create)
    try:
        if create:
            upgrade_schema(engine)
        else:
            check_schema(engine)
        yield Workspace(settings=settings.with_(database_url=url), engine=engine, clock=clock)
    finally:
        engine.dispose()
