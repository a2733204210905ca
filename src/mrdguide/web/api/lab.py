"""Laboratory results (lab, reviewer): interpret and store flow counts; review actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from mrdguide.domain import MRDMethod, ReviewAction, Role, Timepoint, Tissue
from mrdguide.errors import PermissionDeniedError
from mrdguide.services import mrd as mrd_service
from mrdguide.services import review as review_service
from mrdguide.services.mrd import Sample
from mrdguide.services.mrd_words import decision_lines
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import FlowEntry, ReviewDecision, responses, roles
from mrdguide.web.deps import Principal, api_role

router = APIRouter(tags=["laboratory"])
Lab = Annotated[Principal, Depends(api_role(Role.LAB))]
LabOrReviewer = Annotated[Principal, Depends(api_role(Role.LAB, Role.REVIEWER))]
PatientId = Annotated[str, Path(min_length=1, max_length=MAX_SEARCH_LENGTH)]


@router.post(
    "/patients/{patient_id}/mrd/flow",
    responses=responses(400, 404, 409, 422),
    openapi_extra=roles(Role.LAB),
)
def flow(user: Lab, patient_id: PatientId, entry: FlowEntry) -> JSONResponse:
    """Interpret flow counts; with ``store`` save the result as a draft (as the token's user).

    An existing result for the same time point, tissue and method is not replaced: the answer
    is 409 with the stored result, unless ``amend_reason`` is given (a new version).
    """
    sample = Sample(timepoint=entry.timepoint, tissue=entry.tissue, day=entry.day)
    outcome = mrd_service.flow_from_counts(
        events=entry.events,
        cells=entry.cells,
        lod_events=entry.lod_events,
        lloq_events=entry.lloq_events,
        sample=sample,
    )
    if entry.store:
        review_service.history(user.reg, patient_id)  # 404 before anything is interpreted
        outcome = mrd_service.store_result(
            user.reg, patient_id, outcome, amend_reason=entry.amend_reason
        )
    doc = outcome.to_dict()
    return ok(doc | {"decision": decision_lines(doc)}, status=201 if entry.store else 200)


@router.post(
    "/patients/{patient_id}/mrd/{timepoint}/{tissue}/{method}/review",
    responses=responses(400, 404, 409, 422),
    openapi_extra=roles(Role.LAB, Role.REVIEWER),
)
def review(
    user: LabOrReviewer,
    patient_id: PatientId,
    timepoint: Timepoint,
    tissue: Tissue,
    method: MRDMethod,
    decision: ReviewDecision,
) -> JSONResponse:
    """Submit (lab), or authorise / return with a reason (reviewer), the newest version.

    Nobody authorises or returns a result they recorded (403).
    """
    action = ReviewAction(decision.action)
    needed = Role.LAB if action is ReviewAction.SUBMIT else Role.REVIEWER
    if user.role is not needed:
        raise PermissionDeniedError(f"{action.value} needs the role {needed.value}")
    v = review_service.review(
        user.reg,
        patient_id,
        timepoint=timepoint,
        tissue=tissue,
        method=method,
        action=action,
        reason=decision.reason,
    )
    return ok(v.to_dict())
