"""Settings of the web application, read once from the environment (next to :class:`Settings`).

* ``MRDGUIDE_SESSION_SECRET``: key that signs the session and CSRF cookies. Without it a random
  key is made at start-up, so sessions end when the server restarts.
* ``MRDGUIDE_WEB_COOKIE_SECURE``: ``0`` sends cookies over plain HTTP to a host that is not
  loopback (only for a closed test network; browsers already accept ``Secure`` cookies from
  ``localhost``/``127.0.0.1``). Default ``1``.
* ``MRDGUIDE_WEB_SESSION_MINUTES``: idle minutes before a session expires (default 30).
* ``MRDGUIDE_WEB_UPLOAD_MB``: largest request body, uploads included (default 8 MB).
* ``MRDGUIDE_WEB_TRIAL_WORKERS``: worker processes of a background in-silico trial (default 1,
  so that a trial never takes every core from the web server).
* ``MRDGUIDE_WEB_THREADS``: requests computed at once (default 6).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["WebSettings"]

ENV_SECRET = "MRDGUIDE_SESSION_SECRET"  # noqa: S105 - the variable name, not a secret
ENV_COOKIE_SECURE = "MRDGUIDE_WEB_COOKIE_SECURE"
ENV_SESSION_MINUTES = "MRDGUIDE_WEB_SESSION_MINUTES"
ENV_UPLOAD_MB = "MRDGUIDE_WEB_UPLOAD_MB"
ENV_TRIAL_WORKERS = "MRDGUIDE_WEB_TRIAL_WORKERS"
ENV_THREADS = "MRDGUIDE_WEB_THREADS"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    """Limits, cookie flags and keys of one web application.

    Attributes
    ----------
    session_secret : str
        Signs the session and CSRF cookies (itsdangerous).
    cookie_secure : bool
        ``Secure`` flag of every cookie.
    session_seconds : int
        Idle time after which a session expires; each request renews it.
    max_body_bytes : int
        Largest request body accepted (uploads included); larger ones get 413.
    login_lock_after : int
        Failed logins in a row that lock an account.
    login_lock_for : datetime.timedelta
        How long a locked account stays locked.
    login_rate : int
        Login attempts per client address per ``login_window`` seconds before 429.
    login_window : float
        Window of the login rate limit, in seconds.
    page_size : int
        Rows per page of the patient list.
    trial_workers : int
        Worker processes of a background in-silico trial.
    trial_executor : str
        Executor of trials: ``processes`` (default), ``serial`` or ``dask``.
    max_trial_replicates : int
        Largest trial a web user may start.
    relapse_model_sync : bool
        Fit the relapse model in the request that needs it (tests) instead of in the background.
    threads : int
        Requests computed at once (the worker-thread limit of the plain ``def`` handlers). On a
        small machine a few threads answer in arrival order instead of sharing one interpreter
        lock twenty ways, which shortens the slowest answers.
    """

    session_secret: str
    cookie_secure: bool = True
    session_seconds: int = 30 * 60
    max_body_bytes: int = 8 * 1024 * 1024
    login_lock_after: int = 5
    login_lock_for: dt.timedelta = dt.timedelta(minutes=15)
    login_rate: int = 20
    login_window: float = 60.0
    page_size: int = 25
    trial_workers: int = 1
    trial_executor: str = "processes"
    max_trial_replicates: int = 500
    relapse_model_sync: bool = False
    threads: int = 6

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Read the web settings from ``env`` (default ``os.environ``), once."""
        e = os.environ if env is None else env
        secret = (e.get(ENV_SECRET) or "").strip() or secrets.token_urlsafe(48)
        return cls(
            session_secret=secret,
            cookie_secure=(e.get(ENV_COOKIE_SECURE) or "1").strip() not in {"0", "false", "no"},
            session_seconds=60 * _int(e, ENV_SESSION_MINUTES, 30),
            max_body_bytes=1024 * 1024 * _int(e, ENV_UPLOAD_MB, 8),
            trial_workers=_int(e, ENV_TRIAL_WORKERS, 1),
            threads=_int(e, ENV_THREADS, 6),
        )

    def with_(self, **changes: Any) -> WebSettings:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)
