"""ASGI middleware: security headers, a request-body limit and CSRF for HTML forms.

* :class:`SecurityHeadersMiddleware` sets a CSP without inline script, ``frame-ancestors
  'none'``, ``X-Content-Type-Options``, ``Referrer-Policy`` and the research-use notice on every
  response, error responses from other middleware included.
* :class:`BodyLimitMiddleware` answers 413 to a body larger than the limit, whether announced by
  ``Content-Length`` or streamed, before any form parser spools it.
* :class:`FormCSRFMiddleware` is starlette-csrf's double-submit check, extended so that a plain
  HTML form may send the token as the ``csrftoken`` field (htmx sends the ``x-csrftoken``
  header). The token a page embeds is the one the response sets as the cookie.
"""

from __future__ import annotations

import http.cookies
import re
import secrets
from collections.abc import Iterable
from urllib.parse import parse_qs

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_csrf.middleware import CSRFMiddleware

from mrdguide._disclaimer import SHORT_DISCLAIMER

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "BodyLimitMiddleware",
    "FormCSRFMiddleware",
    "SecurityHeadersMiddleware",
    "csrf_token",
    "new_csrf_token",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSRF_COOKIE = "csrftoken"
CSRF_FIELD = "csrftoken"
_SCOPE_TOKEN = "mrdguide.csrf_token"  # noqa: S105 - a scope key
_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ("x-research-use", SHORT_DISCLAIMER),
)


class SecurityHeadersMiddleware:
    """Add the security headers (and ``Cache-Control: no-store`` outside ``/static``)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS:
                    headers[name] = value
                if not static:
                    headers["cache-control"] = "no-store"
                if self.hsts:
                    headers["strict-transport-security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413 (nothing is parsed).

    A body announced by ``Content-Length`` is checked against it (the server enforces the
    framing); a body without one (chunked) is read up to the limit first, then replayed.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        msg = f"Request body larger than {self.max_bytes // 1024} KB; nothing was read."
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await _plain(send, 413, msg)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method", "GET") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await _plain(send, 413, msg)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _multipart_field(body: bytes, content_type: str, name: str) -> str | None:
    """The value of a small text field of a multipart body (without parsing the files)."""
    m = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if not m:
        return None
    boundary = b"--" + m.group(1).encode("latin-1")
    header = f'name="{name}"'.encode()
    for part in body.split(boundary):
        head, sep, value = part.partition(b"\r\n\r\n")
        if sep and header in head and b"filename=" not in head:
            value = value[:-2] if value.endswith(b"\r\n") else value
            return value.decode("utf-8", "replace")[:1024]
    return None


class FormCSRFMiddleware(CSRFMiddleware):
    """starlette-csrf, also accepting the token from a form field (``csrftoken``).

    The body of a form request is read once (the body limit applies before this) and replayed
    to the application unchanged.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method", "GET") not in self.safe_methods:
            ctype = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
            if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                body = await _read_body(receive)
                scope["mrdguide.form_token"] = _form_token(body, ctype)
                receive = _replay(body, receive)
        await super().__call__(scope, receive, send)

    async def _get_submitted_csrf_token(self, request: Request) -> str | None:
        header = request.headers.get(self.header_name)
        token = request.scope.get("mrdguide.form_token")
        return header or (token if isinstance(token, str) else None)

    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        """Set the cookie a page's embedded token belongs to (when the request had none, or
        the page replaced an invalid one)."""
        fresh = scope.get(_SCOPE_TOKEN)
        if message["type"] == "http.response.start" and (
            isinstance(fresh, str) or CSRF_COOKIE not in _cookies(scope)
        ):
            token = fresh if isinstance(fresh, str) else new_csrf_token(self.secret)
            scope[_SCOPE_TOKEN] = token
            cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            cookie[self.cookie_name] = token
            cookie[self.cookie_name]["path"] = self.cookie_path
            cookie[self.cookie_name]["secure"] = self.cookie_secure
            cookie[self.cookie_name]["httponly"] = self.cookie_httponly
            cookie[self.cookie_name]["samesite"] = self.cookie_samesite
            MutableHeaders(scope=message).append("set-cookie", cookie.output(header="").strip())
        await send(message)


def _form_token(body: bytes, content_type: str) -> str | None:
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get(CSRF_FIELD)
        return values[0] if values else None
    return _multipart_field(body, content_type, CSRF_FIELD)


def _cookies(scope: Scope) -> Iterable[str]:
    raw = dict(scope.get("headers", [])).get(b"cookie", b"").decode("latin-1")
    jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    try:
        jar.load(raw)
    except http.cookies.CookieError:
        return ()
    return jar.keys()


def new_csrf_token(secret: str) -> str:
    """A new signed token, in the form starlette-csrf checks."""
    return str(URLSafeSerializer(secret, "csrftoken").dumps(secrets.token_urlsafe(32)))


def _valid(token: str, secret: str) -> bool:
    try:
        URLSafeSerializer(secret, "csrftoken").loads(token)
    except BadSignature:
        return False
    return True


def csrf_token(request: Request, secret: str) -> str:
    """The token a page embeds: the request's (valid) cookie, or the one its response sets."""
    token = request.scope.get(_SCOPE_TOKEN)
    if isinstance(token, str):
        return token
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and _valid(existing, secret):
        return existing
    token = new_csrf_token(secret)
    request.scope[_SCOPE_TOKEN] = token
    return token
