"""Registry users and API tokens (tokens are stored as their SHA-256 only).

Passwords are hashed by the caller (the web layer uses argon2 through pwdlib); the store keeps
whatever hash string it is given and never returns it in a :class:`UserInfo`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mrdguide.domain import Role
from mrdguide.errors import ConflictError, InputError, NotFoundError
from mrdguide.store._types import UserInfo
from mrdguide.store.tables import ApiTokenRow, UserRow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

__all__ = ["USERNAME", "find_token_user", "get_user_row", "info", "parse_role", "token_sha256"]


def parse_role(role: str) -> Role:
    """A role from its name.

    Raises
    ------
    InputError
        For an unknown role, naming the allowed ones.
    """
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InputError(
            f"unknown role {role!r}; roles are {allowed}", field="role", value=role,
            rule=f"one of {allowed}",
        ) from None  # fmt: skip


def check_username(username: str) -> str:
    """``username`` if it is 1–64 letters, digits or ``._@-``.

    Raises
    ------
    InputError
        Otherwise.
    """
    if not USERNAME.match(username):
        raise InputError(
            f"invalid user name {username!r}", field="username", value=username,
            rule="1-64 characters: letters, digits, '.', '_', '@', '-'; starting alphanumeric",
        )  # fmt: skip
    return username


def info(row: UserRow) -> UserInfo:
    """The public view of a user row."""
    return UserInfo(
        username=row.username, role=Role(row.role), active=row.active,
        created_at=row.created_at, locked_until=row.locked_until,
    )  # fmt: skip


def get_user_row(s: Session, username: str) -> UserRow:
    """The user row of ``username``.

    Raises
    ------
    NotFoundError
        If there is no such user.
    """
    row = s.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
    if row is None:
        raise NotFoundError(f"No user {username!r} in the registry.")
    return row


def new_user_row(
    s: Session, username: str, role: Role, password_hash: str | None, now: dt.datetime
) -> UserRow:
    """Add a user row.

    Raises
    ------
    ConflictError
        If the user name is taken.
    """
    check_username(username)
    if s.scalars(select(UserRow.id).where(UserRow.username == username)).first() is not None:
        raise ConflictError(f"user {username!r} already exists")
    row = UserRow(
        username=username, role=role.value, active=True, password_hash=password_hash,
        failed_logins=0, locked_until=None, created_at=now,
    )  # fmt: skip
    s.add(row)
    s.flush()
    return row


def token_sha256(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_token_user(s: Session, token: str) -> UserRow | None:
    """The active user owning an unrevoked ``token`` (``None`` otherwise)."""
    stmt = (
        select(UserRow)
        .join(ApiTokenRow, ApiTokenRow.user_pk == UserRow.id)
        .where(ApiTokenRow.token_sha256 == token_sha256(token), ApiTokenRow.revoked_at.is_(None))
    )
    row = s.scalars(stmt).one_or_none()
    return row if row is not None and row.active else None
