"""``/api/v1``: health without auth, 401 without a valid token, 403 for a wrong role, pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.domain import Role

from ._web import bearer


def _operations(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, concrete path, roles) of every /api/v1 operation but health."""
    out = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            if path == "/api/v1/health":
                continue
            concrete = re.sub(r"\{timepoint\}", "eoi", path)
            concrete = re.sub(r"\{tissue\}", "bm", concrete)
            concrete = re.sub(r"\{method\}", "flow", concrete)
            concrete = re.sub(r"\{[a-z_]+\}", "SYN-0001", concrete)
            out.append((method.upper(), concrete, op["x-mrdguide-roles"]))
    return out


def _body(method: str, path: str) -> dict[str, Any] | None:
    if method != "POST":
        return None
    if path.endswith("/review"):
        return {"action": "submit"}
    if path.endswith("/flow"):
        return {"events": 10, "cells": 100000}
    return {"replicates": 1, "patients": 100}


def test_health_answers_without_authentication(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["disclaimer"] == SHORT_DISCLAIMER


def test_openapi_schema_is_served(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/patients" in doc["paths"]
    assert len(_operations(client.app)) >= 12  # type: ignore[arg-type]


@pytest.mark.parametrize("auth", [None, "Bearer mrdg_not-a-token", "Basic Zm9vOmJhcg==",
                                  "Bearer "])  # fmt: skip
def test_every_other_route_answers_401_without_a_valid_token(
    client: TestClient, app: FastAPI, auth: str | None
) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    for method, path, _ in _operations(app):
        r = client.request(method, path, headers=headers, json=_body(method, path))
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["disclaimer"] == SHORT_DISCLAIMER


def test_cookies_never_authenticate_the_api(client: TestClient, app: FastAPI) -> None:
    from ._web import login

    login(client, "clinician")
    r = client.get("/api/v1/patients")
    assert r.status_code == 401


def test_every_route_answers_403_to_each_wrong_role(
    client: TestClient, app: FastAPI, tokens: dict[str, str]
) -> None:
    checked = 0
    for method, path, roles in _operations(app):
        for role in Role:
            if role.value in roles:
                continue
            r = client.request(method, path, headers=bearer(tokens[role.value]),
                               json=_body(method, path))  # fmt: skip
            assert r.status_code == 403, (role, method, path, r.text)
            assert "SYN-0001" not in r.text.replace(path, "")
            checked += 1
    assert checked > 30


def test_patients_are_paginated(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["clinician"])
    first = client.get("/api/v1/patients?limit=15", headers=h).json()
    assert first["total"] == 40 and len(first["items"]) == 15 and first["offset"] == 0
    third = client.get("/api/v1/patients?limit=15&offset=30", headers=h).json()
    assert len(third["items"]) == 10
    ids = [p["patient_id"] for p in first["items"]] + [p["patient_id"] for p in third["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 25
    found = client.get("/api/v1/patients?search=SYN-001", headers=h).json()
    assert found["total"] == 10
    assert all("SYN-001" in p["patient_id"] for p in found["items"])
    assert found["disclaimer"] == SHORT_DISCLAIMER


def test_page_size_and_offset_are_validated(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["clinician"])
    for q in ("limit=0", "limit=201", "offset=-1", "limit=abc"):
        r = client.get(f"/api/v1/patients?{q}", headers=h)
        assert r.status_code == 422, q
        assert r.json()["error"]["code"] == "invalid_input"


def test_patient_document_and_unknown_patient(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["clinician"])
    doc = client.get("/api/v1/patients/SYN-0001", headers=h).json()
    assert doc["patient_id"] == "SYN-0001"
    assert {a["protocol"] for a in doc["assessments"]} >= {"aieop-bfm-all-2000", "ukall2003"}
    assert all(a["decision"] for a in doc["assessments"])
    missing = client.get("/api/v1/patients/SYN-9999", headers=h)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_disabled_users_token_stops_working(
    client: TestClient, tokens: dict[str, str], workspace: Any
) -> None:
    h = bearer(tokens["clinician"])
    assert client.get("/api/v1/me", headers=h).json() == {
        "username": "clinician",
        "role": "clinician",
        "disclaimer": SHORT_DISCLAIMER,
    }
    workspace.registry(actor="admin").users.disable("clinician")
    assert client.get("/api/v1/me", headers=h).status_code == 401
