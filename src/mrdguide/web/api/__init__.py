"""``/api/v1``: JSON for scripts, with bearer tokens (never cookies). See ``/openapi.json``."""

from __future__ import annotations

from fastapi import APIRouter

from mrdguide.web.api import admin, cohort, health, lab, patients, review

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
for _module in (health, patients, lab, review, cohort, admin):
    router.include_router(_module.router)
