"""Sign-in for the web app: passwords, account lockout, sessions and API tokens.

Passwords are checked with argon2id (:func:`mrdguide.services.users.verify_password`). Every
attempt on a registered account is recorded in the audited store
(:meth:`~mrdguide.store.UserStore.record_login`); ``lock_after`` failures in a row lock the
account for ``lock_for``. An unknown name costs the same hash check as a known one, so the
answer time does not tell which names exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Literal

from mrdguide.errors import NotFoundError
from mrdguide.services.users import hash_password, verify_password
from mrdguide.store import Registry, UserInfo

__all__ = [
    "MAX_TOKEN_LENGTH",
    "MAX_USERNAME_LENGTH",
    "LoginResult",
    "Registry",
    "UserInfo",
    "authenticate",
    "enable_user",
    "session_user",
    "set_password",
    "token_user",
]

#: Longest user name or token looked up (longer ones are refused before the database).
MAX_USERNAME_LENGTH = 64
MAX_TOKEN_LENGTH = 200

Outcome = Literal["ok", "bad_credentials", "locked", "disabled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginResult:
    """The outcome of one sign-in attempt (``user`` only when ``outcome == "ok"``)."""

    outcome: Outcome
    user: UserInfo | None = None

    @property
    def ok(self) -> bool:
        """Whether the user is signed in."""
        return self.outcome == "ok"


@cache
def _decoy_hash() -> str:
    return hash_password("decoy-password-never-valid")


def _decoy_check(password: str) -> None:
    verify_password(password, _decoy_hash())


def _locked(user: UserInfo, now: dt.datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def authenticate(
    reg: Registry,
    username: str,
    password: str,
    *,
    lock_after: int,
    lock_for: dt.timedelta,
) -> LoginResult:
    """Check ``username``/``password`` and record the attempt (the registry's clock decides
    whether a lock has run out).

    A locked account is refused without checking the password, and the attempt does not
    extend the lock. Unknown and disabled accounts are refused after a decoy hash check.
    """
    name = username.strip()
    if not name or len(name) > MAX_USERNAME_LENGTH:
        _decoy_check(password)
        return LoginResult(outcome="bad_credentials")
    try:
        user = reg.users.get(name)
    except NotFoundError:
        _decoy_check(password)
        return LoginResult(outcome="bad_credentials")
    if not user.active:
        _decoy_check(password)
        return LoginResult(outcome="disabled")
    if _locked(user, reg.clock()):
        return LoginResult(outcome="locked")
    ok = verify_password(password, reg.users.password_hash(name))
    after = reg.users.record_login(name, ok=ok, lock_after=lock_after, lock_for=lock_for)
    if ok:
        return LoginResult(outcome="ok", user=after)
    return LoginResult(outcome="locked" if _locked(after, reg.clock()) else "bad_credentials")


def session_user(reg: Registry, username: str) -> UserInfo | None:
    """The active user a session names (``None`` when unknown, disabled or locked out)."""
    if not username or len(username) > MAX_USERNAME_LENGTH:
        return None
    try:
        user = reg.users.get(username)
    except NotFoundError:
        return None
    return user if user.active else None


def token_user(reg: Registry, token: str) -> UserInfo | None:
    """The active user owning an API token (``None`` for an unknown or over-long token)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return reg.users.user_for_token(token)


def enable_user(reg: Registry, username: str) -> UserInfo:
    """Re-enable a user and clear any lockout."""
    return reg.users.enable(username)


def set_password(reg: Registry, username: str, password: str) -> UserInfo:
    """Set a user's password (argon2id hash; the hash is never audited)."""
    return reg.users.set_password_hash(username, hash_password(password))
