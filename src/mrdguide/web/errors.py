"""One error table for pages and the API: :func:`mrdguide.errors.outcome_of`.

Pages get an HTML page (a bad file shows the same file/row/field/value/rule table as the CLI);
``/api/*`` gets a JSON error object with the research-use notice. An anonymous visitor of a
page is sent to ``/login?next=<page>``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._json import jsonable
from mrdguide.errors import (
    ConflictError,
    IngestError,
    IngestIssue,
    InputError,
    MRDGuideError,
    outcome_of,
)
from mrdguide.services.registry import issue_dict
from mrdguide.web.deps import ApiUnauthorized, LoginRequired, RoleForbidden, page_user
from mrdguide.web.templating import render

__all__ = ["error_document", "install_error_handlers", "issues_of"]

log = logging.getLogger("mrdguide.web")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def issues_of(exc: BaseException) -> list[dict[str, Any]]:
    """The file/row/field/value/rule rows of an error (empty when it has none)."""
    if isinstance(exc, IngestError):
        return [issue_dict(i) for i in exc.issues]
    if isinstance(exc, ConflictError) and exc.issues:
        return [issue_dict(i) for i in exc.issues]
    if isinstance(exc, InputError) and exc.field is not None:
        value = exc.value if isinstance(exc.value, str | int | float | bool) else None
        return [
            issue_dict(
                IngestIssue(
                    file="-", row=None, field=exc.field, value=value, rule=exc.rule or str(exc)
                )
            )
        ]
    return []


def error_document(
    code: str,
    message: str,
    issues: list[dict[str, Any]] | None = None,
    existing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON error object of the API."""
    doc: dict[str, Any] = {
        "error": {"code": code, "message": message, "issues": issues or []},
        "disclaimer": SHORT_DISCLAIMER,
    }
    if existing is not None:
        doc["error"]["existing"] = jsonable(existing)
    return doc


def _message(exc: BaseException) -> str:
    if isinstance(exc, IngestError):
        return f"{len(exc.issues)} problem(s) found; nothing was written"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _page_user(request: Request) -> Any:
    try:
        return page_user(request, request.app.state.mrdguide)
    except LoginRequired:
        return None


def _error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    issues: list[dict[str, Any]],
    existing: Any = None,
) -> Response:
    ctx = {
        "title": title,
        "message": message,
        "issues": issues,
        "existing": existing,
        "status": status,
    }
    return render(request, "error.html", ctx, user=_page_user(request), status=status)


def _domain_error(request: Request, exc: Exception) -> Response:
    outcome = outcome_of(exc)
    if outcome.http_status >= 500:
        log.exception("request failed", exc_info=exc)
    message = (
        "Something went wrong; nothing was written."
        if outcome.http_status >= 500
        else _message(exc)
    )
    existing = exc.existing if isinstance(exc, ConflictError) else None
    issues = issues_of(exc)
    if _is_api(request):
        doc = error_document(outcome.code, message, issues, existing)
        return JSONResponse(doc, status_code=outcome.http_status)
    return _error_page(
        request, outcome.http_status, outcome.code.replace("_", " "), message, issues, existing
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on ``app``."""

    @app.exception_handler(LoginRequired)
    def _login(_request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={exc.next_url}", status_code=303)

    @app.exception_handler(ApiUnauthorized)
    def _unauthorized(_request: Request, _exc: ApiUnauthorized) -> Response:
        doc = error_document("unauthorized", "a valid bearer token is required")
        return JSONResponse(doc, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(RoleForbidden)
    def _forbidden(request: Request, exc: RoleForbidden) -> Response:
        if _is_api(request):
            return JSONResponse(error_document("forbidden_role", str(exc)), status_code=403)
        return _error_page(request, 403, "not allowed for your role", str(exc), [])

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        issues = [
            {
                "file": None,
                "row": None,
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "value": None,
                "rule": str(e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse(
                error_document("invalid_input", "request is invalid", issues), status_code=422
            )
        return _error_page(request, 422, "invalid input", "The form is incomplete.", issues)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        text = str(exc.detail)
        if _is_api(request):
            return JSONResponse(
                error_document(f"http_{exc.status_code}", text),
                status_code=exc.status_code,
                headers=exc.headers,
            )
        return _error_page(request, exc.status_code, text.lower(), text, [])

    for cls in (MRDGuideError, OSError):
        app.add_exception_handler(cls, _domain_error)
