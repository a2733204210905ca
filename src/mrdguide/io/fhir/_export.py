"""A patient's FHIR Bundle (type ``collection``): Patient, Specimens, MRD Observations, the
DiagnosticReport with the rendered report, one RiskAssessment per protocol and the Provenance of
every review step.

Every reference is a ``urn:uuid:`` full URL. The UUIDs are derived (UUID 5) from the patient id
and the record's key and version, so exporting the same records twice gives the same bundle.

Specimen dates: the collection date is ``diagnosis_date + day`` (the registry counts sample days
from the diagnosis date, as the cohort importer does) when both are known. The day itself is
always sent as the ``sample-day`` extension, so nothing is lost when the diagnosis date is not
recorded; then the Specimen has no collection date.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from mrdguide.domain import MRDMeasurement
from mrdguide.io.fhir._codes import (
    AGENT_AUTHOR,
    AGENT_VERIFIER,
    BUNDLE_TYPE,
    CS_PROTOCOL,
    EXT_PROBABILITY_CI,
    EXT_REVIEW_REASON,
    EXT_RULE_FILE_SHA256,
    EXT_SAMPLE_DAY,
    GENDER,
    ID_ACTOR,
    ID_SPECIMEN,
    IDENTIFIER_USE,
    OUTCOME_RELAPSE,
    REPORT_CATEGORY,
    REPORT_CODE,
    REPORT_STATUS,
    REVIEW_ACTIVITY,
    RISK_STATUS,
    SPECIMEN_TYPE,
    STANDARD_ACTIVITY,
    UCUM,
    UCUM_YEAR,
    Code,
    FHIRVersion,
    ObservationStatus,
    ReviewActivity,
    concept,
    observation_status,
    risk_group_system,
)
from mrdguide.io.fhir._codingmap import CodingMap
from mrdguide.io.fhir._observation import fraction_quantity, observation
from mrdguide.io.fhir._records import BundleInput, ResultRecord, ReviewStep, RiskRecord

#: Namespace of the bundle's UUID 5 identifiers.
NAMESPACE = uuid.UUID("6f1c2f4e-3a5b-5d0e-9c57-6d7267756964")

__all__ = ["build_bundle", "collection_date", "urn"]

_Key = tuple[str, str, str]


def urn(*parts: object) -> str:
    """A stable ``urn:uuid:`` full URL for the named record."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '|'.join(str(p) for p in parts))}"


def _id(full_url: str) -> str:
    return full_url.removeprefix("urn:uuid:")


def collection_date(diagnosis: dt.date | None, day: int | None) -> dt.date | None:
    """``diagnosis + day`` days, or ``None`` when either is unknown."""
    if diagnosis is None or day is None:
        return None
    return diagnosis + dt.timedelta(days=day)


def _key(m: MRDMeasurement) -> _Key:
    return (m.timepoint.value, m.tissue.value, m.method.value)


def _patient(inp: BundleInput, full_url: str, cmap: CodingMap) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id(full_url),
        "identifier": [
            {
                "use": IDENTIFIER_USE,
                "system": cmap.patient_identifier_system,
                "value": inp.patient_id,
            }
        ],
    }
    if inp.sex is not None:
        out["gender"] = GENDER[inp.sex]
    return out


def _specimen_key(m: MRDMeasurement) -> tuple[str, str, int | None]:
    return (m.timepoint.value, m.tissue.value, m.sample_day)


def _specimen(inp: BundleInput, m: MRDMeasurement, full_url: str, patient: str) -> dict[str, Any]:
    tp, tissue, day = _specimen_key(m)
    hl7, local = SPECIMEN_TYPE[m.tissue]
    out: dict[str, Any] = {
        "resourceType": "Specimen",
        "id": _id(full_url),
        "identifier": [
            {
                "use": IDENTIFIER_USE,
                "system": ID_SPECIMEN,
                "value": f"{inp.patient_id}/{tp}/{tissue}" + ("" if day is None else f"/day{day}"),
            }
        ],
        "type": concept(hl7, local, text=local.display),
        "subject": {"reference": patient},
    }
    if day is not None:
        out["extension"] = [{"url": EXT_SAMPLE_DAY, "valueInteger": day}]
    date = collection_date(inp.diagnosis_date, day)
    if date is not None:
        out["collection"] = {"collectedDateTime": date.isoformat()}
    return out


