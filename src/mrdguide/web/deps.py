"""Request dependencies: the app state, the signed-in user (pages) or token user (API), roles.

Every route names the roles it serves; the check runs on the server for every request, with the
user and role read from the registry each time (a disabled user or a changed role takes effect
at once). A unit of work (:class:`~mrdguide.store.Registry`) is made per request with the
signed-in user as the actor of every write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mrdguide.domain import Role
from mrdguide.services import web_auth
from mrdguide.services.web_auth import Registry
from mrdguide.web.state import AppState

__all__ = [
    "ApiUnauthorized",
    "LoginRequired",
    "Principal",
    "RoleForbidden",
    "api_role",
    "api_user",
    "app_state",
    "bearer",
    "next_target",
    "page_role",
    "page_user",
]

SESSION_KEY = "uid"
bearer = HTTPBearer(auto_error=False, description="API token from `mrdguide token create`.")


class LoginRequired(Exception):
    """An anonymous (or expired) visitor asked for a page: redirect to ``/login?next=...``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class ApiUnauthorized(Exception):
    """No valid bearer token (401)."""


class RoleForbidden(Exception):
    """The user's role may not use this route (403)."""

    def __init__(self, role: Role, allowed: tuple[Role, ...]) -> None:
        names = ", ".join(r.value for r in allowed)
        super().__init__(f"this needs the role {names}; you are signed in as {role.value}")
        self.role = role
        self.allowed = allowed


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """The user of one request and the unit of work that acts as them."""

    username: str
    role: Role
    reg: Registry


def app_state(request: Request) -> AppState:
    """The running app's :class:`AppState`."""
    state: AppState = request.app.state.mrdguide
    return state


State = Annotated[AppState, Depends(app_state)]


def next_target(request: Request) -> str:
    """The page asked for, as a safe local ``next`` value."""
    path = request.url.path
    query = request.url.query
    return quote(path + (f"?{query}" if query else ""), safe="/?=&-_.~%")


def page_user(request: Request, st: State) -> Principal:
    """The signed-in user, or :class:`LoginRequired`."""
    uid = request.session.get(SESSION_KEY)
    if not isinstance(uid, str):
        raise LoginRequired(next_target(request))
    reg = st.workspace.registry(actor=uid)
    user = web_auth.session_user(reg, uid)
    if user is None:
        request.session.clear()
        raise LoginRequired(next_target(request))
    return Principal(username=user.username, role=user.role, reg=reg)


def page_role(*roles: Role) -> Callable[..., Principal]:
    """A dependency: the signed-in user, who must have one of ``roles``."""

    def dependency(user: Annotated[Principal, Depends(page_user)]) -> Principal:
        if user.role not in roles:
            raise RoleForbidden(user.role, roles)
        return user

    return dependency


def api_user(
    st: State, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The owner of the request's bearer token, or :class:`ApiUnauthorized` (never cookies)."""
    if creds is None or creds.scheme.lower() != "bearer":
        raise ApiUnauthorized
    user = web_auth.token_user(st.workspace.registry(actor="api-token-check"), creds.credentials)
    if user is None:
        raise ApiUnauthorized
    reg = st.workspace.registry(actor=user.username)
    return Principal(username=user.username, role=user.role, reg=reg)


def api_role(*roles: Role) -> Callable[..., Principal]:
    """A dependency: the token's user, who must have one of ``roles``."""

    def dependency(user: Annotated[Principal, Depends(api_user)]) -> Principal:
        if user.role not in roles:
            raise RoleForbidden(user.role, roles)
        return user

    return dependency
