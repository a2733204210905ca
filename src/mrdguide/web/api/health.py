"""``GET /api/v1/health`` (no authentication) and ``GET /api/v1/me``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.domain import Role
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import Health, responses, roles
from mrdguide.web.deps import Principal, State, api_role

router = APIRouter(tags=["health"])
AnyUser = Annotated[Principal, Depends(api_role(*Role))]


@router.get("/health", response_model=Health)
def health(st: State) -> Health:
    """The service answers (no authentication)."""
    return Health(status="ok", version=st.version, disclaimer=SHORT_DISCLAIMER)


@router.get("/me", responses=responses(), openapi_extra=roles(*Role))
def me(user: AnyUser) -> JSONResponse:
    """The token's user and role."""
    return ok({"username": user.username, "role": user.role.value})
