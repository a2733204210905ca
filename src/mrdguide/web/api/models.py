"""Request and response models of ``/api/v1`` (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mrdguide.domain import Role, Timepoint, Tissue
from mrdguide.mrd import DEFAULT_LLOQ_EVENTS, DEFAULT_LOD_EVENTS

__all__ = [
    "ErrorBody",
    "ErrorDoc",
    "FlowEntry",
    "Health",
    "ReviewDecision",
    "TrialStart",
    "responses",
    "roles",
]


class ErrorBody(BaseModel):
    """What went wrong: a code, a message and file/row/field/value/rule issues."""

    code: str
    message: str
    issues: list[dict[str, Any]] = Field(default_factory=list)
    existing: dict[str, Any] | None = None


class ErrorDoc(BaseModel):
    """Every error answer of the API."""

    error: ErrorBody
    disclaimer: str


class Health(BaseModel):
    """``GET /api/v1/health``."""

    status: Literal["ok"]
    version: str
    disclaimer: str


class FlowEntry(BaseModel):
    """Flow-cytometry counts for one sample (``POST .../mrd/flow``)."""

    model_config = ConfigDict(extra="forbid")

    events: int = Field(ge=0, le=10**10, description="Leukaemic events counted.")
    cells: int = Field(ge=1, le=10**10, description="Nucleated cells analysed.")
    timepoint: Timepoint = Timepoint.EOI
    tissue: Tissue = Tissue.BONE_MARROW
    day: int | None = Field(default=None, ge=0, le=5000, description="Sample day.")
    lod_events: int = Field(default=DEFAULT_LOD_EVENTS, ge=1, le=10**6)
    lloq_events: int = Field(default=DEFAULT_LLOQ_EVENTS, ge=1, le=10**6)
    store: bool = Field(default=False, description="Store as a draft (else interpret only).")
    amend_reason: str | None = Field(default=None, max_length=1000)


class ReviewDecision(BaseModel):
    """A review action on the newest version of one result."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["submit", "authorise", "return"]
    reason: str | None = Field(default=None, max_length=1000)


class TrialStart(BaseModel):
    """An in-silico trial to run as a background job."""

    model_config = ConfigDict(extra="forbid")

    design: Literal["asan", "randomised", "deescalation"] = "asan"
    replicates: int = Field(default=20, ge=1, le=100_000)
    patients: int = Field(default=1000, ge=100, le=20_000)
    seed: int = Field(default=1, ge=0, le=2**31)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route declares (401 and 403 always)."""
    words = {
        400: "the request body is not valid JSON",
        401: "no valid bearer token",
        403: "the token's user has the wrong role, or the four-eyes rule forbids it",
        404: "no such record",
        409: "conflicts with a stored record or its review state; nothing was written",
        422: "invalid input; nothing was written",
    }
    return {c: {"model": ErrorDoc, "description": words[c]} for c in sorted({401, 403, *codes})}


def roles(*allowed: Role) -> dict[str, Any]:
    """OpenAPI extension naming the roles a route serves."""
    return {"x-mrdguide-roles": [r.value for r in allowed]}
