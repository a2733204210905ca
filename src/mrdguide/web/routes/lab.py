"""Laboratory pages: enter flow counts or upload assay files, preview, save as draft, submit.

Interpreting never writes. The preview keeps the interpreted result on the server under a
random key; "save as draft" stores exactly that result, as the signed-in user, through the
versioned store (a result that exists needs an amendment reason). "Submit for review" moves the
draft to the review queue.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mrdguide.domain import MRDMethod, ReviewAction, Role, Timepoint, Tissue
from mrdguide.errors import ConflictError, InputError, NotFoundError
from mrdguide.mrd import DEFAULT_LLOQ_EVENTS, DEFAULT_LOD_EVENTS
from mrdguide.services import mrd as mrd_service
from mrdguide.services import review as review_service
from mrdguide.services.assay_upload import AssayOptions, UploadedFile, interpret_upload
from mrdguide.services.mrd import Sample
from mrdguide.services.mrd_words import decision_lines
from mrdguide.services.patient_list import MAX_SEARCH_LENGTH
from mrdguide.web.deps import Principal, State, page_role
from mrdguide.web.state import AppState, Preview
from mrdguide.web.templating import render

router = APIRouter(include_in_schema=False)
Lab = Annotated[Principal, Depends(page_role(Role.LAB))]
PatientField = Annotated[str, Form(min_length=1, max_length=MAX_SEARCH_LENGTH)]
_READ_CHUNK = 1 << 16


def _history(user: Principal, patient_id: str | None) -> tuple[list[Any], str | None]:
    if not patient_id:
        return [], None
    try:
        return review_service.history(user.reg, patient_id), None
    except NotFoundError as exc:
        return [], str(exc)


def _lab_page(
    request: Request,
    user: Principal,
    patient_id: str | None,
    *,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    versions, missing = _history(user, patient_id)
    newest: dict[str, Any] = {}
    for v in versions:
        newest[v.key] = v
    ctx = {
        "patient_id": patient_id or "",
        "versions": versions,
        "newest": newest,
        "missing": missing,
        "notice": notice,
        "timepoints": list(Timepoint),
        "tissues": list(Tissue),
        "lod_events": DEFAULT_LOD_EVENTS,
        "lloq_events": DEFAULT_LLOQ_EVENTS,
    }
    return render(request, "lab.html", ctx, user=user, status=status)


@router.get("/lab", response_class=HTMLResponse)
def lab(
    request: Request,
    user: Lab,
    patient: Annotated[str | None, Query(max_length=MAX_SEARCH_LENGTH)] = None,
    saved: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The entry forms and the patient's stored results (every version, with its state)."""
    return _lab_page(request, user, patient, notice=saved)


def _preview(
    request: Request,
    st: AppState,
    user: Principal,
    patient_id: str,
    outcome: mrd_service.MRDOutcome,
    what: str,
) -> Response:
    versions, missing = _history(user, patient_id)
    if missing:
        raise NotFoundError(missing)
    m = outcome.measurement
    existing = [
        v
        for v in versions
        if (v.timepoint, v.tissue, v.method) == (m.timepoint.value, m.tissue.value, m.method.value)
    ]
    key = st.pending.put(user.username, Preview(patient_id=patient_id, outcome=outcome, what=what))
    ctx = {
        "patient_id": patient_id,
        "doc": outcome.to_dict(),
        "what": what,
        "pending": key,
        "lines": decision_lines(outcome.to_dict()),
        "existing": existing[-1] if existing else None,
    }
    return render(request, "lab_preview.html", ctx, user=user)


@router.post("/lab/flow", response_class=HTMLResponse)
def flow_preview(
    request: Request,
    st: State,
    user: Lab,
    patient_id: PatientField,
    events: Annotated[int, Form(ge=0, le=10**10)],
    cells: Annotated[int, Form(ge=1, le=10**10)],
    timepoint: Annotated[Timepoint, Form()] = Timepoint.EOI,
    tissue: Annotated[Tissue, Form()] = Tissue.BONE_MARROW,
    day: Annotated[int | None, Form(ge=0, le=5000)] = None,
    lod_events: Annotated[int, Form(ge=1, le=10**6)] = DEFAULT_LOD_EVENTS,
    lloq_events: Annotated[int, Form(ge=1, le=10**6)] = DEFAULT_LLOQ_EVENTS,
) -> Response:
    """Interpret flow counts and show the result (nothing is stored yet)."""
    sample = Sample(timepoint=timepoint, tissue=tissue, day=day)
    outcome = mrd_service.flow_from_counts(
        events=events, cells=cells, lod_events=lod_events, lloq_events=lloq_events, sample=sample
    )
    return _preview(request, st, user, patient_id.strip(), outcome, "flow cytometry counts")


