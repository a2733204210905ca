"""One settings object, read once from the environment and passed down.

Nothing reads the environment at import time, and nothing below the edge adapters (CLI, web)
reads it at all: they build a :class:`Settings` with :meth:`Settings.from_env` and pass it (or
the values it holds) to the services.

* ``MRDGUIDE_DATABASE_URL``: the registry URL (any SQLAlchemy URL, or a bare file path);
  default ``registry.sqlite`` in the user data folder.
* ``MRDGUIDE_DASK_SCHEDULER``: Dask scheduler address for trial simulations; default Dask's own
  ``DASK_SCHEDULER_ADDRESS``, else a local cluster.
* ``MRDGUIDE_PROTOCOL``: default protocol of reports and analyses (``aieop-bfm-all-2000``).
* ``MRDGUIDE_REPORT_DIR``: default folder of written reports (``mrdguide-report``).
* ``MRDGUIDE_ACTOR``: name recorded in the audit trail; default the logged-in user (web), then
  the operating-system user.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ENV_DATABASE_URL = "MRDGUIDE_DATABASE_URL"
ENV_DASK_SCHEDULER = "MRDGUIDE_DASK_SCHEDULER"
ENV_PROTOCOL = "MRDGUIDE_PROTOCOL"
ENV_REPORT_DIR = "MRDGUIDE_REPORT_DIR"
ENV_ACTOR = "MRDGUIDE_ACTOR"
#: Dask's own variable, honoured when ``MRDGUIDE_DASK_SCHEDULER`` is not set.
ENV_DASK_NATIVE = "DASK_SCHEDULER_ADDRESS"

DEFAULT_PROTOCOL = "aieop-bfm-all-2000"
DEFAULT_REPORT_DIR = Path("mrdguide-report")
#: File name of the default SQLite registry in the user data folder.
DEFAULT_SQLITE_NAME = "registry.sqlite"

__all__ = ["Settings", "default_database_url", "os_user"]


def default_data_dir() -> Path:
    """The per-user data folder of mrdguide (created on demand by the store)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("mrdguide", appauthor=False))


def default_database_url() -> str:
    """The SQLite URL of the default registry in the user data folder."""
    return f"sqlite:///{default_data_dir() / DEFAULT_SQLITE_NAME}"


def os_user() -> str:
    """The operating-system user name, or ``"unknown"`` when it cannot be determined."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no passwd entry / no login name in containers
        return "unknown"


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Process-wide settings. Build with :meth:`from_env`; override with :meth:`with_`.

    Attributes
    ----------
    database_url : str
        The registry URL.
    dask_scheduler : str or None
        Address of a Dask scheduler (``tcp://host:8786``); ``None`` starts a local cluster.
    default_protocol : str
        Protocol id used when a report or analysis names none.
    report_dir : pathlib.Path
        Folder that reports go to when the caller names none.
    actor : str or None
        Audit-trail name from the environment; see :meth:`resolve_actor`.
    """

    database_url: str
    dask_scheduler: str | None = None
    default_protocol: str = DEFAULT_PROTOCOL
    report_dir: Path = DEFAULT_REPORT_DIR
    actor: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (default ``os.environ``), once."""
        e = os.environ if env is None else env
        url = _blank_to_none(e.get(ENV_DATABASE_URL)) or default_database_url()
        return cls(
            database_url=url,
            dask_scheduler=_blank_to_none(e.get(ENV_DASK_SCHEDULER))
            or _blank_to_none(e.get(ENV_DASK_NATIVE)),
            default_protocol=_blank_to_none(e.get(ENV_PROTOCOL)) or DEFAULT_PROTOCOL,
            report_dir=Path(_blank_to_none(e.get(ENV_REPORT_DIR)) or DEFAULT_REPORT_DIR),
            actor=_blank_to_none(e.get(ENV_ACTOR)),
        )

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied; ``None`` values are ignored (not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def resolve_actor(self, explicit: str | None = None, *, logged_in: str | None = None) -> str:
        """The audit actor: ``explicit`` (``--actor``), then ``MRDGUIDE_ACTOR``, then the
        logged-in user (web), then the operating-system user."""
        return _blank_to_none(explicit) or self.actor or _blank_to_none(logged_in) or os_user()
