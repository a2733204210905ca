"""Builders for protocol tests: a case document with every presenting feature filled in."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mrdguide.domain import Case, case_from_dict

BASE: dict[str, Any] = {
    "patient_id": "T1",
    "age_years": 5.0,
    "wbc_per_ul": 10000,
    "sex": "female",
    "immunophenotype": "B",
    "day8_pb_blasts_per_ul": 200,
    "induction_outcome": "cr",
    "cns_status": "CNS1",
    "testicular_involvement": False,
    "steroid_pretreatment": False,
    "down_syndrome": False,
    "genetics": {"lesions": [], "modal_chromosome_number": 46},
    "mrd": [],
}


def make_case(**overrides: Any) -> Case:
    """A complete synthetic case; keyword arguments replace top-level fields."""
    doc = copy.deepcopy(BASE)
    doc.update(overrides)
    return case_from_dict({k: v for k, v in doc.items() if v is not None})


def mrd(tp: str, status: str = "positive", level: float | None = None, **kw: Any) -> dict[str, Any]:
    """One MRD entry of the case format (PCR, bone marrow unless overridden)."""
    out: dict[str, Any] = {"timepoint": tp, "method": "pcr", "status": status, "tissue": "bm"}
    if level is not None:
        out["level"] = level
    out.update(kw)
    return out


@pytest.fixture
def case_builder() -> Any:
    """The :func:`make_case` builder."""
    return make_case
