"""Jinja2 templates shipped in the package, with the context every page needs.

Every page extends ``base.html``, which carries the research-use notice, the navigation of the
user's role and the CSRF token (hidden field in forms; ``hx-headers`` for htmx).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mrdguide._disclaimer import DISCLAIMER, SHORT_DISCLAIMER
from mrdguide.domain import Role
from mrdguide.domain.display import format_mrd, format_mrd_result, format_percent
from mrdguide.domain.labels import label
from mrdguide.web.core.middleware import CSRF_FIELD, csrf_token
from mrdguide.web.deps import Principal, app_state

__all__ = ["NAV", "landing", "render", "templates"]

#: Navigation of each role: (path, title); the first entry is the role's landing page.
NAV: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.LAB: (("/lab", "Enter results"),),
    Role.REVIEWER: (("/review", "Review queue"),),
    Role.CLINICIAN: (("/patients", "Patients"),),
    Role.STATISTICIAN: (("/cohort", "Cohort"),),
    Role.ADMIN: (("/admin/users", "Users and tokens"), ("/admin/audit", "Audit trail")),
}


def landing(role: Role) -> str:
    """The first page of a role."""
    return NAV[role][0][0]


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, str) and "T" in value:
        try:
            return _when(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return "–" if value is None else str(value)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mrdguide.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        label=lambda code, kind, protocol=None: label(kind, code, protocol=protocol),
        mrd=format_mrd,
        mrd_result=format_mrd_result,
        pct=format_percent,
        when=_when,
    )
    return env


templates = Jinja2Templates(env=_env())


def render(
    request: Request,
    name: str,
    ctx: dict[str, Any] | None = None,
    *,
    user: Principal | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render ``name`` with the page context (user, navigation, CSRF token, notice)."""
    st = app_state(request)
    base: dict[str, Any] = {
        "user": user,
        "nav": () if user is None else NAV[user.role],
        "csrf": csrf_token(request, st.web.session_secret),
        "csrf_field": CSRF_FIELD,
        "disclaimer": DISCLAIMER,
        "short_disclaimer": SHORT_DISCLAIMER,
        "version": st.version,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, base | (ctx or {}), status_code=status)
