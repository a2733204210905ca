"""Helpers of the ``/api/v1`` routes: strict-JSON answers with the research-use notice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._json import jsonable

__all__ = ["ok"]


def ok(doc: Mapping[str, Any], status: int = 200) -> JSONResponse:
    """A JSON answer (non-finite numbers as null) carrying the research-use notice."""
    body = dict(doc)
    body.setdefault("disclaimer", SHORT_DISCLAIMER)
    return JSONResponse(jsonable(body), status_code=status)
