"""Clinician pages: the patient list and the patient page, its report, recording an assessment."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.domain import Role
from mrdguide.errors import NotFoundError
from mrdguide.services import assess as assess_service
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH, PatientListPage, patient_list
from mrdguide.services.patient_page import (
    PatientPage,
    patient_page,
    patient_report_file,
    protocol_trace,
)
from mrdguide.services.relapse_cache import data_state
from mrdguide.web.charts import trajectory_chart
from mrdguide.web.deps import Principal, State, page_role
from mrdguide.web.templating import render

router = APIRouter(include_in_schema=False)
Clinician = Annotated[Principal, Depends(page_role(Role.CLINICIAN))]


def cached_list(
    st: State, user: Principal, q: str | None, limit: int, offset: int
) -> PatientListPage:
    """One page of the patient list, cached per registry data state."""
    key = ("patients", data_state(user.reg), (q or "").strip(), limit, offset)
    page = st.lists.get(key)
    if not isinstance(page, PatientListPage):
        page = patient_list(user.reg, search=q, limit=limit, offset=offset)
        st.lists.put(key, page)
    return page


@router.get("/patients", response_class=HTMLResponse)
def patients(
    request: Request,
    st: State,
    user: Clinician,
    q: Annotated[str | None, Query(max_length=MAX_SEARCH_LENGTH)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The patient list, searched by patient id and paged on the server."""
    size = st.web.page_size
    listing = cached_list(st, user, q, size, (page - 1) * size)
    pages = max(1, -(-listing.total // size))
    ctx = {"listing": listing, "q": q or "", "page": page, "pages": pages}
    return render(request, "patients.html", ctx, user=user)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient(request: Request, st: State, user: Clinician, patient_id: str) -> Response:
    """The patient page (assessment computed from the authorised records)."""
    state = data_state(user.reg)
    status = st.relapse.status(state)
    fitted = None if status.model is None else status.model.fitted_at
    key = ("patient", patient_id, state, fitted, status.current)
    view = st.lists.get(key)
    if not isinstance(view, PatientPage):
        view = patient_page(
            user.reg, patient_id, rulesets=st.rulesets, relapse=status, traces={st.rulesets[0].id}
        )
        st.lists.put(key, view)
    ctx = {
        "p": view,
        "chart": trajectory_chart(view.trajectory),
        "primary": st.settings.default_protocol,
    }
    return render(request, "patient.html", ctx, user=user)


@router.get("/patients/{patient_id}/trace/{protocol}", response_class=HTMLResponse)
def trace(request: Request, st: State, user: Clinician, patient_id: str, protocol: str) -> Response:
    """One protocol's full trace in words (an htmx fragment, or a page of its own)."""
    found = [rs for rs in st.rulesets if rs.id == protocol]
    if not found:
        raise NotFoundError(f"no protocol {protocol!r}")
    pv = protocol_trace(user.reg, patient_id, found[0])
    fragment = request.headers.get("HX-Request") == "true"
    name = "_trace.html" if fragment else "trace.html"
    return render(request, name, {"pv": pv, "patient_id": patient_id}, user=user)


def _report(st: State, user: Principal, patient_id: str, *, pdf: bool) -> Response:
    status = st.relapse.status(data_state(user.reg))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rep = patient_report_file(
        user.reg,
        patient_id,
        rulesets=st.rulesets,
        relapse=status,
        generated=now,
        version=st.version,
        pdf=pdf,
    )
    if pdf and rep.pdf is not None:
        name = f"{rep.name}.pdf"
        return Response(
            rep.pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
    name = f"{rep.name}.html"
    return Response(
        rep.html,
        media_type="text/html; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/patients/{patient_id}/report.pdf")
def report_pdf(st: State, user: Clinician, patient_id: str) -> Response:
    """The patient report as PDF (HTML when WeasyPrint/Pango is not installed)."""
    return _report(st, user, patient_id, pdf=True)


@router.get("/patients/{patient_id}/report.html")
def report_html(st: State, user: Clinician, patient_id: str) -> Response:
    """The patient report as a self-contained HTML file (a download)."""
    return _report(st, user, patient_id, pdf=False)


@router.post("/patients/{patient_id}/assess")
def record_assessment(st: State, user: Clinician, patient_id: str) -> Response:
    """Store the assessment of the authorised records (audited, with the versions used)."""
    assess_service.assess_registered(user.reg, [patient_id], st.rulesets)
    return RedirectResponse(f"/patients/{patient_id}#risk", status_code=303)
