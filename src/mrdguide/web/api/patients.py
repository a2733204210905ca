"""Patients (clinician): the paginated list, one patient's page data, MRD versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from mrdguide.domain import Role
from mrdguide.services import review as review_service
from mrdguide.services.patient_list import MAX_PAGE_SIZE, MAX_SEARCH_LENGTH
from mrdguide.services.patient_page import patient_page
from mrdguide.services.relapse_cache import data_state
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import responses, roles
from mrdguide.web.deps import Principal, State, api_role
from mrdguide.web.routes.patients import cached_list

router = APIRouter(tags=["patients"])
Clinician = Annotated[Principal, Depends(api_role(Role.CLINICIAN))]
Reader = Annotated[Principal, Depends(api_role(Role.CLINICIAN, Role.LAB, Role.REVIEWER))]
PatientId = Annotated[str, Path(min_length=1, max_length=MAX_SEARCH_LENGTH)]


@router.get("/patients", responses=responses(), openapi_extra=roles(Role.CLINICIAN))
def list_patients(
    st: State,
    user: Clinician,
    search: Annotated[str | None, Query(max_length=MAX_SEARCH_LENGTH)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 25,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JSONResponse:
    """Patients whose id contains ``search``, one page (``limit``, ``offset``) at a time."""
    return ok(cached_list(st, user, search, limit, offset).to_dict())


@router.get("/patients/{patient_id}", responses=responses(404), openapi_extra=roles(Role.CLINICIAN))
def get_patient(st: State, user: Clinician, patient_id: PatientId) -> JSONResponse:
    """The patient page as data: summary, assessments with traces, relapse estimate, history."""
    status = st.relapse.status(data_state(user.reg))
    page = patient_page(user.reg, patient_id, rulesets=st.rulesets, relapse=status)
    return ok(page.to_dict())


@router.get(
    "/patients/{patient_id}/mrd",
    responses=responses(404),
    openapi_extra=roles(Role.CLINICIAN, Role.LAB, Role.REVIEWER),
)
def mrd_versions(user: Reader, patient_id: PatientId) -> JSONResponse:
    """Every version of the patient's MRD results, oldest first, with review events."""
    versions = review_service.history(user.reg, patient_id)
    return ok({"patient_id": patient_id, "versions": [v.to_dict() for v in versions]})
