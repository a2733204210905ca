"""One MRD result as a FHIR Observation (export side).

Levels are fractions in UCUM ``1`` (``http://unitsofmeasure.org``), never percent:

* ``positive``: ``valueQuantity`` is the level;
* ``negative``: ``valueQuantity`` is ``< sensitivity`` (comparator ``<``), interpretation ND;
* ``positive_nq``: ``valueQuantity`` is ``< quantitative range`` (detected below the range),
  interpretation DET; a recorded estimate goes in the ``level-estimate`` component;
* ``not_evaluable``: no value, interpretation IND.

Components carry the sensitivity, the quantitative range, the cells (events, cell equivalents)
analysed, the markers, the DNA input and the method. The time point, the record version and the
review state are extensions; warnings and the amendment reason are notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mrdguide.domain import MRDMeasurement, MRDStatus
from mrdguide.io.fhir._codes import (
    CATEGORY_LABORATORY,
    COMPARATOR_BELOW,
    COMPONENT_DISPLAY,
    CS_MRD,
    EXT_RECORD_VERSION,
    EXT_REVIEW_STATE,
    EXT_TIMEPOINT,
    ID_MRD_RESULT,
    IDENTIFIER_USE,
    INTERPRETATION,
    METHOD,
    MRD_STATUS,
    TIMEPOINT,
    UCUM,
    UCUM_CELLS,
    UCUM_FRACTION,
    UCUM_NANOGRAM,
    Code,
    Component,
    concept,
    observation_code,
    observation_status,
)
from mrdguide.io.fhir._codingmap import CodingMap
from mrdguide.io.fhir._records import ResultRecord

__all__ = ["fraction_quantity", "observation", "result_identifier"]


def fraction_quantity(value: float, *, below: bool = False) -> dict[str, Any]:
    """A fraction as a UCUM ``1`` Quantity (``below``: comparator ``<``)."""
    q: dict[str, Any] = {"value": value, "unit": "1", "system": UCUM, "code": UCUM_FRACTION}
    if below:
        q["comparator"] = COMPARATOR_BELOW
    return q


def result_identifier(patient_id: str, m: MRDMeasurement) -> str:
    """``SYN-0001/eoi/bm/flow``: the result's key (one result per time point, tissue, method)."""
    return f"{patient_id}/{m.timepoint.value}/{m.tissue.value}/{m.method.value}"


def _component(code: Component, value: dict[str, Any]) -> dict[str, Any]:
    return {"code": concept(Code(CS_MRD, code.value, COMPONENT_DISPLAY[code]))} | value


def _components(m: MRDMeasurement) -> list[dict[str, Any]]:
    out = []
    if m.sensitivity is not None:
        out.append(
            _component(
                Component.SENSITIVITY, {"valueQuantity": fraction_quantity(m.sensitivity.fraction)}
            )
        )
    if m.quantitative_range is not None:
        qr = fraction_quantity(m.quantitative_range.fraction)
        out.append(_component(Component.QUANTITATIVE_RANGE, {"valueQuantity": qr}))
    if m.level is not None and m.status is not MRDStatus.POSITIVE:
        est = fraction_quantity(m.level.fraction)
        out.append(_component(Component.LEVEL_ESTIMATE, {"valueQuantity": est}))
    if m.cells_analysed is not None:
        cells = {"value": m.cells_analysed, "unit": "cells", "system": UCUM, "code": UCUM_CELLS}
        out.append(_component(Component.CELLS_ANALYSED, {"valueQuantity": cells}))
    if m.markers is not None:
        out.append(_component(Component.MARKERS, {"valueInteger": m.markers}))
    if m.dna_ng is not None:
        dna = {"value": m.dna_ng, "unit": "ng", "system": UCUM, "code": UCUM_NANOGRAM}
        out.append(_component(Component.DNA_INPUT, {"valueQuantity": dna}))
    out.append(_component(Component.METHOD, {"valueCodeableConcept": concept(METHOD[m.method])}))
    return out


def _value(m: MRDMeasurement) -> dict[str, Any]:
    if m.status is MRDStatus.POSITIVE and m.level is not None:
        return {"valueQuantity": fraction_quantity(m.level.fraction)}
    if m.status is MRDStatus.NEGATIVE and m.sensitivity is not None:
        return {"valueQuantity": fraction_quantity(m.sensitivity.fraction, below=True)}
    if m.status is MRDStatus.POSITIVE_NQ and m.quantitative_range is not None:
        return {"valueQuantity": fraction_quantity(m.quantitative_range.fraction, below=True)}
    return {}


def _notes(rec: ResultRecord) -> list[dict[str, Any]]:
    notes = [{"text": f"Quality note: {w}"} for w in rec.measurement.warnings]
    if rec.reason:
        notes.append({"text": f"Version {rec.version}, reason for the change: {rec.reason}"})
    return notes


def _issued(rec: ResultRecord) -> dt.datetime:
    return rec.events[-1].at if rec.events else rec.recorded_at


def observation(
    rec: ResultRecord,
    *,
    patient_id: str,
    ids: dict[str, str],
    cmap: CodingMap,
    effective: dt.date | None,
) -> dict[str, Any]:
    """The Observation JSON of one MRD result version.

    ``ids`` holds the ``urn:uuid`` full URLs of ``observation``, ``patient`` and ``specimen``.
    """
    m = rec.measurement
    status = observation_status(rec.review_state, amends_authorised=rec.amends_authorised)
    local = observation_code(m.method, m.tissue)
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ids["observation"].removeprefix("urn:uuid:"),
        "extension": [
            {"url": EXT_TIMEPOINT, "valueCoding": TIMEPOINT[m.timepoint].coding()},
            {"url": EXT_RECORD_VERSION, "valueInteger": rec.version},
            {"url": EXT_REVIEW_STATE, "valueCode": rec.review_state.value},
        ],
        "identifier": [
            {
                "use": IDENTIFIER_USE,
                "system": ID_MRD_RESULT,
                "value": result_identifier(patient_id, m),
            }
        ],
        "status": status.value,
        "category": [concept(CATEGORY_LABORATORY)],
        "code": concept(local, *cmap.observation_codes(m.method, m.tissue), text=local.display),
        "subject": {"reference": ids["patient"]},
        "issued": _issued(rec).isoformat(),
        "specimen": {"reference": ids["specimen"]},
        "method": concept(METHOD[m.method]),
        "interpretation": [concept(INTERPRETATION[m.status], MRD_STATUS[m.status])],
        "component": _components(m),
    }
    if effective is not None:
        obs["effectiveDateTime"] = effective.isoformat()
    obs |= _value(m)
    notes = _notes(rec)
    if notes:
        obs["note"] = notes
    return obs
