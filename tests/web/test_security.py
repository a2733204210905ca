"""Security headers on every answer, the request-body limit and the vendored htmx."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.services import Workspace
from mrdguide.web import create_app

from ._web import bearer, login, post_form, web_settings

#: htmx 2.0.11 (``npm pack htmx.org@2``, dist/htmx.min.js), licence 0BSD (htmx-LICENSE.txt).
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def _check_headers(headers: object) -> None:
    h = headers  # httpx Headers (case-insensitive)
    csp = h["content-security-policy"]  # type: ignore[index]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["referrer-policy"] == "no-referrer"  # type: ignore[index]
    assert h["x-frame-options"] == "DENY"  # type: ignore[index]
    assert h["x-research-use"] == SHORT_DISCLAIMER  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/api/v1/health",
        "/static/app.css",
        "/openapi.json",
        "/no-such-page",
        "/api/v1/patients",
    ],
)
def test_security_headers_on_every_answer(client: TestClient, path: str) -> None:
    """Pages, API, static files, errors and 401s all carry the headers."""
    _check_headers(client.get(path, follow_redirects=False).headers)


def test_headers_on_csrf_refusal_and_signed_in_pages(
    client: TestClient, tokens: dict[str, str]
) -> None:
    _check_headers(client.post("/login", data={"username": "x"}).headers)
    login(client, "clinician")
    r = client.get("/patients/SYN-0001")
    _check_headers(r.headers)
    assert r.headers["cache-control"] == "no-store"
    _check_headers(client.get("/api/v1/patients", headers=bearer(tokens["clinician"])).headers)


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    """The CSP forbids inline script; the pages do not need any (nor inline styles)."""
    login(client, "clinician")
    for path in ("/login", "/patients", "/patients/SYN-0001"):
        html = client.get(path).text
        assert "<script>" not in html and "<script " not in html.replace(
            '<script src="/static/htmx.min.js" defer></script>', ""
        )
        assert " style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


def test_every_page_carries_the_research_use_notice(client: TestClient) -> None:
    login(client, "clinician")
    for path in ("/login", "/patients", "/patients/SYN-0001", "/no-such-page"):
        assert "Research use only" in client.get(path).text


def test_body_larger_than_the_limit_is_refused_before_parsing(workspace: Workspace) -> None:
    app = create_app(workspace.settings, workspace=workspace,
                     web=web_settings(max_body_bytes=1024), warm=False)  # fmt: skip
    with TestClient(app, base_url="https://testserver") as c:
        login(c, "lab")
        r = post_form(c, "/lab/upload", {"patient_id": "SYN-0001", "kind": "pcr"},
                      files={"plate": ("plate.csv", b"x" * 5000, "text/csv")})  # fmt: skip
        assert r.status_code == 413


def test_streamed_body_over_the_limit_is_refused(workspace: Workspace) -> None:
    app = create_app(workspace.settings, workspace=workspace,
                     web=web_settings(max_body_bytes=1024), warm=False)  # fmt: skip
    with TestClient(app, base_url="https://testserver") as c:

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"y" * 500

        r = c.post(
            "/api/v1/patients/SYN-0001/mrd/flow",
            content=chunks(),
            headers={"authorization": "Bearer x", "content-type": "application/json"},
        )
        assert r.status_code == 413


def test_vendored_htmx_is_the_pinned_2x_build_with_its_licence(client: TestClient) -> None:
    static = resources.files("mrdguide.web").joinpath("static")
    data = static.joinpath("htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert "Zero-Clause BSD" in static.joinpath("htmx-LICENSE.txt").read_text()
    assert client.get("/static/htmx.min.js").content == data


def test_no_page_loads_anything_from_another_host(client: TestClient) -> None:
    login(client, "clinician")
    for path in ("/login", "/patients", "/patients/SYN-0001"):
        html = client.get(path).text
        assert "http://" not in html and "https://" not in html
