"""Sign-in and sign-out (``/login``, ``/logout``) and the start page (``/``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.services import web_auth
from mrdguide.web.deps import SESSION_KEY, Principal, State, page_user
from mrdguide.web.templating import landing, render

router = APIRouter(include_in_schema=False)

_FAILED = (
    "Sign-in failed: wrong user name or password, or the account is disabled or locked. "
    "After repeated failures an account is locked for a while."
)


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a local path (``/...``, not ``//host`` or a scheme), else ``None``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(ch) < 32 for ch in value) or len(value) > 2000:
        return None
    return value


@router.get("/")
def home(user: Annotated[Principal, Depends(page_user)]) -> Response:
    """The signed-in user's first page."""
    return RedirectResponse(landing(user.role), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form: ``username``, ``password`` and a submit button."""
    return render(request, "login.html", {"next": safe_next(next) or "", "error": None})


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    st: State,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password (rate-limited per client; accounts lock after repeated failures)."""
    target = safe_next(next)
    ctx = {"next": target or "", "username": username}
    if not st.login_limiter.hit(_client(request)):
        msg = "Too many sign-in attempts from this address; wait a minute and try again."
        return render(request, "login.html", ctx | {"error": msg}, status=429)
    reg = st.workspace.registry(actor=username.strip()[:64] or "anonymous")
    result = web_auth.authenticate(
        reg,
        username,
        password,
        lock_after=st.web.login_lock_after,
        lock_for=st.web.login_lock_for,
    )
    if not result.ok or result.user is None:
        return render(request, "login.html", ctx | {"error": _FAILED}, status=401)
    request.session.clear()
    request.session[SESSION_KEY] = result.user.username
    return RedirectResponse(target or landing(result.user.role), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon (avoids a logged 404 on every first visit)."""
    return Response(status_code=204)
