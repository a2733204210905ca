"""Clinician pages: the patient list (server-side search and paging) and the patient page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mrdguide.domain import MRDMeasurement, MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.domain.mrd import MRDLevel
from mrdguide.services import Workspace

from ._web import login, post_form


def _ids(html: str) -> list[str]:
    return re.findall(r'<a href="/patients/([^"/]+)">', html)


def test_list_is_paged_on_the_server(client: TestClient) -> None:
    login(client, "clinician")
    p1, p2 = client.get("/patients").text, client.get("/patients?page=2").text
    assert len(_ids(p1)) == 25 and len(_ids(p2)) == 15
    assert not set(_ids(p1)) & set(_ids(p2))
    assert "40 patient(s)" in p1 and 'rel="next"' in p1 and 'rel="next"' not in p2


def test_list_search_is_done_on_the_server(client: TestClient) -> None:
    login(client, "clinician")
    html = client.get("/patients?q=SYN-003").text
    assert _ids(html) == [f"SYN-003{i}" for i in range(10)]
    assert "No patient matches" in client.get("/patients?q=zzz").text


@pytest.mark.parametrize("name", ["lab", "reviewer", "statistician", "admin"])
def test_patient_data_is_refused_to_other_roles(client: TestClient, name: str) -> None:
    login(client, name)
    for path in ("/patients", "/patients/SYN-0001", "/patients/SYN-0001/report.html"):
        r = client.get(path)
        assert r.status_code == 403, path
        assert "SYN-0001" not in r.text.split("<main")[1].replace(path, "")


def test_patient_page_sections(client: TestClient) -> None:
    login(client, "clinician")
    html = client.get("/patients/SYN-0001").text
    for heading in (
        "Summary",
        "Risk group under each protocol",
        "MRD trajectory",
        "Genotype-specific relapse estimate",
        "Version history of every MRD result",
    ):
        assert heading in html
    assert "Age at diagnosis" in html and "Immunophenotype" in html and "CNS status" in html
    assert "<svg viewBox" in html and 'class="pt-' in html
    assert html.count('class="decision"') >= 13
    assert "deciding</strong>" in html or "no rule for another group applied" in html
    assert "→ met" in html or "→ not met" in html


def test_assessment_is_computed_on_the_fly_and_says_so(client: TestClient) -> None:
    """No assessment is stored for the imported cohort: the page computes one and says so."""
    login(client, "clinician")
    html = client.get("/patients/SYN-0001").text
    assert "computed now from the authorised results (no stored assessment)" in html
    r = post_form(client, "/patients/SYN-0001/assess", {}, follow_redirects=False)
    assert r.status_code == 303
    html = client.get("/patients/SYN-0001").text
    assert "(no stored assessment)" not in html
    assert html.count("stored assessment of") >= 13


def test_recorded_assessment_is_audited_with_the_signed_in_user(
    client: TestClient, workspace: Workspace
) -> None:
    login(client, "clinician")
    post_form(client, "/patients/SYN-0002/assess", {})
    last = workspace.registry(actor="t").audit_log(1)[0]
    assert (last.action, last.actor) == ("save_assignments", "clinician")


def test_drafts_are_shown_as_drafts_and_not_used(client: TestClient, workspace: Workspace) -> None:
    reg = workspace.registry(actor="lab")
    m = MRDMeasurement(
        timepoint=Timepoint.EOC,
        method=MRDMethod.FLOW,
        status=MRDStatus.POSITIVE,
        tissue=Tissue.BONE_MARROW,
        level=MRDLevel(0.05),
        sensitivity=MRDLevel(1e-4),
        quantitative_range=MRDLevel(1e-4),
    )
    reg.add_mrd("SYN-0003", m, source="test")
    login(client, "clinician")
    html = client.get("/patients/SYN-0003").text
    pending = html.split("Not yet authorised")[1].split("</table>")[0]
    assert "draft" in pending and "5%" in pending
    used = html.split("Authorised MRD results")[1].split("</table>")[0]
    assert "5% (5 × 10⁻²)" not in used


def test_relapse_section_says_why_when_there_is_no_estimate(client: TestClient) -> None:
    login(client, "clinician")
    html = client.get("/patients/SYN-0001").text
    section = html.split('id="relapse"')[1].split("</section>")[0]
    assert "not estimable" in section or "%" in section
    assert "not estimable" not in section or (
        "cannot support" in section or "lacks what the model needs" in section
    )


def test_patient_report_downloads(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML and PDF downloads (WeasyPrint itself is exercised by the report tests; here its
    output is stood in for, to keep this test fast)."""
    seen: list[str] = []

    def fake_pdf(html: str) -> bytes:
        seen.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr("mrdguide.services.patient_page.render_pdf", fake_pdf)
    login(client, "clinician")
    r = client.get("/patients/SYN-0001/report.html")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="patient-SYN-0001.html"'
    assert "SYN-0001" in r.text and "research" in r.text.lower()
    pdf = client.get("/patients/SYN-0001/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content == b"%PDF-1.7 stand-in"
    assert pdf.headers["content-type"] == "application/pdf"
    assert "SYN-0001" in seen[0] and "<details open" in seen[0]


def test_unknown_patient_is_404(client: TestClient) -> None:
    login(client, "clinician")
    r = client.get("/patients/SYN-9999")
    assert r.status_code == 404 and "SYN-9999" in r.text


def test_other_protocols_traces_load_on_demand(client: TestClient) -> None:
    """The page words the primary protocol's trace; the others arrive when opened (htmx)."""
    login(client, "clinician")
    page = client.get("/patients/SYN-0001").text
    assert 'hx-get="/patients/SYN-0001/trace/ukall2003"' in page
    frag = client.get("/patients/SYN-0001/trace/ukall2003", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text
    assert 'class="trace"' in frag.text and ("→ met" in frag.text or "→ not met" in frag.text)
    full = client.get("/patients/SYN-0001/trace/ukall2003").text
    assert "<html" in full and "UKALL2003 for patient SYN-0001" in full
    assert client.get("/patients/SYN-0001/trace/nope").status_code == 404
