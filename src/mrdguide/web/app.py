"""The application factory: ``create_app(settings)`` (``mrdguide serve`` runs it with uvicorn).

Layers, outermost first: security headers → request-body limit → API bearer gate → session
(signed cookie holding only the user id) → CSRF (every form POST; ``/api/*`` is exempt, it
takes bearer tokens only) → routes. Route handlers call services only.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mrdguide._disclaimer import DISCLAIMER
from mrdguide._version import __version__
from mrdguide.protocols import RuleSet
from mrdguide.services import Workspace, open_workspace
from mrdguide.services.assess import ALL, load_rulesets
from mrdguide.services.jobs import JobManager
from mrdguide.services.relapse_cache import RelapseModelCache
from mrdguide.services.web_auth import Registry
from mrdguide.settings import Settings
from mrdguide.web import api
from mrdguide.web.core.config import WebSettings
from mrdguide.web.core.middleware import (
    CSRF_COOKIE,
    BodyLimitMiddleware,
    FormCSRFMiddleware,
    SecurityHeadersMiddleware,
)
from mrdguide.web.core.ratelimit import SlidingWindowLimiter
from mrdguide.web.errors import error_document, install_error_handlers
from mrdguide.web.routes import admin, auth, cohort, lab, patients, review
from mrdguide.web.state import AppState

__all__ = ["SESSION_COOKIE", "create_app"]

SESSION_COOKIE = "mrdguide_session"
_OPEN_API = ("/api/v1/health",)


class ApiGateMiddleware:
    """``/api/v1`` without an ``Authorization: Bearer`` header answers 401 before anything
    else (body parsing included); the token itself is checked by the route's dependency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and path.startswith("/api/") and path not in _OPEN_API:
            auth = dict(scope.get("headers", [])).get(b"authorization", b"")
            if auth[:7].lower() != b"bearer " or not auth[7:].strip():
                from fastapi.responses import JSONResponse

                doc = error_document("unauthorized", "a valid bearer token is required")
                resp = JSONResponse(doc, status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _rulesets(settings: Settings) -> tuple[RuleSet, ...]:
    """Every shipped protocol, the default protocol first."""
    loaded = load_rulesets([ALL])
    primary = [rs for rs in loaded if rs.id == settings.default_protocol]
    return tuple(primary + [rs for rs in loaded if rs.id != settings.default_protocol])


def _state(settings: Settings, web: WebSettings, ws: Workspace) -> AppState:
    def registry() -> Registry:
        return ws.registry(actor="mrdguide-web")

    return AppState(
        settings=settings,
        web=web,
        workspace=ws,
        version=__version__,
        rulesets=_rulesets(settings),
        relapse=RelapseModelCache(
            registry,
            version=__version__,
            background=not web.relapse_model_sync,
        ),
        jobs=JobManager(workers=1),
        login_limiter=SlidingWindowLimiter(web.login_rate, web.login_window),
    )


def _middleware(app: FastAPI, web: WebSettings) -> None:
    app.add_middleware(
        FormCSRFMiddleware,
        secret=web.session_secret,
        exempt_urls=[re.compile(r"^/api/")],
        cookie_name=CSRF_COOKIE,
        cookie_secure=web.cookie_secure,
        cookie_httponly=True,
        cookie_samesite="strict",
        header_name="x-csrftoken",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=web.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=web.session_seconds,
        same_site="strict",
        https_only=web.cookie_secure,
    )
    app.add_middleware(ApiGateMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=web.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, hsts=web.cookie_secure)


def create_app(
    settings: Settings,
    *,
    workspace: Workspace | None = None,
    web: WebSettings | None = None,
    warm: bool = True,
) -> FastAPI:
    """Build the web application on the registry of ``settings`` (or an open ``workspace``).

    Parameters
    ----------
    settings : Settings
        Read once by the caller (``Settings.from_env()``).
    workspace : Workspace, optional
        An open workspace (its schema already checked); the caller closes it. Without one,
        the app opens ``settings.database_url`` itself (the schema must be current) and closes
        it at shutdown.
    web : WebSettings, optional
        Cookie flags, limits and the session key (default :meth:`WebSettings.from_env`).
    warm : bool, optional
        Start fitting the relapse model when the app starts (default).

    Raises
    ------
    StoreError
        If the registry is missing or its schema is not current (run ``mrdguide init``).
    """
    web = web or WebSettings.from_env()
    stack = ExitStack()
    ws = workspace or stack.enter_context(open_workspace(settings))
    state = _state(settings, web, ws)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = web.threads
        if warm:
            state.relapse.warm()
        try:
            yield
        finally:
            state.jobs.shutdown()
            stack.close()

    app = FastAPI(
        title="mrdguide",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description=f"MRD-guided risk stratification in childhood ALL. "
        f"{DISCLAIMER} Every /api/v1 route except /api/v1/health needs a bearer token "
        "(`mrdguide token create NAME`).",
    )
    app.state.mrdguide = state
    install_error_handlers(app)
    for module in (auth, patients, lab, review, cohort, admin):
        app.include_router(module.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(packages=[("mrdguide.web", "static")]), name="static")
    _middleware(app, web)
    return app
