"""Laboratory pages: flow counts and assay uploads → preview → draft → submit for review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mrdguide.services import Workspace

from ._web import EXAMPLE, login, post_form


def _pending(html: str) -> str:
    m = re.search(r'name="pending" value="([^"]+)"', html)
    assert m, html[:2000]
    return m.group(1)


def _flow(client: TestClient, pid: str = "SYN-0001", tp: str = "day15", events: int = 30,
          cells: int = 500_000) -> str:  # fmt: skip
    r = post_form(
        client,
        "/lab/flow",
        {
            "patient_id": pid,
            "timepoint": tp,
            "tissue": "bm",
            "events": events,
            "cells": cells,
            "day": {"day8": 8, "day15": 15}.get(tp, ""),
        },
    )
    assert r.status_code == 200, r.text[:1000]
    return r.text


def test_flow_preview_shows_the_interpretation_and_stores_nothing(
    client: TestClient, workspace: Workspace
) -> None:
    before = workspace.registry(actor="t").table_counts()
    login(client, "lab")
    html = _flow(client)
    assert "positive, not quantifiable" in html
    assert "The rule that decided" in html and "fewer than 50" in html
    assert "Sensitivity" in html and "Quantitative range" in html
    after = workspace.registry(actor="t").table_counts()
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert after["audit_log"] == before["audit_log"] + 1  # the sign-in only


def test_save_as_draft_then_submit_as_the_signed_in_user(
    client: TestClient, workspace: Workspace
) -> None:
    login(client, "lab")
    key = _pending(_flow(client))
    r = post_form(client, "/lab/save", {"pending": key}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "saved day15/bm/flow version 1 as draft" in page and "Submit for review" in page
    reg = workspace.registry(actor="t")
    (v,) = [v for v in reg.mrd_history("SYN-0001") if v.key == "day15/bm/flow"]
    assert (v.actor, v.review_state.value) == ("lab", "draft")
    assert reg.audit_log(1)[0].actor == "lab"
    r = post_form(client, "/lab/submit", {"patient_id": "SYN-0001", "timepoint": "day15",
                                          "tissue": "bm", "method": "flow"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    (v,) = [v for v in reg.mrd_history("SYN-0001") if v.key == "day15/bm/flow"]
    assert v.review_state.value == "submitted" and v.events[-1].actor == "lab"


def test_a_preview_cannot_be_saved_twice_or_by_another_user(client: TestClient) -> None:
    login(client, "lab")
    key = _pending(_flow(client))
    assert post_form(client, "/lab/save", {"pending": key},
                     follow_redirects=False).status_code == 303  # fmt: skip
    assert post_form(client, "/lab/save", {"pending": key}).status_code == 410
    key2 = _pending(_flow(client, tp="day8"))
    client.cookies.clear()
    login(client, "lab2")
    assert post_form(client, "/lab/save", {"pending": key2}).status_code == 410


def test_existing_result_needs_a_reason_and_makes_a_new_version(
    client: TestClient, workspace: Workspace
) -> None:
    login(client, "lab")
    post_form(client, "/lab/save", {"pending": _pending(_flow(client))})
    html = _flow(client, events=200)
    assert "A result is already stored for this sample" in html
    key = _pending(html)
    r = post_form(client, "/lab/save", {"pending": key})
    assert r.status_code == 409
    r = post_form(client, "/lab/save", {"pending": key, "reason": "recount"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    versions = [v for v in workspace.registry(actor="t").mrd_history("SYN-0001")
                if v.key == "day15/bm/flow"]  # fmt: skip
    assert [(v.version, v.reason) for v in versions] == [(1, None), (2, "recount")]


def test_unknown_patient_is_refused_before_anything_is_kept(client: TestClient) -> None:
    login(client, "lab")
    r = post_form(client, "/lab/flow", {"patient_id": "SYN-9999", "events": 1, "cells": 10})
    assert r.status_code == 404


def test_invalid_counts_are_422(client: TestClient) -> None:
    login(client, "lab")
    r = post_form(client, "/lab/flow", {"patient_id": "SYN-0001", "events": 20, "cells": 10})
    assert r.status_code == 422
    assert "nothing was written" in r.text


def _upload(client: TestClient, kind: str, files: dict[str, tuple[str, bytes]],
            **fields: object) -> object:  # fmt: skip
    return post_form(
        client,
        "/lab/upload",
        {"patient_id": "SYN-0001", "kind": kind, "timepoint": "eoi", **fields},
        files={k: (name, data, "text/plain") for k, (name, data) in files.items()},
    )


def test_pcr_plate_upload_is_interpreted(client: TestClient) -> None:
    login(client, "lab")
    plate = (EXAMPLE / "pcr_plate.csv").read_bytes()
    r = _upload(client, "pcr", {"plate": ("our plate.csv", plate)})
    assert r.status_code == 200, r.text[:2000]  # type: ignore[attr-defined]
    html = r.text  # type: ignore[attr-defined]
    assert "RQ-PCR" in html and "marker TRG-1" in html and "decides" in html
    assert "positive, quantifiable" in html


def test_airr_upload_is_interpreted(client: TestClient) -> None:
    login(client, "lab")
    files = {
        "diagnosis": ("dx.tsv", (EXAMPLE / "ngs_diagnosis.tsv").read_bytes()),
        "follow_up": ("fu.tsv", (EXAMPLE / "ngs_followup.tsv").read_bytes()),
    }
    r = _upload(client, "ngs", files, dna_ng=2000)
    assert r.status_code == 200, r.text[:2000]  # type: ignore[attr-defined]
    assert "index clone IGH" in r.text  # type: ignore[attr-defined]


def test_bad_upload_shows_the_issue_table_and_writes_nothing(
    client: TestClient, workspace: Workspace
) -> None:
    bad = b"sample,sample_type,marker,dilution,ct,replicate\nFU,follow_up,IGH-1,,abc,1\n"
    login(client, "lab")
    before = workspace.registry(actor="t").table_counts()
    r = _upload(client, "pcr", {"plate": ("../../etc/plate.csv", bad)})
    assert r.status_code == 422  # type: ignore[attr-defined]
    html = r.text  # type: ignore[attr-defined]
    table = html.split('<table class="issues">')[1].split("</table>")[0]
    for col in ("file", "row", "field", "value", "rule"):
        assert f"<th>{col}</th>" in table
    assert "plate.csv" in table and "abc" in table and "mrdguide-upload-" not in table
    assert workspace.registry(actor="t").table_counts() == before


def test_upload_is_never_written_under_the_name_given(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hostile file name is only shown (sanitised), never used as a path."""
    work = tmp_path / "cwd" / "inner"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    login(client, "lab")
    plate = (EXAMPLE / "pcr_plate.csv").read_bytes()
    r = _upload(client, "pcr", {"plate": ("../escape.csv", plate)})
    assert r.status_code == 200  # type: ignore[attr-defined]
    assert "escape.csv" in r.text  # type: ignore[attr-defined]
    assert list((tmp_path / "cwd").rglob("*")) == [work]


def test_missing_file_is_reported(client: TestClient) -> None:
    login(client, "lab")
    r = _upload(client, "ngs", {"diagnosis": ("dx.tsv", b"x")})
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "follow_up" in r.text  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["clinician", "reviewer", "statistician", "admin"])
def test_lab_pages_are_refused_to_other_roles(client: TestClient, name: str) -> None:
    login(client, name)
    assert client.get("/lab").status_code == 403
    r = post_form(client, "/lab/flow", {"patient_id": "SYN-0001", "events": 1, "cells": 10})
    assert r.status_code == 403


def test_api_flow_stores_a_draft_as_the_token_user(
    client: TestClient, tokens: dict[str, str], workspace: Workspace
) -> None:
    h = {"Authorization": f"Bearer {tokens['lab']}"}
    body = {"events": 60, "cells": 100_000, "timepoint": "day8", "store": True}
    r = client.post("/api/v1/patients/SYN-0002/mrd/flow", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["stored"]["actor"] == "lab" and r.json()["decision"]
    again = client.post("/api/v1/patients/SYN-0002/mrd/flow", json=body | {"events": 61},
                        headers=h)  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["existing"]
