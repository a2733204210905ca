"""Statistician jobs: in-silico trials in the background, their progress and results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse

from mrdguide.domain import Role
from mrdguide.services.downloads import trial_rows, trial_work
from mrdguide.services.simulate import TrialRequest
from mrdguide.simulate import TrialResult
from mrdguide.web.api._common import ok
from mrdguide.web.api.models import TrialStart, responses, roles
from mrdguide.web.deps import Principal, State, api_role

router = APIRouter(tags=["cohort"])
Statistician = Annotated[Principal, Depends(api_role(Role.STATISTICIAN))]
JobId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/jobs/trial",
    responses=responses(400, 422),
    status_code=202,
    openapi_extra=roles(Role.STATISTICIAN),
)
def start_trial(st: State, user: Statistician, body: TrialStart) -> JSONResponse:
    """Start an in-silico trial as a background job (answers at once with the job)."""
    req = TrialRequest(
        design=body.design,
        replicates=min(body.replicates, st.web.max_trial_replicates),
        seed=body.seed,
        changes={"patients": body.patients},
        executor=st.web.trial_executor,
        workers=st.web.trial_workers,
    )
    title = f"in-silico trial: {req.design}, {req.replicates} replicates"
    job = st.jobs.submit(
        kind="trial", owner=user.username, title=title, total=req.total_runs, work=trial_work(req)
    )
    return ok(job.to_dict(), status=202)


@router.get("/jobs/{job_id}", responses=responses(404), openapi_extra=roles(Role.STATISTICIAN))
def job(st: State, user: Statistician, job_id: JobId) -> JSONResponse:
    """A job's progress and, once a trial is done, its operating characteristics."""
    j = st.jobs.get(job_id, owner=user.username)
    doc = j.to_dict()
    if isinstance(j.result, TrialResult):
        doc["result"] = {"analyses": trial_rows(j.result)}
    return ok(doc)
