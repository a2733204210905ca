"""Mappers between domain objects (:class:`~mrdguide.domain.Case`) and ORM rows.

Rows are converted through the case document, so the database holds exactly what the case
format can express and :func:`~mrdguide.domain.case_from_dict` re-validates on the way out.
"""

from __future__ import annotations

from typing import Any

from mrdguide.domain import Case, MRDMeasurement, Patient, case_from_dict, case_to_dict
from mrdguide.domain.case import PATIENT_FIELDS
from mrdguide.store.tables import GeneticsRow, MRDRow, OutcomeRow, PatientRow, TreatmentRow

_MRD_COLUMNS = (
    ("timepoint", "timepoint"),
    ("day", "sample_day"),
    ("tissue", "tissue"),
    ("method", "method"),
    ("status", "status"),
    ("level", "level"),
    ("sensitivity", "sensitivity"),
    ("quantitative_range", "quantitative_range"),
    ("markers", "markers"),
    ("cells_analysed", "cells_analysed"),
    ("dna_ng", "dna_ng"),
)
_TREATMENT_COLUMNS = ("kind", "day", "phase", "triggered_by", "description")
_OUTCOME_COLUMNS = ("kind", "day", "relapse_site", "in_remission")
_PATIENT_COLUMNS = tuple(f for f in PATIENT_FIELDS if f != "patient_id")


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def mrd_doc(m: MRDMeasurement) -> dict[str, Any]:
    """The case-document form of one measurement."""
    doc = case_to_dict(_carrier(m))
    out: dict[str, Any] = doc["mrd"][0]
    return out


def _carrier(m: MRDMeasurement) -> Case:
    # A throw-away case lets case_to_dict serialise one measurement in the canonical way.
    return Case(patient=Patient(patient_id="_"), mrd=(m,))


def mrd_row(doc: dict[str, Any], seq: int, source: str | None) -> MRDRow:
    """An :class:`MRDRow` from the case-document form of a measurement."""
    values = {col: doc.get(key) for key, col in _MRD_COLUMNS}
    return MRDRow(seq=seq, warnings=list(doc.get("warnings", [])), source=source, **values)


def apply_case(row: PatientRow, case: Case, source: str | None) -> None:
    """Overwrite ``row`` (and its children) with the content of ``case``."""
    doc = case_to_dict(case)
    p = case.patient
    for name in _PATIENT_COLUMNS:
        setattr(row, name, doc.get(name) if name != "diagnosis_date" else p.diagnosis_date)
    row.source = source
    _apply_genetics(row, doc.get("genetics"))
    row.mrd = [mrd_row(m, i, source) for i, m in enumerate(doc.get("mrd", []))]
    row.treatments = [
        TreatmentRow(seq=i, **{c: t.get(c) for c in _TREATMENT_COLUMNS})
        for i, t in enumerate(doc.get("treatments", []))
    ]
    row.outcomes = [
        OutcomeRow(seq=i, **{c: o.get(c) for c in _OUTCOME_COLUMNS})
        for i, o in enumerate(doc.get("outcomes", []))
    ]


def _apply_genetics(row: PatientRow, g: dict[str, Any] | None) -> None:
    if g is None:
        row.genetics = None
        return
    # Update in place: replacing the one-to-one row would insert before the old one is deleted.
    target = row.genetics if row.genetics is not None else GeneticsRow()
    target.lesions = g.get("lesions", [])
    target.modal_chromosome_number = g.get("modal_chromosome_number")
    target.dna_index = g.get("dna_index")
    target.karyotype = g.get("karyotype")
    target.copy_number = g.get("copy_number", {})
    target.trisomies = g.get("trisomies", [])
    row.genetics = target


def row_to_doc(row: PatientRow) -> dict[str, Any]:
    """The case document stored in ``row`` (before validation)."""
    doc: dict[str, Any] = {"patient_id": row.patient_id}
    for name in _PATIENT_COLUMNS:
        value = getattr(row, name)
        doc[name] = value.isoformat() if name == "diagnosis_date" and value else value
    g = row.genetics
    if g is not None:
        doc["genetics"] = _clean(
            {
                "lesions": list(g.lesions),
                "modal_chromosome_number": g.modal_chromosome_number,
                "dna_index": g.dna_index,
                "karyotype": g.karyotype,
                "copy_number": dict(g.copy_number),
                "trisomies": list(g.trisomies),
            }
        )
    doc["mrd"] = [
        _clean({key: getattr(m, col) for key, col in _MRD_COLUMNS})
        | ({"warnings": list(m.warnings)} if m.warnings else {})
        for m in row.mrd
    ]
    doc["treatments"] = [
        _clean({c: getattr(t, c) for c in _TREATMENT_COLUMNS}) for t in row.treatments
    ]
    doc["outcomes"] = [_clean({c: getattr(o, c) for c in _OUTCOME_COLUMNS}) for o in row.outcomes]
    return _clean(doc)


def row_to_case(row: PatientRow) -> Case:
    """The domain :class:`Case` stored in ``row``."""
    return case_from_dict(row_to_doc(row))
