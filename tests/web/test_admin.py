"""Administrator pages: users and roles, API tokens, the audit viewer and verify."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from mrdguide.services import Workspace

from ._web import login, post_form


def test_add_user_set_role_disable_enable(client: TestClient, workspace: Workspace) -> None:
    login(client, "admin")
    r = post_form(client, "/admin/users", {"username": "newlab", "role": "lab",
                                           "password": "a-long-password-1"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    users = workspace.registry(actor="t").users
    assert users.get("newlab").role.value == "lab"
    post_form(client, "/admin/users/role", {"username": "newlab", "role": "reviewer"})
    assert users.get("newlab").role.value == "reviewer"
    post_form(client, "/admin/users/state", {"username": "newlab", "active": "false"})
    assert not users.get("newlab").active
    post_form(client, "/admin/users/state", {"username": "newlab", "active": "true"})
    assert users.get("newlab").active
    actions = [(e.actor, e.action) for e in workspace.registry(actor="t").audit_log(4)]
    assert actions == [("admin", "enable_user"), ("admin", "disable_user"),
                       ("admin", "set_role"), ("admin", "add_user")]  # fmt: skip


def test_short_password_is_refused(client: TestClient) -> None:
    login(client, "admin")
    r = post_form(client, "/admin/users", {"username": "x1", "role": "lab", "password": "short"})
    assert r.status_code == 422 and "12 characters" in r.text


def test_admin_cannot_disable_themself(client: TestClient) -> None:
    login(client, "admin")
    assert post_form(client, "/admin/users/state",
                     {"username": "admin", "active": "false"}).status_code == 422  # fmt: skip


def test_token_is_shown_once_and_works(client: TestClient) -> None:
    login(client, "admin")
    html = post_form(client, "/admin/tokens", {"username": "clinician"}).text
    token = re.search(r'<code class="token">([^<]+)</code>', html)
    assert token
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert r.json()["username"] == "clinician"
    assert token.group(1) not in client.get("/admin/users").text


def test_audit_viewer_filters(client: TestClient, workspace: Workspace) -> None:
    login(client, "admin")
    all_rows = client.get("/admin/audit").text
    assert "add_user" in all_rows and "create" in all_rows
    by_patient = client.get("/admin/audit?patient=SYN-0007").text
    patients = set(re.findall(r"<td>(SYN-\d+)</td>", by_patient))
    assert patients == {"SYN-0007"}
    by_actor = client.get("/admin/audit?actor=admin").text
    assert set(re.findall(r"<td>(test-setup|admin)</td>", by_actor)) == {"admin"}
    future = client.get("/admin/audit?since=2999-01-01").text
    assert "No audit record matches" in future
    assert client.get("/admin/audit?since=yesterday").status_code == 422


def test_verify_reports_intact_then_broken(client: TestClient, registry_url: str) -> None:
    login(client, "admin")
    ok = post_form(client, "/admin/audit/verify", {})
    assert ok.status_code == 200 and "Audit trail intact" in ok.text
    engine = create_engine(registry_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    bad = post_form(client, "/admin/audit/verify", {})
    assert bad.status_code == 409 and "Audit trail broken at record 2" in bad.text


@pytest.mark.parametrize("name", ["lab", "reviewer", "clinician", "statistician"])
def test_admin_pages_are_refused_to_other_roles(client: TestClient, name: str) -> None:
    login(client, name)
    for path in ("/admin/users", "/admin/audit"):
        assert client.get(path).status_code == 403
    assert post_form(client, "/admin/users", {"username": "x", "role": "admin"}).status_code == 403


def test_api_users_and_audit(client: TestClient, tokens: dict[str, str]) -> None:
    h = {"Authorization": f"Bearer {tokens['admin']}"}
    users = client.get("/api/v1/users", headers=h).json()["items"]
    assert {u["username"] for u in users} >= {"admin", "lab", "clinician"}
    assert all("password" not in str(u) for u in users)
    items = client.get("/api/v1/audit?patient=SYN-0001", headers=h).json()["items"]
    assert items and {i["patient_id"] for i in items} == {"SYN-0001"}
    assert client.get("/api/v1/audit/verify", headers=h).json()["intact"] is True
