"""Users, roles and API tokens (``mrdguide user``, ``mrdguide token``, the web app's admin).

Passwords are hashed with argon2id (``pwdlib[argon2]``, the ``web`` extra); the registry keeps
only the hash. Tokens are returned once and stored as their SHA-256.
"""

from __future__ import annotations

from mrdguide.domain import Role
from mrdguide.errors import InputError, MRDGuideError
from mrdguide.store import Registry, UserInfo

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 12

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "UserInfo",
    "add_user",
    "create_token",
    "disable_user",
    "hash_password",
    "list_users",
    "set_role",
    "verify_password",
]


def _hasher() -> object:
    try:
        from pwdlib import PasswordHash
    except ImportError as exc:  # pragma: no cover - the web extra is part of `all`
        msg = "password hashing needs the 'web' extra: pip install 'mrdguide[web]'"
        raise MRDGuideError(msg) from exc
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``.

    Raises
    ------
    InputError
        If the password is shorter than :data:`MIN_PASSWORD_LENGTH` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            field="password", value=None, rule=f"length >= {MIN_PASSWORD_LENGTH}",
        )  # fmt: skip
    return str(_hasher().hash(password))  # type: ignore[attr-defined]


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches the stored hash (``False`` when there is none)."""
    if not password_hash:
        return False
    return bool(_hasher().verify(password, password_hash))  # type: ignore[attr-defined]


def add_user(reg: Registry, username: str, role: str, *, password: str | None = None) -> UserInfo:
    """Register a user with one role (and a password for the web app)."""
    hashed = None if password is None else hash_password(password)
    return reg.users.add(username, role, password_hash=hashed)


def list_users(reg: Registry) -> list[UserInfo]:
    """Every user, by name."""
    return reg.users.list()


def disable_user(reg: Registry, username: str) -> UserInfo:
    """Disable a user (kept for the record; tokens stop working)."""
    return reg.users.disable(username)


def set_role(reg: Registry, username: str, role: str) -> UserInfo:
    """Change a user's role."""
    return reg.users.set_role(username, role)


def create_token(reg: Registry, username: str) -> str:
    """A new API token for ``username`` (shown once; stored hashed)."""
    return reg.users.create_token(username, name=username)


def roles() -> tuple[str, ...]:
    """The role names."""
    return tuple(r.value for r in Role)
