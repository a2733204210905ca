"""User, role and API-token management on a :class:`~mrdguide.store.Registry` (audited)."""

from __future__ import annotations

import datetime as dt
import secrets
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.domain import Role
from mrdguide.errors import NotFoundError
from mrdguide.store._types import UserInfo
from mrdguide.store._users import (
    find_token_user,
    get_user_row,
    info,
    new_user_row,
    parse_role,
    token_sha256,
)
from mrdguide.store._writes import Writer
from mrdguide.store.tables import ApiTokenRow, UserRow

__all__ = ["UnitOfWork", "UserStore"]


class UnitOfWork(Protocol):
    """What :class:`UserStore` needs of a registry: transactions and their writer."""

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Session]:
        """A transaction (joined when one is open)."""
        ...  # pragma: no cover

    def writer(self) -> Writer:
        """The writer of the open write transaction."""
        ...  # pragma: no cover


class UserStore:
    """Users of one registry; every change is audited with the registry's actor."""

    def __init__(self, registry: UnitOfWork) -> None:
        self._reg = registry

    def add(self, username: str, role: str | Role, *, password_hash: str | None = None) -> UserInfo:
        """Add an active user.

        Raises
        ------
        InputError
            For an invalid name or unknown role.
        ConflictError
            If the name is taken.
        """
        r = parse_role(str(role))
        with self._reg.transaction() as s:
            w = self._reg.writer()
            row = new_user_row(s, username, r, password_hash, w.now)
            w.audit(action="add_user", entity="user", patient_id=None, source=None, before=None,
                    after={"username": username, "role": r.value})  # fmt: skip
            return info(row)

    def list(self) -> list[UserInfo]:
        """Every user, by name."""
        with self._reg.transaction(write=False) as s:
            return [info(u) for u in s.scalars(select(UserRow).order_by(UserRow.username))]

    def get(self, username: str) -> UserInfo:
        """One user (raises :class:`NotFoundError`)."""
        with self._reg.transaction(write=False) as s:
            return info(get_user_row(s, username))

    def password_hash(self, username: str) -> str | None:
        """The stored password hash (for the login check only)."""
        with self._reg.transaction(write=False) as s:
            return get_user_row(s, username).password_hash

    def _change(self, username: str, action: str, **values: object) -> UserInfo:
        with self._reg.transaction() as s:
            row = get_user_row(s, username)
            before = {k: _plain(getattr(row, k)) for k in values}
            for k, v in values.items():
                setattr(row, k, v)
            self._reg.writer().audit(
                action=action, entity="user", patient_id=None, source=username, before=before,
                after={k: _plain(v) for k, v in values.items()},
            )  # fmt: skip
            return info(row)

    def set_role(self, username: str, role: str | Role) -> UserInfo:
        """Change a user's role."""
        return self._change(username, "set_role", role=parse_role(str(role)).value)

    def disable(self, username: str) -> UserInfo:
        """Disable a user (their tokens stop working; nothing is deleted)."""
        return self._change(username, "disable_user", active=False)

    def enable(self, username: str) -> UserInfo:
        """Re-enable a user."""
        return self._change(
            username, "enable_user", active=True, failed_logins=0, locked_until=None
        )

    def set_password_hash(self, username: str, password_hash: str) -> UserInfo:
        """Replace a user's password hash (the hash is not written to the audit trail)."""
        return self._change(username, "set_password", password_hash=password_hash)

    def record_login(
        self, username: str, *, ok: bool, lock_after: int, lock_for: dt.timedelta
    ) -> UserInfo:
        """Count a failed login (locking the account after ``lock_after`` in a row) or reset."""
        with self._reg.transaction() as s:
            row = get_user_row(s, username)
            w = self._reg.writer()
            if ok:
                row.failed_logins, row.locked_until = 0, None
            else:
                row.failed_logins += 1
                if row.failed_logins >= lock_after:
                    row.locked_until = w.now + lock_for
            w.audit(action="login" if ok else "login_failed", entity="user", patient_id=None,
                    source=username, before=None,
                    after={"failed_logins": row.failed_logins,
                           "locked_until": _plain(row.locked_until)})  # fmt: skip
            return info(row)

    def create_token(self, username: str, name: str | None = None) -> str:
        """A new API token for an active user; only its SHA-256 is stored."""
        token = "mrdg_" + secrets.token_urlsafe(32)
        with self._reg.transaction() as s:
            row = get_user_row(s, username)
            if not row.active:
                raise NotFoundError(f"user {username!r} is disabled")
            w = self._reg.writer()
            s.add(ApiTokenRow(user_pk=row.id, name=(name or "token")[:64],
                              token_sha256=token_sha256(token), created_at=w.now))  # fmt: skip
            w.audit(action="create_token", entity="user", patient_id=None, source=username,
                    before=None, after={"name": name or "token"})  # fmt: skip
        return token

    def user_for_token(self, token: str) -> UserInfo | None:
        """The active user owning an unrevoked token (``None`` otherwise)."""
        with self._reg.transaction(write=False) as s:
            row = find_token_user(s, token)
            return None if row is None else info(row)


def _plain(v: object) -> object:
    return v.isoformat() if isinstance(v, dt.datetime) else v