def _report_status(statuses: Sequence[ObservationStatus]) -> str:
    if ObservationStatus.PRELIMINARY in statuses:
        return REPORT_STATUS[ObservationStatus.PRELIMINARY]
    if ObservationStatus.AMENDED in statuses:
        return REPORT_STATUS[ObservationStatus.AMENDED]
    return REPORT_STATUS[ObservationStatus.FINAL]


def _report(
    inp: BundleInput,
    ids: dict[str, str],
    results: list[str],
    cmap: CodingMap,
    statuses: Sequence[ObservationStatus],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": _id(ids["report"]),
        "status": _report_status(statuses),
        "category": [concept(REPORT_CATEGORY)],
        "code": concept(REPORT_CODE, *cmap.report, text=REPORT_CODE.display),
        "subject": {"reference": ids["patient"]},
        "issued": inp.generated.isoformat(),
    }
    if results:
        out["result"] = [{"reference": r} for r in results]
    if inp.report is not None:
        out["presentedForm"] = [
            {
                "contentType": inp.report.content_type,
                "data": base64.b64encode(inp.report.data).decode("ascii"),
                "title": inp.report.title,
                "creation": inp.generated.isoformat(),
            }
        ]
    return out


def _prediction(risk: RiskRecord) -> dict[str, Any]:
    group = Code(risk_group_system(risk.protocol), risk.group, risk.group_label)
    pred: dict[str, Any] = {
        "outcome": concept(OUTCOME_RELAPSE, text=OUTCOME_RELAPSE.display),
        "qualitativeRisk": concept(group, text=f"{risk.protocol_name}: {risk.group_label}"),
    }
    est = risk.estimate
    if est is not None:
        pred["probabilityDecimal"] = est.value
        pred["extension"] = [
            {
                "url": EXT_PROBABILITY_CI,
                "valueRange": {
                    "low": fraction_quantity(est.ci_lower),
                    "high": fraction_quantity(est.ci_upper),
                },
            }
        ]
        pred["whenRange"] = {
            "high": {"value": est.horizon_years, "unit": "years", "system": UCUM, "code": UCUM_YEAR}
        }
    if risk.rationale:
        pred["rationale"] = risk.rationale
    return pred


def _risk(
    inp: BundleInput,
    risk: RiskRecord,
    full_url: str,
    ids: dict[str, str],
    obs_by_key: dict[_Key, tuple[str, ObservationStatus]],
) -> dict[str, Any]:
    basis = [obs_by_key[k] for k in risk.basis if k in obs_by_key]
    preliminary = any(s is ObservationStatus.PRELIMINARY for _, s in basis)
    status = ObservationStatus.PRELIMINARY if preliminary else ObservationStatus.FINAL
    method = Code(CS_PROTOCOL, risk.protocol, risk.protocol_name)
    notes = [inp.notice, *risk.notes]
    if risk.estimate is not None:
        e = risk.estimate
        notes.append(
            f"{e.model}: {e.horizon_years:g}-year relapse probability {e.value:.3f} "
            f"(95% CI {e.ci_lower:.3f}-{e.ci_upper:.3f})."
        )
    out: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": _id(full_url),
        "status": RISK_STATUS[status],
        "method": concept(
            method,
            text=f"{risk.protocol} version {risk.protocol_version}; "
            f"rule file sha256 {risk.protocol_sha256}",
        )
        | {"extension": [{"url": EXT_RULE_FILE_SHA256, "valueString": risk.protocol_sha256}]},
        "subject": {"reference": ids["patient"]},
        "occurrenceDateTime": inp.generated.isoformat(),
        "prediction": [_prediction(risk)],
        "note": [{"text": t} for t in notes],
    }
    if basis:
        out["basis"] = [{"reference": u} for u, _ in basis]
    return out


