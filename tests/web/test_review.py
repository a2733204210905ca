"""Reviewer pages: the queue, authorise, return with a reason, four eyes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mrdguide.domain import MRDMeasurement, MRDMethod, MRDStatus, ReviewAction, Timepoint, Tissue
from mrdguide.domain.mrd import MRDLevel
from mrdguide.services import Workspace

from ._web import login, post_form

KEY = ("eoc", "bm", "flow")
DECIDE = {"patient_id": "SYN-0004", "timepoint": "eoc", "tissue": "bm", "method": "flow"}


def _submitted(ws: Workspace, actor: str = "lab") -> None:
    """A flow result for SYN-0004 at EOC recorded and submitted by ``actor``."""
    reg = ws.registry(actor=actor)
    m = MRDMeasurement(
        timepoint=Timepoint.EOC,
        method=MRDMethod.FLOW,
        status=MRDStatus.POSITIVE,
        tissue=Tissue.BONE_MARROW,
        level=MRDLevel(0.002),
        sensitivity=MRDLevel(1e-4),
        quantitative_range=MRDLevel(1e-4),
    )
    reg.add_mrd("SYN-0004", m, source="test")
    reg.review_mrd("SYN-0004", KEY, ReviewAction.SUBMIT, role=None)


def _state(ws: Workspace) -> tuple[str, str]:
    v = [v for v in ws.registry(actor="t").mrd_history("SYN-0004") if v.key == "eoc/bm/flow"][-1]
    return v.review_state.value, v.events[-1].actor


def test_queue_lists_submitted_results(client: TestClient, workspace: Workspace) -> None:
    _submitted(workspace)
    login(client, "reviewer")
    html = client.get("/review").text
    assert "SYN-0004" in html and "version 1" in html and "Authorise" in html
    assert "0.2% (2 × 10⁻³)" in html


def test_authorise_as_the_signed_in_reviewer(client: TestClient, workspace: Workspace) -> None:
    _submitted(workspace)
    login(client, "reviewer")
    r = post_form(client, "/review/decide", DECIDE | {"action": "authorise"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert _state(workspace) == ("authorised", "reviewer")
    assert "Nothing is waiting" in client.get("/review").text


def test_return_needs_a_reason(client: TestClient, workspace: Workspace) -> None:
    _submitted(workspace)
    login(client, "reviewer")
    r = post_form(client, "/review/decide", DECIDE | {"action": "return"})
    assert r.status_code == 422
    assert _state(workspace) == ("submitted", "lab")
    r = post_form(client, "/review/decide", DECIDE | {"action": "return", "reason": "gating"},
                  follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and _state(workspace) == ("returned", "reviewer")


def test_nobody_authorises_their_own_result(client: TestClient, workspace: Workspace) -> None:
    _submitted(workspace, actor="reviewer")
    login(client, "reviewer")
    assert "You recorded this result" in client.get("/review").text
    r = post_form(client, "/review/decide", DECIDE | {"action": "authorise"})
    assert r.status_code == 403
    assert _state(workspace) == ("submitted", "reviewer")
    client.cookies.clear()
    login(client, "reviewer2")
    post_form(client, "/review/decide", DECIDE | {"action": "authorise"})
    assert _state(workspace) == ("authorised", "reviewer2")


def test_a_draft_cannot_be_authorised(client: TestClient, workspace: Workspace) -> None:
    reg = workspace.registry(actor="lab")
    m = MRDMeasurement(
        timepoint=Timepoint.EOC,
        method=MRDMethod.FLOW,
        status=MRDStatus.NEGATIVE,
        tissue=Tissue.BONE_MARROW,
        sensitivity=MRDLevel(1e-4),
    )
    reg.add_mrd("SYN-0004", m, source="test")
    login(client, "reviewer")
    r = post_form(client, "/review/decide", DECIDE | {"action": "authorise"})
    assert r.status_code == 409


@pytest.mark.parametrize("name", ["lab", "clinician", "statistician", "admin"])
def test_review_is_refused_to_other_roles(
    client: TestClient, workspace: Workspace, name: str
) -> None:
    _submitted(workspace)
    login(client, name)
    assert client.get("/review").status_code == 403
    assert post_form(client, "/review/decide", DECIDE | {"action": "authorise"}).status_code == 403
    assert _state(workspace) == ("submitted", "lab")


def test_api_review_queue_and_decision(
    client: TestClient, workspace: Workspace, tokens: dict[str, str]
) -> None:
    _submitted(workspace)
    h = {"Authorization": f"Bearer {tokens['reviewer']}"}
    queue = client.get("/api/v1/review/queue", headers=h).json()["items"]
    assert [(q["patient_id"], q["timepoint"]) for q in queue] == [("SYN-0004", "eoc")]
    r = client.post("/api/v1/patients/SYN-0004/mrd/eoc/bm/flow/review",
                    json={"action": "authorise"}, headers=h)  # fmt: skip
    assert r.status_code == 200 and r.json()["review_state"] == "authorised"
    lab = {"Authorization": f"Bearer {tokens['lab']}"}
    r = client.post("/api/v1/patients/SYN-0004/mrd/eoc/bm/flow/review",
                    json={"action": "authorise"}, headers=lab)  # fmt: skip
    assert r.status_code == 403
