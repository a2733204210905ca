"""Administration (admin): users, the audit trail and its verification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from mrdguide.domain import Role
from mrdguide.services import audit as audit_service
from mrdguide.services import users as user_service
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import responses, roles
from mrdguide.web.deps import Principal, api_role

router = APIRouter(tags=["administration"])
Admin = Annotated[Principal, Depends(api_role(Role.ADMIN))]


@router.get("/users", responses=responses(), openapi_extra=roles(Role.ADMIN))
def users(user: Admin) -> JSONResponse:
    """Every user with role and state (never a password hash)."""
    return ok({"items": [u.to_dict() for u in user_service.list_users(user.reg)]})


@router.get("/audit", responses=responses(), openapi_extra=roles(Role.ADMIN))
def audit(
    user: Admin,
    patient: Annotated[str | None, Query(max_length=MAX_SEARCH_LENGTH)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    since: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> JSONResponse:
    """Audit records (the newest ``limit`` matching), oldest first."""
    entries = audit_service.show(
        user.reg, patient_id=patient, since=since, actor=actor, limit=limit
    )
    return ok({"items": [e.to_dict() for e in entries]})


@router.get("/audit/verify", responses=responses(), openapi_extra=roles(Role.ADMIN))
def verify(user: Admin) -> JSONResponse:
    """Recompute the audit trail's hash chain."""
    return ok(audit_service.verify(user.reg).to_dict())