def _activity(step: ReviewStep, version: int) -> ReviewActivity:
    if step.action in ("create", "import_authorised") and version > 1:
        return ReviewActivity.AMEND
    return ReviewActivity(step.action)


def _provenance(
    rec: ResultRecord, step: ReviewStep, n: int, target: str, pid: str, fv: FHIRVersion
) -> dict[str, Any]:
    act = _activity(step, rec.version)
    codes = [REVIEW_ACTIVITY[act]]
    std = STANDARD_ACTIVITY[fv].get(act)
    if std is not None:
        codes.insert(0, std)
    reviewing = act in (ReviewActivity.AUTHORISE, ReviewActivity.RETURN)
    who = {"identifier": {"system": ID_ACTOR, "value": step.actor}, "display": step.actor}
    agent = {"type": concept(AGENT_VERIFIER if reviewing else AGENT_AUTHOR), "who": who}
    out: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": _id(urn(pid, "Provenance", _key(rec.measurement), rec.version, n)),
        "target": [{"reference": target}],
        "occurredDateTime": step.at.isoformat(),
        "recorded": step.at.isoformat(),
        "activity": concept(*codes, text=REVIEW_ACTIVITY[act].display),
        "agent": [agent],
    }
    if step.reason:
        out["extension"] = [{"url": EXT_REVIEW_REASON, "valueString": step.reason}]
    return out


def build_bundle(inp: BundleInput, *, version: FHIRVersion, cmap: CodingMap) -> dict[str, Any]:
    """The bundle JSON (not yet validated; see :func:`mrdguide.io.fhir.validate_bundle`)."""
    pid = inp.patient_id
    ids = {"patient": urn(pid, "Patient"), "report": urn(pid, "DiagnosticReport")}
    entries: list[dict[str, Any]] = [_patient(inp, ids["patient"], cmap)]
    specimens: dict[tuple[str, str, int | None], str] = {}
    obs_by_key: dict[_Key, tuple[str, ObservationStatus]] = {}
    observations: list[dict[str, Any]] = []
    provenance: list[dict[str, Any]] = []
    for rec in inp.results:
        m = rec.measurement
        skey = _specimen_key(m)
        if skey not in specimens:
            specimens[skey] = urn(pid, "Specimen", *skey)
            entries.append(_specimen(inp, m, specimens[skey], ids["patient"]))
        full = urn(pid, "Observation", *_key(m), rec.version)
        obs_ids = {"observation": full, "patient": ids["patient"], "specimen": specimens[skey]}
        observations.append(
            observation(
                rec,
                patient_id=pid,
                ids=obs_ids,
                cmap=cmap,
                effective=collection_date(inp.diagnosis_date, m.sample_day),
            )
        )
        status = observation_status(rec.review_state, amends_authorised=rec.amends_authorised)
        obs_by_key[_key(m)] = (full, status)
        provenance.extend(
            _provenance(rec, step, n, full, pid, version) for n, step in enumerate(rec.events)
        )
    entries.extend(observations)
    statuses = [s for _, s in obs_by_key.values()]
    entries.append(_report(inp, ids, [u for u, _ in obs_by_key.values()], cmap, statuses))
    for risk in inp.risks:
        entries.append(_risk(inp, risk, urn(pid, "RiskAssessment", risk.protocol), ids, obs_by_key))
    entries.extend(provenance)
    return {
        "resourceType": "Bundle",
        "id": _id(urn(pid, "Bundle", inp.generated.isoformat())),
        "type": BUNDLE_TYPE,
        "timestamp": inp.generated.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{e['id']}", "resource": e} for e in entries],
    }
