"""Administrator pages: users and roles, API tokens, the audit-trail viewer and its check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.domain import Role
from mrdguide.errors import InputError
from mrdguide.services import audit as audit_service
from mrdguide.services import users as user_service
from mrdguide.services import web_auth
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH
from mrdguide.web.deps import Principal, page_role
from mrdguide.web.templating import render

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(page_role(Role.ADMIN))]
Name = Annotated[str, Form(min_length=1, max_length=web_auth.MAX_USERNAME_LENGTH)]


def _users_page(
    request: Request,
    user: Principal,
    *,
    notice: str | None = None,
    token: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "users": user_service.list_users(user.reg),
        "roles": list(Role),
        "notice": notice,
        "token": token,
    }
    return render(request, "admin_users.html", ctx, user=user, status=status)


def _back(note: str) -> Response:
    return RedirectResponse("/admin/users?" + urlencode({"done": note}), status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users(
    request: Request, user: Admin, done: Annotated[str | None, Query(max_length=300)] = None
) -> Response:
    """Users, their roles and states, and the forms to change them."""
    return _users_page(request, user, notice=done)


@router.post("/admin/users")
def add_user(
    user: Admin,
    username: Name,
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Register a user with one role (and a web password, at least 12 characters)."""
    user_service.add_user(user.reg, username.strip(), role.value, password=password or None)
    return _back(f"user {username.strip()} added as {role.value}")


@router.post("/admin/users/role")
def set_role(user: Admin, username: Name, role: Annotated[Role, Form()]) -> Response:
    """Change a user's role."""
    user_service.set_role(user.reg, username, role.value)
    return _back(f"{username} is now {role.value}")


@router.post("/admin/users/state")
def set_state(user: Admin, username: Name, active: Annotated[bool, Form()]) -> Response:
    """Disable a user (kept for the record; tokens stop working) or re-enable (and unlock)."""
    if not active and username == user.username:
        raise InputError(
            "you cannot disable your own account",
            field="username",
            value=username,
            rule="another administrator disables you",
        )
    if active:
        web_auth.enable_user(user.reg, username)
    else:
        user_service.disable_user(user.reg, username)
    return _back(f"{username} {'enabled' if active else 'disabled'}")


@router.post("/admin/users/password")
def set_password(
    user: Admin, username: Name, password: Annotated[str, Form(max_length=1024)]
) -> Response:
    """Set a user's web password."""
    web_auth.set_password(user.reg, username, password)
    return _back(f"password of {username} changed")


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(request: Request, user: Admin, username: Name) -> Response:
    """Create an API token for a user; it is shown once (the registry keeps its hash)."""
    token = user_service.create_token(user.reg, username)
    return _users_page(
        request, user, token=(username, token), notice=f"new API token for {username}"
    )


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"date {text!r} is not YYYY-MM-DD", field="since", value=text, rule="date YYYY-MM-DD"
        ) from None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    user: Admin,
    patient: Annotated[str | None, Query(max_length=MAX_SEARCH_LENGTH)] = None,
    actor: Annotated[str | None, Query(max_length=web_auth.MAX_USERNAME_LENGTH)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> Response:
    """The audit trail (newest ``limit`` matching records), filtered by patient, actor, date."""
    entries = audit_service.show(
        user.reg, patient_id=patient or None, since=_day(since), actor=actor or None, limit=limit
    )
    ctx = {
        "entries": list(reversed(entries)),
        "patient": patient or "",
        "actor": actor or "",
        "since": since or "",
        "limit": limit,
        "verification": None,
    }
    return render(request, "admin_audit.html", ctx, user=user)


@router.post("/admin/audit/verify", response_class=HTMLResponse)
def verify(request: Request, user: Admin) -> Response:
    """Recompute the audit chain (``mrdguide audit verify``)."""
    res = audit_service.verify(user.reg)
    entries = audit_service.show(user.reg, limit=50)
    ctx = {
        "entries": list(reversed(entries)),
        "patient": "",
        "actor": "",
        "since": "",
        "limit": 50,
        "verification": res,
    }
    return render(request, "admin_audit.html", ctx, user=user, status=200 if res.intact else 409)
