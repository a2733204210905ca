"""Statistician pages: outcome tables, the cohort report, in-silico trials and exports.

Each runs as a background job (:mod:`mrdguide.services.jobs`): the request that starts it
returns at once, and the job page shows a progress bar that htmx refreshes every second.
Results download as CSV or Parquet (tables) or HTML/PDF (the report).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.domain import Role, Timepoint
from mrdguide.errors import NotFoundError
from mrdguide.services import analyze as analyze_service
from mrdguide.services.downloads import (
    MEDIA_TYPES,
    cohort_export_bytes,
    cohort_report_work,
    outcome_rows,
    table_bytes,
    trial_rows,
    trial_work,
)
from mrdguide.services.jobs import Job, Progress
from mrdguide.services.report import Report
from mrdguide.services.simulate import DESIGNS, TrialRequest
from mrdguide.simulate import TrialResult
from mrdguide.web.deps import Principal, State, page_role
from mrdguide.web.state import AppState
from mrdguide.web.templating import render

router = APIRouter(include_in_schema=False)
Statistician = Annotated[Principal, Depends(page_role(Role.STATISTICIAN))]
Endpoint = Literal["efs", "os", "cir"]


@router.get("/cohort", response_class=HTMLResponse)
def cohort(request: Request, st: State, user: Statistician) -> Response:
    """The job forms and this user's jobs."""
    ctx = {
        "jobs": st.jobs.list(owner=user.username),
        "designs": DESIGNS,
        "protocols": [rs.id for rs in st.rulesets],
        "timepoints": list(Timepoint),
        "primary": st.settings.default_protocol,
        "max_replicates": st.web.max_trial_replicates,
    }
    return render(request, "cohort.html", ctx, user=user)


def _started(job: Job) -> Response:
    return RedirectResponse(f"/cohort/jobs/{job.id}", status_code=303)


def _protocol(st: AppState, protocol: str) -> str:
    if protocol not in {rs.id for rs in st.rulesets}:
        raise NotFoundError(f"no protocol {protocol!r}")
    return protocol


