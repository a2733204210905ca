"""The review queue (reviewer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mrdguide.domain import Role
from mrdguide.services import review as review_service
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import responses, roles
from mrdguide.web.deps import Principal, api_role

router = APIRouter(tags=["review"])
Reviewer = Annotated[Principal, Depends(api_role(Role.REVIEWER))]


@router.get("/review/queue", responses=responses(), openapi_extra=roles(Role.REVIEWER))
def queue(user: Reviewer) -> JSONResponse:
    """Results awaiting review (submitted), oldest submission first."""
    return ok({"items": [v.to_dict() for v in review_service.queue(user.reg)]})
