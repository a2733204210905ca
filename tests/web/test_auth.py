"""Sign-in, sessions, lockout, rate limit and CSRF (``/login``, ``/logout``, every page)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient

from mrdguide.services import Workspace
from mrdguide.web import create_app

from ._web import csrf_of, login, password_of, post_form, web_settings

PAGES = ("/", "/patients", "/patients/SYN-0001", "/lab", "/review", "/cohort", "/admin/users",
         "/admin/audit", "/patients/SYN-0001/report.pdf")  # fmt: skip


def test_login_form_has_the_contract_inputs(client: TestClient) -> None:
    """/login: inputs named username and password and a submit button."""
    html = client.get("/login").text
    assert re.search(r'<input[^>]*name="username"', html)
    assert re.search(r'<input[^>]*name="password"[^>]*type="password"|type="password"[^>]*'
                     r'name="password"', html)  # fmt: skip
    assert re.search(r'<button[^>]*type="submit"', html)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitor_is_sent_to_login_with_next(client: TestClient, page: str) -> None:
    """Every page redirects an anonymous visitor to /login?next=<page>."""
    r = client.get(page, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={page}"


def test_next_keeps_the_query(client: TestClient) -> None:
    r = client.get("/patients?q=SYN-00&page=2", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/patients?q=SYN-00&page=2"


def test_login_then_back_to_the_page_asked_for(client: TestClient) -> None:
    login(client, "clinician", next_url="/patients/SYN-0002")
    r = client.get("/patients/SYN-0002")
    assert r.status_code == 200
    assert "SYN-0002" in r.text


def test_login_refuses_an_offsite_next(client: TestClient) -> None:
    """An open redirect is not possible: //evil and absolute URLs fall back to the landing."""
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil"):
        client.cookies.clear()
        r = client.post("/login", data={"username": "clinician", "password":
                                        password_of("clinician"), "next": target,
                                        "csrftoken": csrf_of(client)},
                        follow_redirects=False)  # fmt: skip
        assert r.headers["location"] == "/patients"


def test_wrong_password_is_refused_with_one_message(client: TestClient) -> None:
    bad = post_form(client, "/login", {"username": "clinician", "password": "nope-nope-nope"})
    unknown = post_form(client, "/login", {"username": "nobody", "password": "nope-nope-nope"})
    assert bad.status_code == unknown.status_code == 401
    assert "Sign-in failed" in bad.text and "Sign-in failed" in unknown.text
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_account_locks_after_repeated_failures(client: TestClient, workspace: Workspace) -> None:
    """Five failures in a row lock the account: the right password is then refused too."""
    for _ in range(5):
        r = post_form(client, "/login", {"username": "lab", "password": "wrong-password-1"})
        assert r.status_code == 401
    user = workspace.registry(actor="t").users.get("lab")
    assert user.locked_until is not None and user.locked_until > dt.datetime.now(dt.UTC)
    r = post_form(client, "/login", {"username": "lab", "password": password_of("lab")},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 401
    actions = [e.action for e in workspace.registry(actor="t").audit_log(10, actor="lab")]
    assert actions.count("login_failed") == 5 and "login" not in actions


def test_login_is_rate_limited_per_client(workspace: Workspace) -> None:
    app = create_app(workspace.settings, workspace=workspace, web=web_settings(login_rate=3),
                     warm=False)  # fmt: skip
    with TestClient(app, base_url="https://testserver") as c:
        codes = [post_form(c, "/login", {"username": f"u{i}", "password": "x" * 12}).status_code
                 for i in range(5)]  # fmt: skip
    assert codes == [401, 401, 401, 429, 429]


def _session_payload(client: TestClient) -> dict[str, object]:
    raw = client.cookies["mrdguide_session"].split(".")[0]
    return dict(json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4))))


def test_session_cookie_is_secure_httponly_strict_and_holds_only_the_user(
    client: TestClient,
) -> None:
    r = client.post("/login", data={"username": "clinician", "password":
                                    password_of("clinician"), "csrftoken": csrf_of(client)},
                    follow_redirects=False)  # fmt: skip
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("mrdguide_session"))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=strict"} <= flags
    assert _session_payload(client) == {"uid": "clinician"}


def test_session_expires_after_idle_time(workspace: Workspace) -> None:
    """The signed cookie carries its own time; past max_age it is no longer accepted."""
    import time

    app = create_app(workspace.settings, workspace=workspace, web=web_settings(session_seconds=1),
                     warm=False)  # fmt: skip
    with TestClient(app, base_url="https://testserver") as c:
        login(c, "clinician")
        assert c.get("/patients", follow_redirects=False).status_code == 200
        time.sleep(2.1)
        r = c.get("/patients", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/patients"


def test_disabled_user_loses_the_session_at_once(client: TestClient, workspace: Workspace) -> None:
    login(client, "clinician")
    workspace.registry(actor="admin").users.disable("clinician")
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_form_post_without_csrf_token_is_refused(client: TestClient) -> None:
    login(client, "clinician")
    r = client.post("/patients/SYN-0001/assess", follow_redirects=False)
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_csrf_header_as_htmx_sends_it_is_accepted(client: TestClient) -> None:
    login(client, "clinician")
    token = client.cookies["csrftoken"]
    r = client.post("/patients/SYN-0001/assess", headers={"x-csrftoken": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_csrf_token_of_another_secret_is_refused(client: TestClient) -> None:
    login(client, "clinician")
    forged = "Im5vdC1hLXJlYWwtdG9rZW4i.AAAAAAAAAAAAAAAAAAAAAAAAAAA"
    r = client.post("/patients/SYN-0001/assess", data={"csrftoken": forged},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 403


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "clinician")
    r = post_form(client, "/logout", {}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_home_sends_each_role_to_its_page(client: TestClient) -> None:
    for name, page in (("lab", "/lab"), ("reviewer", "/review"), ("statistician", "/cohort"),
                       ("admin", "/admin/users"), ("clinician", "/patients")):  # fmt: skip
        client.cookies.clear()
        login(client, name)
        assert client.get("/", follow_redirects=False).headers["location"] == page
