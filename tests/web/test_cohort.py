"""Statistician pages: background jobs with progress, results and CSV/Parquet downloads."""

from __future__ import annotations

import io
import re
import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from ._web import login, post_form


def _job(client: TestClient, path: str, data: dict[str, object]) -> str:
    r = post_form(client, path, data, follow_redirects=False)
    assert r.status_code == 303, r.text[:1000]
    m = re.fullmatch(r"/cohort/jobs/([\w-]+)", r.headers["location"])
    assert m
    return m.group(1)


def _wait(client: TestClient, job_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frag = client.get(f"/cohort/jobs/{job_id}/status")
        if frag.headers.get("HX-Refresh") == "true":
            return client.get(f"/cohort/jobs/{job_id}").text
        assert 'hx-trigger="every 1s"' in frag.text and "<progress" in frag.text
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_trial_runs_in_the_background_with_progress(client: TestClient) -> None:
    login(client, "statistician")
    t0 = time.monotonic()
    job = _job(client, "/cohort/trial", {"design": "asan", "replicates": 2, "patients": 200})
    assert time.monotonic() - t0 < 5  # the request does not run the trial
    page = client.get(f"/cohort/jobs/{job}").text
    assert "<progress" in page
    html = _wait(client, job)
    assert "Power" in html and "naive" in html
    csv = client.get(f"/cohort/jobs/{job}/download?format=csv")
    table = pd.read_csv(io.StringIO(csv.text))
    assert set(table["name"]) >= {"naive"} and (table["replicates"] == 2).all()
    pq = client.get(f"/cohort/jobs/{job}/download?format=parquet")
    assert pd.read_parquet(io.BytesIO(pq.content)).shape == table.shape


def test_outcome_table_job(client: TestClient) -> None:
    login(client, "statistician")
    job = _job(client, "/cohort/outcomes", {"endpoint": "efs", "protocol": "aieop-bfm-all-2000",
                                            "horizon_years": 5})  # fmt: skip
    html = _wait(client, job)
    assert "log-rank" in html and "<td>" in html
    table = pd.read_csv(io.StringIO(client.get(f"/cohort/jobs/{job}/download").text))
    assert table["n"].sum() <= 40 and set(table["endpoint"]) == {"efs"}


def test_export_job_downloads_every_case(client: TestClient) -> None:
    login(client, "statistician")
    job = _job(client, "/cohort/export", {"fmt": "csv"})
    _wait(client, job)
    table = pd.read_csv(io.StringIO(client.get(f"/cohort/jobs/{job}/download?format=csv").text))
    assert len(table) == 40 and "patient_id" in table.columns


def test_jobs_are_private_to_their_owner(client: TestClient) -> None:
    login(client, "statistician")
    job = _job(client, "/cohort/trial", {"design": "asan", "replicates": 1, "patients": 100})
    client.cookies.clear()
    login(client, "admin")
    assert client.get(f"/cohort/jobs/{job}").status_code == 403
    assert client.get("/cohort/jobs/nope").status_code == 403


def test_unknown_job_is_404(client: TestClient) -> None:
    login(client, "statistician")
    assert client.get("/cohort/jobs/nope").status_code == 404


@pytest.mark.parametrize("name", ["lab", "reviewer", "clinician", "admin"])
def test_cohort_pages_are_refused_to_other_roles(client: TestClient, name: str) -> None:
    login(client, name)
    assert client.get("/cohort").status_code == 403
    r = post_form(client, "/cohort/trial", {"design": "asan", "replicates": 1})
    assert r.status_code == 403


def test_api_trial_job(client: TestClient, tokens: dict[str, str]) -> None:
    h = {"Authorization": f"Bearer {tokens['statistician']}"}
    r = client.post("/api/v1/jobs/trial", json={"replicates": 1, "patients": 150}, headers=h)
    assert r.status_code == 202
    job = r.json()["id"]
    deadline = time.monotonic() + 60
    while (doc := client.get(f"/api/v1/jobs/{job}", headers=h).json())["state"] not in (
        "done",
        "failed",
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert doc["state"] == "done" and doc["percent"] == 100
    assert {a["name"] for a in doc["result"]["analyses"]} >= {"naive"}
