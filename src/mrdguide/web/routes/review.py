"""Reviewer pages: the review queue; authorise or return (with a reason) a submitted result.

Four eyes are enforced by the store: a reviewer cannot authorise or return a result they
recorded; the page also says so next to such a result.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.domain import MRDMethod, ReviewAction, Role, Timepoint, Tissue
from mrdguide.services import review as review_service
from mrdguide.services.mrd_words import decision_lines
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH
from mrdguide.web.deps import Principal, page_role
from mrdguide.web.templating import render

router = APIRouter(include_in_schema=False)
Reviewer = Annotated[Principal, Depends(page_role(Role.REVIEWER))]


@router.get("/review", response_class=HTMLResponse)
def queue(
    request: Request,
    user: Reviewer,
    done: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """Results awaiting review, oldest submission first, with their earlier versions."""
    items = review_service.queue(user.reg)
    rows = []
    for v in items:
        earlier = [
            h
            for h in review_service.history(
                user.reg, v.patient_id, timepoint=Timepoint(v.timepoint)
            )
            if h.key == v.key and h.version < v.version
        ]
        lines = decision_lines({"assay": "", "measurement": v.measurement})
        rows.append({"v": v, "earlier": earlier, "own": v.actor == user.username, "lines": lines})
    return render(request, "review.html", {"rows": rows, "done": done}, user=user)


@router.post("/review/decide")
def decide(
    user: Reviewer,
    patient_id: Annotated[str, Form(min_length=1, max_length=MAX_SEARCH_LENGTH)],
    timepoint: Annotated[Timepoint, Form()],
    tissue: Annotated[Tissue, Form()],
    method: Annotated[MRDMethod, Form()],
    action: Annotated[Literal["authorise", "return"], Form()],
    reason: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Authorise or return the newest submitted version (as the signed-in reviewer)."""
    act = ReviewAction.AUTHORISE if action == "authorise" else ReviewAction.RETURN
    v = review_service.review(
        user.reg,
        patient_id,
        timepoint=timepoint,
        tissue=tissue,
        method=method,
        action=act,
        reason=(reason or "").strip() or None,
    )
    note = f"{v.patient_id} {v.key} version {v.version}: {v.review_state.value}"
    return RedirectResponse("/review?" + urlencode({"done": note}), status_code=303)
