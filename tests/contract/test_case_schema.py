"""The shipped case JSON Schema matches the case format of mrdguide.domain.case exactly."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mrdguide.cli.demo_cmd import example_cohort_dir
from mrdguide.domain import (
    CNSStatus,
    CopyNumber,
    Immunophenotype,
    InductionOutcome,
    MRDMethod,
    MRDStatus,
    OutcomeKind,
    RelapseSite,
    Sex,
    Timepoint,
    Tissue,
    TreatmentKind,
    case_to_dict,
)
from mrdguide.domain.case import CASE_KEYS, GENETICS_KEYS, OUTCOME_KEYS, TREATMENT_KEYS
from mrdguide.domain.mrd import MRD_KEYS
from mrdguide.io import case_schema, read_cohort

SCHEMA = case_schema()
DEFS = SCHEMA["$defs"]


def _validator() -> Draft202012Validator:
    return Draft202012Validator(case_schema())


def test_schema_is_valid_draft_2020_12() -> None:
    """The schema itself is a valid draft 2020-12 schema."""
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_case_schema_returns_a_fresh_copy() -> None:
    """Mutating the returned dictionary does not affect later calls."""
    case_schema()["title"] = "changed"
    assert case_schema()["title"] != "changed"


@pytest.mark.parametrize(
    ("props", "keys"),
    [
        (SCHEMA["properties"], CASE_KEYS),
        (DEFS["genetics"]["properties"], GENETICS_KEYS),
        (DEFS["mrd"]["properties"], MRD_KEYS),
        (DEFS["treatment"]["properties"], TREATMENT_KEYS),
        (DEFS["outcome"]["properties"], OUTCOME_KEYS),
    ],
)
def test_properties_are_exactly_the_domain_keys(
    props: dict[str, Any], keys: frozenset[str]
) -> None:
    """Every object lists exactly the keys case_from_dict accepts."""
    assert set(props) == set(keys)


def _enum(node: dict[str, Any]) -> set[Any]:
    return {v for v in node["enum"] if v is not None}


@pytest.mark.parametrize(
    ("node", "cls"),
    [
        (SCHEMA["properties"]["sex"], Sex),
        (SCHEMA["properties"]["immunophenotype"], Immunophenotype),
        (SCHEMA["properties"]["cns_status"], CNSStatus),
        (SCHEMA["properties"]["induction_outcome"], InductionOutcome),
        (DEFS["genetics"]["properties"]["copy_number"]["additionalProperties"], CopyNumber),
        (DEFS["mrd"]["properties"]["timepoint"], Timepoint),
        (DEFS["mrd"]["properties"]["tissue"], Tissue),
        (DEFS["mrd"]["properties"]["method"], MRDMethod),
        (DEFS["mrd"]["properties"]["status"], MRDStatus),
        (DEFS["treatment"]["properties"]["kind"], TreatmentKind),
        (DEFS["treatment"]["properties"]["triggered_by"], Timepoint),
        (DEFS["outcome"]["properties"]["kind"], OutcomeKind),
        (DEFS["outcome"]["properties"]["relapse_site"], RelapseSite),
    ],
)
def test_vocabularies_match_domain_enums(node: dict[str, Any], cls: type[StrEnum]) -> None:
    """Every enum in the schema equals the persisted values of the domain enum."""
    assert _enum(node) == {m.value for m in cls}


def test_every_property_is_described() -> None:
    """Every field carries a description (units are part of it)."""
    objects = [SCHEMA, *(DEFS[k] for k in ("genetics", "mrd", "treatment", "outcome"))]
    missing = [k for o in objects for k, v in o["properties"].items() if not v.get("description")]
    assert missing == []


def test_levels_are_fractions_with_units() -> None:
    """MRD levels are fractions in [0, 1] and say so."""
    for key in ("level", "sensitivity", "quantitative_range"):
        node = DEFS["mrd"]["properties"][key]
        assert (node["minimum"], node["maximum"], node["x-unit"]) == (0, 1, "fraction")


def test_shipped_cohort_validates() -> None:
    """Every case of the shipped cohort, serialised, is valid against the schema."""
    v = _validator()
    for case in read_cohort(example_cohort_dir() / "cohort_wide.csv").cases:
        assert list(v.iter_errors(case_to_dict(case))) == []


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"patient_id": ""},
        {"patient_id": "SYN-1", "unknown": 1},
        {"patient_id": "SYN-1", "wbc_per_ul": 12.0},
        {
            "patient_id": "SYN-1",
            "mrd": [{"timepoint": "eoi", "method": "flow", "status": "positive"}],
        },
        {
            "patient_id": "SYN-1",
            "mrd": [{"timepoint": "eoi", "method": "flow", "status": "negative", "level": 1e-3}],
        },
        {
            "patient_id": "SYN-1",
            "mrd": [{"timepoint": "eoi", "method": "flow", "status": "positive", "level": 5}],
        },
        {"patient_id": "SYN-1", "treatments": [{"kind": "intensification", "day": 90}]},
        {"patient_id": "SYN-1", "outcomes": [{"kind": "death", "day": 9, "relapse_site": "bm"}]},
        {"patient_id": "SYN-1", "genetics": {"trisomies": [23]}},
    ],
)
def test_schema_rejects_what_the_domain_rejects(doc: dict[str, Any]) -> None:
    """Documents that case_from_dict rejects are invalid against the schema too."""
    assert list(_validator().iter_errors(doc)) != []
