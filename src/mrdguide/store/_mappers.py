"""Between domain objects and version rows.

A case is stored as two kinds of versioned record: its case document without MRD results (one
JSON document per version) and each MRD result (one row per version, keyed by time point,
tissue and method). Rows are converted through the case document, so the database holds
exactly what the case format can express and :func:`~mrdguide.domain.case_from_dict`
re-validates on the way out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mrdguide.domain import Case, MRDMeasurement, case_from_dict, case_to_dict
from mrdguide.store.tables import MRDVersionRow

#: An MRD result's key: (time point, tissue, method).
MRDKey = tuple[str, str, str]

MRD_VALUE_COLUMNS = (
    ("day", "sample_day"),
    ("status", "status"),
    ("level", "level"),
    ("sensitivity", "sensitivity"),
    ("quantitative_range", "quantitative_range"),
    ("markers", "markers"),
    ("cells_analysed", "cells_analysed"),
    ("dna_ng", "dna_ng"),
)

__all__ = [
    "MRDKey",
    "build_case",
    "case_document",
    "key_label",
    "mrd_columns",
    "mrd_key",
    "row_key",
    "row_measurement_doc",
]


def case_document(case: Case) -> dict[str, Any]:
    """The case document without its MRD results (what a case version stores)."""
    doc = case_to_dict(case)
    doc.pop("mrd", None)
    return doc


def mrd_key(m: MRDMeasurement) -> MRDKey:
    """The key of a measurement: (time point, tissue, method)."""
    return (m.timepoint.value, m.tissue.value, m.method.value)


def row_key(r: MRDVersionRow) -> MRDKey:
    """The key of a stored MRD version."""
    return (r.timepoint, r.tissue, r.method)


def key_label(key: MRDKey) -> str:
    """``eoi/bm/flow``: the key as one string (for messages and version references)."""
    return "/".join(key)


def mrd_columns(m: MRDMeasurement) -> dict[str, Any]:
    """Column values of an MRD version row for ``m`` (levels as fractions)."""
    doc = m.to_dict()
    values: dict[str, Any] = {col: doc.get(key) for key, col in MRD_VALUE_COLUMNS}
    values.update(
        timepoint=doc["timepoint"], tissue=doc["tissue"], method=doc["method"],
        warnings=list(doc.get("warnings", [])),
    )  # fmt: skip
    return values


def row_measurement_doc(r: MRDVersionRow | Any) -> dict[str, Any]:
    """The case-document form of a stored MRD version."""
    doc: dict[str, Any] = {"timepoint": r.timepoint, "tissue": r.tissue, "method": r.method}
    for key, col in MRD_VALUE_COLUMNS:
        value = getattr(r, col)
        if value is not None:
            doc[key] = value
    if r.warnings:
        doc["warnings"] = list(r.warnings)
    return doc


def build_case(
    patient_id: str, document: dict[str, Any] | None, mrd: Iterable[MRDVersionRow]
) -> Case:
    """The domain case from a case document (``None``: identity only) and MRD versions."""
    doc = dict(document or {"patient_id": patient_id})
    doc["patient_id"] = patient_id
    doc["mrd"] = [row_measurement_doc(r) for r in mrd]
    return case_from_dict(doc)