@router.post("/cohort/outcomes")
def start_outcomes(
    st: State,
    user: Statistician,
    endpoint: Annotated[Endpoint, Form()],
    protocol: Annotated[str, Form(max_length=64)],
    horizon_years: Annotated[float, Form(gt=0, le=20)] = 5.0,
    mrd_timepoint: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Start an outcome table (KM or CIR by risk group or MRD band)."""
    pid = _protocol(st, protocol)
    tp = Timepoint(mrd_timepoint) if mrd_timepoint else None

    def work(progress: Progress) -> analyze_service.OutcomeTable:
        progress(0, 1)
        table = analyze_service.outcome_table(
            st.workspace.registry(actor=user.username),
            endpoint=endpoint,
            protocol=pid,
            mrd_timepoint=tp,
            horizon_days=horizon_years * 365.25,
        )
        progress(1, 1)
        return table

    by = f"MRD band at {tp.value}" if tp else pid
    title = f"{endpoint.upper()} at {horizon_years:g} years by {by}"
    return _started(
        st.jobs.submit(kind="outcomes", owner=user.username, title=title, total=1, work=work)
    )


@router.post("/cohort/report")
def start_report(
    st: State,
    user: Statistician,
    protocol: Annotated[str, Form(max_length=64)],
    pdf: Annotated[bool, Form()] = False,
) -> Response:
    """Start the cohort report (every patient assessed, cohort analysed, model fitted)."""
    pid = _protocol(st, protocol)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    work = cohort_report_work(
        lambda: st.workspace.registry(actor=user.username),
        primary=pid,
        protocols=(pid,),
        generated=now,
        version=st.version,
        pdf=pdf,
    )
    return _started(
        st.jobs.submit(
            kind="report", owner=user.username, title=f"cohort report ({pid})", total=1, work=work
        )
    )


@router.post("/cohort/trial")
def start_trial(
    st: State,
    user: Statistician,
    design: Annotated[str, Form(max_length=32)],
    replicates: Annotated[int, Form(ge=1, le=100_000)] = 50,
    patients: Annotated[int, Form(ge=100, le=20_000)] = 1000,
    seed: Annotated[int, Form(ge=0, le=2**31)] = 1,
) -> Response:
    """Start an in-silico trial on the worker processes (never in the request)."""
    replicates = min(replicates, st.web.max_trial_replicates)
    req = TrialRequest(
        design=design,
        replicates=replicates,
        seed=seed,
        changes={"patients": patients},
        executor=st.web.trial_executor,
        workers=st.web.trial_workers,
    )
    title = f"in-silico trial: {design}, {replicates} replicates of {patients} patients"
    return _started(
        st.jobs.submit(
            kind="trial",
            owner=user.username,
            title=title,
            total=req.total_runs,
            work=trial_work(req),
        )
    )


@router.post("/cohort/export")
def start_export(
    st: State, user: Statistician, fmt: Annotated[Literal["csv", "parquet"], Form()] = "csv"
) -> Response:
    """Start an export of every registered case (authorised versions)."""

    def work(progress: Progress) -> bytes:
        progress(0, 1)
        data = cohort_export_bytes(st.workspace.registry(actor=user.username), fmt)
        progress(1, 1)
        return data

    return _started(
        st.jobs.submit(
            kind=f"export-{fmt}",
            owner=user.username,
            title=f"cohort export ({fmt})",
            total=1,
            work=work,
        )
    )


def _result_view(job: Job) -> dict[str, Any]:
    r = job.result
    if isinstance(r, analyze_service.OutcomeTable):
        return {"table": r}
    if isinstance(r, TrialResult):
        return {"trial": r}
    return {}


@router.get("/cohort/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, st: State, user: Statistician, job_id: str) -> Response:
    """A job's progress (refreshed by htmx) and, once done, its result and downloads."""
    job = st.jobs.get(job_id, owner=user.username)
    return render(request, "job.html", {"job": job} | _result_view(job), user=user)


@router.get("/cohort/jobs/{job_id}/status", response_class=HTMLResponse)
def job_status(request: Request, st: State, user: Statistician, job_id: str) -> Response:
    """The progress fragment; when the job ends it asks htmx to reload the page."""
    job = st.jobs.get(job_id, owner=user.username)
    resp = render(request, "_job_status.html", {"job": job}, user=user)
    if job.finished:
        resp.headers["HX-Refresh"] = "true"
    return resp


def _download(data: bytes, name: str, media: str) -> Response:
    return Response(
        data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get("/cohort/jobs/{job_id}/download")
def download(
    st: State,
    user: Statistician,
    job_id: str,
    fmt: Annotated[Literal["csv", "parquet", "html", "pdf"], Query(alias="format")] = "csv",
) -> Response:
    """A finished job's result as CSV/Parquet (tables) or HTML/PDF (the cohort report)."""
    job = st.jobs.get(job_id, owner=user.username)
    r = job.result
    if isinstance(r, Report) and fmt in ("html", "pdf"):
        if fmt == "pdf" and r.pdf is not None:
            return _download(r.pdf, f"{r.name}.pdf", "application/pdf")
        return _download(r.html.encode(), f"{r.name}.html", "text/html; charset=utf-8")
    if isinstance(r, bytes) and job.kind == f"export-{fmt}":
        return _download(r, f"cohort.{fmt}", MEDIA_TYPES[fmt])
    rows = None
    if isinstance(r, analyze_service.OutcomeTable):
        rows = outcome_rows(r)
    elif isinstance(r, TrialResult):
        rows = trial_rows(r)
    if rows is None or (fmt != "csv" and fmt != "parquet"):  # noqa: PLR1714 - narrows fmt
        raise NotFoundError(f"job {job_id!r} has no {fmt} result")
    return _download(table_bytes(rows, fmt), f"{job.kind}-{job.id}.{fmt}", MEDIA_TYPES[fmt])
