"""Case documents: round trip, precise errors, units never coerced."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mrdguide.domain import (
    CopyNumber,
    MRDStatus,
    Timepoint,
    Tissue,
    case_from_dict,
    case_to_dict,
)
from mrdguide.errors import InputError, UnitError

DOC: dict[str, Any] = {
    "patient_id": "SYN-0001",
    "age_years": 4.5,
    "sex": "female",
    "immunophenotype": "B",
    "wbc_per_ul": 12000,
    "cns_status": "CNS1",
    "down_syndrome": False,
    "day8_pb_blasts_per_ul": 200,
    "induction_outcome": "cr",
    "genetics": {
        "lesions": ["ETV6::RUNX1"],
        "modal_chromosome_number": 46,
        "copy_number": {"ikzf1": "deleted", "CDKN2A": "normal"},
        "trisomies": [21, 4],
    },
    "mrd": [
        {
            "timepoint": "eoi",
            "day": 29,
            "tissue": "bm",
            "method": "flow",
            "status": "positive",
            "level": 2e-3,
            "sensitivity": 1e-4,
            "quantitative_range": 1e-4,
        },
        {
            "timepoint": "eoc",
            "day": 78,
            "method": "pcr",
            "status": "negative",
            "sensitivity": 1e-5,
            "markers": 2,
        },
    ],
    "treatments": [{"kind": "intensification", "day": 35, "triggered_by": "eoi"}],
    "outcomes": [
        {"kind": "relapse", "day": 900, "relapse_site": "bm"},
        {"kind": "last_follow_up", "day": 1500},
    ],
}


def test_round_trip_preserves_document() -> None:
    """case_to_dict(case_from_dict(d)) reproduces the document (normalised)."""
    case = case_from_dict(DOC)
    again = case_from_dict(case_to_dict(case))
    assert again == case
    out = case_to_dict(case)
    assert out["genetics"]["copy_number"] == {"CDKN2A": "normal", "IKZF1": "deleted"}
    assert out["genetics"]["trisomies"] == [4, 21]
    assert out["mrd"][1]["tissue"] == "bm"


def test_typed_values() -> None:
    """Fields come back as enums and MRDLevel fractions."""
    case = case_from_dict(DOC)
    eoi = case.mrd_at(Timepoint.EOI)
    assert eoi is not None and eoi.status is MRDStatus.POSITIVE
    assert eoi.level is not None and eoi.level.fraction == 2e-3
    assert case.genetics is not None and case.genetics.cn("IKZF1") is CopyNumber.DELETED
    assert case.patient.nci_risk == "standard"


def test_percent_level_rejected_with_path() -> None:
    """A level of 5 (percent) is rejected, naming mrd[0].level and the rule."""
    doc = copy.deepcopy(DOC)
    doc["mrd"][0]["level"] = 5
    with pytest.raises(InputError) as info:
        case_from_dict(doc)
    assert info.value.field == "mrd[0].level"
    assert "percent" in str(info.value)


def test_unknown_vocabulary_names_allowed_values() -> None:
    """An unknown tissue lists the allowed values."""
    doc = copy.deepcopy(DOC)
    doc["mrd"][1]["tissue"] = "csf"
    with pytest.raises(InputError, match="'bm', 'pb'") as info:
        case_from_dict(doc)
    assert info.value.field == "mrd[1].tissue"


def test_unknown_field_rejected() -> None:
    """A misspelt field is an error, not silently dropped."""
    doc = copy.deepcopy(DOC)
    doc["wbc"] = 1000
    with pytest.raises(InputError, match="unknown field"):
        case_from_dict(doc)


def test_negative_with_level_rejected() -> None:
    """A 'negative' result cannot carry a non-zero level."""
    doc = copy.deepcopy(DOC)
    doc["mrd"][1]["level"] = 1e-4
    with pytest.raises(InputError, match="negative"):
        case_from_dict(doc)


def test_positive_without_level_rejected() -> None:
    """A 'positive' result needs a level."""
    doc = copy.deepcopy(DOC)
    del doc["mrd"][0]["level"]
    with pytest.raises(InputError, match="needs a level"):
        case_from_dict(doc)


def test_wbc_in_giga_per_litre_rejected() -> None:
    """WBC 12 (10^9/L) is a unit error, not 12 cells/µL."""
    doc = copy.deepcopy(DOC)
    doc["wbc_per_ul"] = 12
    with pytest.raises(UnitError, match="10\\^9/L"):
        case_from_dict(doc)


def test_impossible_event_order_rejected() -> None:
    """Follow-up before relapse is an impossible order."""
    doc = copy.deepcopy(DOC)
    doc["outcomes"][1]["day"] = 100
    with pytest.raises(InputError, match="last follow-up"):
        case_from_dict(doc)


def test_mrd_at_prefers_bone_marrow() -> None:
    """With BM and PB at one time point, BM is returned unless PB is asked for."""
    doc = copy.deepcopy(DOC)
    doc["mrd"].append(
        {
            "timepoint": "eoi",
            "day": 29,
            "tissue": "pb",
            "method": "flow",
            "status": "negative",
            "sensitivity": 1e-4,
        }
    )
    case = case_from_dict(doc)
    bm = case.mrd_at(Timepoint.EOI)
    pb = case.mrd_at(Timepoint.EOI, Tissue.PERIPHERAL_BLOOD)
    assert bm is not None and bm.tissue is Tissue.BONE_MARROW
    assert pb is not None and pb.status is MRDStatus.NEGATIVE


def test_intensification_requires_trigger() -> None:
    """An intensification without its triggering time point is rejected."""
    doc = copy.deepcopy(DOC)
    del doc["treatments"][0]["triggered_by"]
    with pytest.raises(InputError, match="triggered"):
        case_from_dict(doc)


def test_patient_repr_masks_identifier() -> None:
    """repr() of a patient does not leak the identifier into logs."""
    case = case_from_dict(DOC)
    assert "SYN-0001" not in repr(case.patient)
