"""Reading MRD Observations: mrdguide's bundles, another system's feed, units and errors."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from mrdguide.errors import IngestError
from mrdguide.io.fhir import (
    CodingMap,
    FHIRVersion,
    build_bundle,
    load_coding_map,
    read_mrd_observations,
)

pytest.importorskip("fhir.resources")

_spec = importlib.util.spec_from_file_location(
    "_fhir_samples", Path(__file__).with_name("_fhir_samples.py")
)
samples = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(samples)  # type: ignore[union-attr]

DATA = Path(__file__).parents[2] / "data" / "fhir"
FEED = DATA / "lab_feed_bundle.json"
FEED_CODES = DATA / "lab_feed_codes.toml"


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "b.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.parametrize("version", list(FHIRVersion))
def test_own_bundle_reads_back_every_result(tmp_path: Path, version: FHIRVersion) -> None:
    """Every status, level, limit, count and warning comes back as it was exported."""
    inp = samples.full_input()
    path = _write(tmp_path, build_bundle(inp, version=version, cmap=CodingMap()))
    parsed = read_mrd_observations(path, CodingMap())
    got = {r.doc["timepoint"]: r for r in parsed.results}
    for rec in inp.results:
        m = rec.measurement
        assert got[m.timepoint.value].doc == m.to_dict()
    authorised = {tp for tp, r in got.items() if r.authorised}
    assert authorised == {"day8", "eoi"}  # final and amended; the others are preliminary
    assert parsed.patients == {"SYN-0001": "female"}
    assert parsed.notes == []


def test_foreign_feed_with_a_coding_map(tmp_path: Path) -> None:
    """A lab feed's own code is recognised through the coding map; % is converted (and the
    conversion stated); other Observations are ignored; entered-in-error ones skipped."""
    parsed = read_mrd_observations(FEED, load_coding_map(FEED_CODES))
    assert len(parsed.results) == 1
    r = parsed.results[0]
    assert r.patient_id == "SYN-7001"
    assert r.doc == {"method": "flow", "tissue": "bm", "status": "positive", "level": 0.0025}
    assert str(r.date) == "2024-02-04" and "timepoint" not in r.doc
    assert any("0.25 % converted to the fraction 0.0025" in n for n in parsed.notes)
    assert any("entered-in-error" in n for n in parsed.notes)
    assert any("1 Observation(s) without an MRD code were ignored" in n for n in parsed.notes)
    assert read_mrd_observations(FEED, CodingMap()).results == []  # no map: nothing is MRD


def _feed_with(change: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(FEED.read_text("utf-8"))
    doc["entry"][2]["resource"].update(copy.deepcopy(change))
    return dict(doc)


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"valueQuantity": {"value": 2.5}}, "valueQuantity.value", "fraction in [0,1]"),
        (
            {"valueQuantity": {"value": 0.1, "code": "mg", "system": "http://unitsofmeasure.org"}},
            "valueQuantity.code",
            "UCUM '1'",
        ),
        ({"valueQuantity": {"value": 120, "code": "%"}}, "valueQuantity.value", "[0, 100]"),
        ({"interpretation": []}, "interpretation", "needs an interpretation"),
        ({"status": "unknown"}, "status", "must be final"),
        (
            {"valueQuantity": {"value": 0.001, "comparator": ">="}},
            "valueQuantity.comparator",
            "only '<'",
        ),
    ],
)
def test_bad_values_are_listed(
    tmp_path: Path, change: dict[str, Any], field: str, rule: str
) -> None:
    """A value above 1 without a unit, another unit, a bad percentage, a missing
    interpretation: each is one issue naming the resource, the field and the rule."""
    path = _write(tmp_path, _feed_with(change))
    with pytest.raises(IngestError) as err:
        read_mrd_observations(path, load_coding_map(FEED_CODES))
    issues = err.value.issues
    assert len(issues) == 1
    assert issues[0].field == f"Observation/lab-1.{field}"
    assert rule in issues[0].rule
    assert (issues[0].file, issues[0].row) == ("b.json", 3)


def test_structurally_invalid_bundle(tmp_path: Path) -> None:
    """fhir.resources' errors become issues with the element path."""
    doc = json.loads(FEED.read_text("utf-8"))
    del doc["entry"][2]["resource"]["code"]
    path = _write(tmp_path, doc)
    with pytest.raises(IngestError) as err:
        read_mrd_observations(path, load_coding_map(FEED_CODES), versions=(FHIRVersion.R4B,))
    assert any(i.field == "entry[2].resource.code" for i in err.value.issues)


def test_ndjson_rows_are_lines(tmp_path: Path) -> None:
    """In NDJSON the row is the line; a line that is not JSON is named."""
    good = json.dumps(json.loads(FEED.read_text("utf-8")))
    path = tmp_path / "feed.ndjson"
    path.write_text(f"{good}\n\n{{not json\n", "utf-8")
    with pytest.raises(IngestError) as err:
        read_mrd_observations(path, load_coding_map(FEED_CODES))
    assert err.value.issues[0].row == 3
    path.write_text(f"{good}\n{good}\n", "utf-8")
    assert len(read_mrd_observations(path, load_coding_map(FEED_CODES)).results) == 2


def test_not_a_bundle(tmp_path: Path) -> None:
    """A JSON file that is not a Bundle is refused."""
    path = _write(tmp_path, {"resourceType": "Patient"})
    with pytest.raises(IngestError, match="expected a FHIR Bundle"):
        read_mrd_observations(path, CodingMap())


def test_deeply_nested_json_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    """A 10,000-level nested document is refused with an issue."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 10_000 + "]" * 10_000, "utf-8")
    with pytest.raises(IngestError, match="not valid JSON"):
        read_mrd_observations(path, CodingMap())
