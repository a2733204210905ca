"""Helpers of the web tests: test users' passwords, sign-in, CSRF-carrying form posts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from mrdguide.web import WebSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "src/mrdguide/examples"
COHORT = EXAMPLE / "cohort/cohort_wide.csv"
SECRET = "test-session-secret-" + "x" * 32


def password_of(name: str) -> str:
    """Test users' passwords (synthetic)."""
    return f"pw-{name}-0123456789"


def web_settings(**changes: Any) -> WebSettings:
    """Test web settings: sync relapse fit, serial trials, a fixed secret."""
    base = WebSettings(session_secret=SECRET, relapse_model_sync=True, trial_executor="serial")
    return base.with_(**changes)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page embeds (its form field value)."""
    html = client.get(path).text
    m = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert m, f"no CSRF field on {path}"
    return m.group(1)


def login(client: TestClient, name: str, password: str | None = None, next_url: str = "") -> None:
    """Sign ``name`` in through the form (asserting the redirect)."""
    r = client.post(
        "/login",
        data={"username": name, "password": password or password_of(name),
              "csrftoken": csrf_of(client), "next": next_url},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text[:500]


def post_form(client: TestClient, path: str, data: dict[str, Any], **kw: Any) -> Any:
    """POST a form with the CSRF token of the page it came from."""
    token = client.cookies.get("csrftoken") or csrf_of(client)
    return client.post(path, data={**data, "csrftoken": token}, **kw)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of an API token."""
    return {"Authorization": f"Bearer {token}"}