def _read(upload: UploadFile | None, limit: int) -> UploadedFile | None:
    if upload is None or not upload.filename:
        return None
    data = bytearray()
    while chunk := upload.file.read(_READ_CHUNK):
        data.extend(chunk)
        if len(data) > limit:
            raise InputError(
                "the file is too large",
                field="file",
                value=upload.filename,
                rule=f"at most {limit // (1024 * 1024)} MB",
            )
    return UploadedFile(filename=upload.filename, data=bytes(data))


@router.post("/lab/upload", response_class=HTMLResponse)
def upload_preview(  # noqa: PLR0913 - one form field each
    request: Request,
    st: State,
    user: Lab,
    patient_id: PatientField,
    kind: Annotated[str, Form(pattern="^(pcr|ngs|flow-fcs)$")],
    timepoint: Annotated[Timepoint, Form()] = Timepoint.EOI,
    tissue: Annotated[Tissue, Form()] = Tissue.BONE_MARROW,
    day: Annotated[int | None, Form(ge=0, le=5000)] = None,
    plate: Annotated[UploadFile | None, File()] = None,
    diagnosis: Annotated[UploadFile | None, File()] = None,
    follow_up: Annotated[UploadFile | None, File()] = None,
    events_fcs: Annotated[UploadFile | None, File()] = None,
    cells_fcs: Annotated[UploadFile | None, File()] = None,
    follow_up_sample: Annotated[str | None, Form(max_length=100)] = None,
    dna_ng: Annotated[float | None, Form(gt=0, le=1e7)] = None,
    cell_count: Annotated[float | None, Form(gt=0, le=1e10)] = None,
) -> Response:
    """Interpret uploaded files (size-limited, read by the validated readers, never kept)."""
    limit = st.web.max_body_bytes
    files = {
        name: f
        for name, up in (
            ("plate", plate),
            ("diagnosis", diagnosis),
            ("follow_up", follow_up),
            ("events_fcs", events_fcs),
            ("cells_fcs", cells_fcs),
        )
        if (f := _read(up, limit)) is not None
    }
    opts = AssayOptions(
        follow_up_sample=(follow_up_sample or "").strip() or None, dna_ng=dna_ng, cells=cell_count
    )
    sample = Sample(timepoint=timepoint, tissue=tissue, day=day)
    outcome = interpret_upload(kind, files, sample=sample, options=opts)  # type: ignore[arg-type]
    what = {"pcr": "RQ-PCR plate", "ngs": "AIRR files", "flow-fcs": "FCS exports"}[kind]
    return _preview(request, st, user, patient_id.strip(), outcome, what)


@router.post("/lab/save", response_class=HTMLResponse)
def save_draft(
    request: Request,
    st: State,
    user: Lab,
    pending: Annotated[str, Form(max_length=100)],
    reason: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Store the previewed result as a draft version (an existing result needs a reason)."""
    preview = st.pending.get(pending, user.username)
    if preview is None:
        return _lab_page(
            request,
            user,
            None,
            status=410,
            notice="That preview has expired; interpret the result again.",
        )
    amend = (reason or "").strip() or None
    try:
        out = mrd_service.store_result(
            user.reg, preview.patient_id, preview.outcome, amend_reason=amend
        )
    except ConflictError as exc:
        ctx = {
            "patient_id": preview.patient_id,
            "doc": preview.outcome.to_dict(),
            "what": preview.what,
            "pending": pending,
            "conflict": str(exc),
            "lines": decision_lines(preview.outcome.to_dict()),
            "existing": None,
        }
        return render(request, "lab_preview.html", ctx, user=user, status=409)
    st.pending.pop(pending, user.username)
    v = out.stored
    note = (
        "identical to the stored result; nothing new was stored"
        if v is None
        else f"saved {v.key} version {v.version} as {v.review_state.value}"
    )
    return _back(preview.patient_id, note)


@router.post("/lab/submit")
def submit(
    user: Lab,
    patient_id: PatientField,
    timepoint: Annotated[Timepoint, Form()],
    tissue: Annotated[Tissue, Form()],
    method: Annotated[MRDMethod, Form()],
) -> Response:
    """Submit the newest draft of one result for review."""
    v = review_service.review(
        user.reg,
        patient_id,
        timepoint=timepoint,
        tissue=tissue,
        method=method,
        action=ReviewAction.SUBMIT,
    )
    return _back(patient_id, f"submitted {v.key} version {v.version} for review")


def _back(patient_id: str, note: str) -> Response:
    return RedirectResponse(
        "/lab?" + urlencode({"patient": patient_id, "saved": note}), status_code=303
    )
