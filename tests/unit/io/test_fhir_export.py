"""The FHIR bundle: structure, MRD as fractions, statuses from review states, references."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from mrdguide.domain import ReviewState
from mrdguide.errors import IngestError
from mrdguide.io.fhir import (
    BASE,
    CodingMap,
    FHIRVersion,
    build_bundle,
    dump_bundle,
    load_coding_map,
    parse_coding_map,
    validate_bundle,
)

pytest.importorskip("fhir.resources")

_spec = importlib.util.spec_from_file_location(
    "_fhir_samples", Path(__file__).with_name("_fhir_samples.py")
)
samples = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(samples)  # type: ignore[union-attr]

EXAMPLE_MAP = (
    Path(__file__).parents[3] / "src" / "mrdguide" / "examples" / "interchange" / "fhir-codes.toml"
)


def _resources(bundle: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == rtype]


def _by_tp(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for o in _resources(bundle, "Observation"):
        tp = next(e for e in o["extension"] if e["url"].endswith("mrd-timepoint"))
        out[tp["valueCoding"]["code"]] = o
    return out


@pytest.fixture(scope="module", params=list(FHIRVersion))
def bundle(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The sample bundle, validated and read back from its JSON."""
    version = request.param
    doc = build_bundle(samples.full_input(), version=version, cmap=CodingMap())
    return dict(json.loads(dump_bundle(doc, version)))


def test_bundle_validates_as_r4b_and_r5() -> None:
    """The same input gives a bundle fhir.resources accepts in both releases."""
    for version in FHIRVersion:
        doc = build_bundle(samples.full_input(), version=version, cmap=CodingMap())
        model = validate_bundle(doc, version)
        assert model.type == "collection"
        assert len(model.entry) == len(doc["entry"])


def test_collection_with_urn_uuid_references(bundle: dict[str, Any]) -> None:
    """Every full URL is a urn:uuid, and every reference resolves inside the bundle."""
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert bundle["type"] == "collection"
    assert all(u.startswith("urn:uuid:") for u in urls)
    refs = _refs(bundle)
    assert refs and set(refs) <= urls
    counts = {
        t: len(_resources(bundle, t))
        for t in (
            "Patient",
            "Specimen",
            "Observation",
            "DiagnosticReport",
            "RiskAssessment",
            "Provenance",
        )
    }
    assert counts == {
        "Patient": 1,
        "Specimen": 5,
        "Observation": 5,
        "DiagnosticReport": 1,
        "RiskAssessment": 2,
        "Provenance": 10,
    }


def _quantities(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, dict):
        own = [obj] if "value" in obj and ("code" in obj or "unit" in obj) else []
        return own + [q for v in obj.values() for q in _quantities(v)]
    if isinstance(obj, list):
        return [q for v in obj for q in _quantities(v)]
    return []


def _refs(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        own = [obj["reference"]] if isinstance(obj.get("reference"), str) else []
        return own + [r for v in obj.values() for r in _refs(v)]
    if isinstance(obj, list):
        return [r for v in obj for r in _refs(v)]
    return []


def test_levels_are_fractions_never_percent(bundle: dict[str, Any]) -> None:
    """UCUM "1" values: a positive's level; a negative "<" its sensitivity, interpretation ND;
    a non-quantifiable positive "<" its quantitative range with interpretation DET."""
    obs = _by_tp(bundle)
    pos = obs["day8"]["valueQuantity"]
    assert (pos["value"], pos["system"], pos["code"]) == (0.012, "http://unitsofmeasure.org", "1")
    assert "comparator" not in pos
    neg = obs["eoi"]
    assert neg["valueQuantity"]["comparator"] == "<"
    assert neg["valueQuantity"]["value"] == pytest.approx(1e-5)
    assert neg["interpretation"][0]["coding"][0]["code"] == "ND"
    pnq = obs["day15"]
    assert pnq["interpretation"][0]["coding"][0]["code"] == "DET"
    assert (pnq["valueQuantity"]["comparator"], pnq["valueQuantity"]["value"]) == ("<", 1e-4)
    comps = {c["code"]["coding"][0]["code"]: c for c in pnq["component"]}
    assert comps["quantitative-range"]["valueQuantity"]["value"] == pytest.approx(1e-4)
    assert comps["level-estimate"]["valueQuantity"]["value"] == pytest.approx(5e-5)
    ne = obs["eoc"]
    assert "valueQuantity" not in ne
    assert ne["interpretation"][0]["coding"][0]["code"] == "IND"
    units = {(q.get("code"), q.get("unit")) for q in _quantities(bundle)}
    assert units and not {u for pair in units for u in pair} & {"%", "percent"}


def test_components(bundle: dict[str, Any]) -> None:
    """Sensitivity, quantitative range, cells analysed, markers, DNA input and the method."""
    comps = {c["code"]["coding"][0]["code"]: c for c in _by_tp(bundle)["eoi"]["component"]}
    assert comps["sensitivity"]["valueQuantity"]["value"] == pytest.approx(1e-5)
    assert comps["markers"]["valueInteger"] == 2
    assert comps["dna-input"]["valueQuantity"]["code"] == "ng"
    assert comps["method"]["valueCodeableConcept"]["coding"][0]["code"] == "pcr"
    day8 = {c["code"]["coding"][0]["code"]: c for c in _by_tp(bundle)["day8"]["component"]}
    assert day8["cells-analysed"]["valueQuantity"]["value"] == 500_000


def test_status_follows_the_review_state(bundle: dict[str, Any]) -> None:
    """Authorised: final; an authorised amendment of an authorised result: amended; draft,
    submitted and returned: preliminary. The version and state ride along."""
    obs = _by_tp(bundle)
    status = {tp: o["status"] for tp, o in obs.items()}
    assert status == {
        "day8": "final",
        "day15": "preliminary",
        "eoi": "amended",
        "eoc": "preliminary",
        "post_im1": "preliminary",
    }
    ext = {e["url"].rsplit("/", 1)[-1]: e for e in obs["eoi"]["extension"]}
    assert ext["record-version"]["valueInteger"] == 2
    assert ext["review-state"]["valueCode"] == "authorised"
    notes = [n["text"] for n in obs["eoi"]["note"]]
    assert any("second marker added" in n for n in notes)
    report = _resources(bundle, "DiagnosticReport")[0]
    assert report["status"] == "preliminary"  # some results are not authorised yet


def test_report_status_final_when_all_authorised() -> None:
    """With only authorised, unamended results the report is final."""
    inp = samples.full_input()
    only = tuple(
        r
        for r in inp.results
        if r.review_state is ReviewState.AUTHORISED and not r.amends_authorised
    )
    doc = build_bundle(
        samples.BundleInput(**{**_fields(inp), "results": only}),
        version=FHIRVersion.R5,
        cmap=CodingMap(),
    )
    assert _resources(doc, "DiagnosticReport")[0]["status"] == "final"


def _fields(inp: Any) -> dict[str, Any]:
    return {f: getattr(inp, f) for f in inp.__dataclass_fields__}


def test_specimen_dates_and_sample_day(bundle: dict[str, Any]) -> None:
    """Collection date = diagnosis date + sample day; the day is an extension too."""
    specimens = _resources(bundle, "Specimen")
    day8 = next(s for s in specimens if s["type"]["coding"][0]["code"] == "BLD")
    assert day8["collection"]["collectedDateTime"] == "2025-01-18"
    assert day8["extension"][0]["valueInteger"] == 8
    no_dx = build_bundle(
        samples.full_input(diagnosis=None), version=FHIRVersion.R4B, cmap=CodingMap()
    )
    for s in _resources(no_dx, "Specimen"):
        assert "collection" not in s
    assert all("effectiveDateTime" not in o for o in _resources(no_dx, "Observation"))


def test_report_and_risk_assessments(bundle: dict[str, Any]) -> None:
    """presentedForm carries the report; each protocol's RiskAssessment names the protocol,
    version and hash, the deciding results, the group and the estimate with its CI."""
    report = _resources(bundle, "DiagnosticReport")[0]
    form = report["presentedForm"][0]
    assert form["contentType"] == "application/pdf"
    assert base64.b64decode(form["data"]).startswith(b"%PDF")
    assert len(report["result"]) == 5
    ras = {r["method"]["coding"][0]["code"]: r for r in _resources(bundle, "RiskAssessment")}
    uk = ras["ukall2003"]
    assert "2003.1" in uk["method"]["text"] and "a" * 64 in uk["method"]["text"]
    pred = uk["prediction"][0]
    assert pred["qualitativeRisk"]["coding"][0]["code"] == "mrd-high"
    assert pred["probabilityDecimal"] == pytest.approx(0.12)
    ci = pred["extension"][0]["valueRange"]
    assert (ci["low"]["value"], ci["high"]["value"]) == (0.07, 0.2)
    eoi = _by_tp(bundle)["eoi"]
    full = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    assert uk["basis"] == [{"reference": full[eoi["id"]]}]
    assert any("Research use only" in n["text"] for n in uk["note"])
    bfm = ras["aieop-bfm-all-2000"]
    assert "basis" not in bfm and "probabilityDecimal" not in bfm["prediction"][0]


def test_provenance_names_who_authorised_when(bundle: dict[str, Any]) -> None:
    """One Provenance per review step; the authorisation names the reviewer and the time."""
    provs = _resources(bundle, "Provenance")
    day8 = _by_tp(bundle)["day8"]
    full = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    mine = [p for p in provs if p["target"] == [{"reference": full[day8["id"]]}]]
    assert len(mine) == 1 and mine[0]["agent"][0]["who"]["display"] == "lab-1"
    authorised = [
        p for p in provs if any(c["code"] == "authorise" for c in p["activity"]["coding"])
    ]
    assert {p["agent"][0]["who"]["display"] for p in authorised} == {"rev-2"}
    assert all(p["recorded"].startswith("2025-03-01T11:30") for p in authorised)
    returned = [p for p in provs if any(c["code"] == "return" for c in p["activity"]["coding"])]
    assert returned[0]["extension"][0]["valueString"] == "check the gating"


def test_stable_ids() -> None:
    """Exporting the same records twice gives the same bundle."""
    a = build_bundle(samples.full_input(), version=FHIRVersion.R5, cmap=CodingMap())
    b = build_bundle(samples.full_input(), version=FHIRVersion.R5, cmap=CodingMap())
    assert a == b


def test_coding_map_adds_configured_codes_after_the_local_code() -> None:
    """A configured coding is sent beside mrdguide's code, which always comes first."""
    cmap = parse_coding_map(
        {
            "version": 1,
            "observation": [
                {
                    "method": "flow",
                    "tissue": "bm",
                    "codings": [{"system": "urn:oid:2.999", "code": "LAB-MRD-1"}],
                }
            ],
        }
    )
    doc = build_bundle(samples.full_input(), version=FHIRVersion.R4B, cmap=cmap)
    codes = _by_tp(doc)["day15"]["code"]["coding"]
    assert codes[0]["system"] == f"{BASE}/CodeSystem/mrd"
    assert codes[1] == {"system": "urn:oid:2.999", "code": "LAB-MRD-1"}
    assert len(_by_tp(doc)["eoi"]["code"]["coding"]) == 1  # pcr/bm: nothing configured


def test_shipped_example_map_has_no_default_code() -> None:
    """The shipped example configures no external code: only mrdguide's local code is sent."""
    cmap = load_coding_map(EXAMPLE_MAP)
    assert all(not codes for codes in cmap.observation.values())
    assert cmap.report == ()
    text = EXAMPLE_MAP.read_text("utf-8")
    active = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert not [ln for ln in active if "loinc" in ln.lower()]
    assert not re.search(r"\b\d{4,5}-\d\b", text)  # nothing shaped like a LOINC code


def test_coding_map_errors_are_listed() -> None:
    """Unknown keys, bad methods and codes come back as one table."""
    with pytest.raises(IngestError) as err:
        parse_coding_map(
            {
                "version": 2,
                "colour": 1,
                "observation": [
                    {
                        "method": "facs",
                        "tissue": "bm",
                        "codings": [{"system": "loinc", "code": " x"}],
                    }
                ],
            }
        )
    fields = {i.field for i in err.value.issues}
    assert {
        "version",
        "colour",
        "observation[0].method",
        "observation[0].codings[0].system",
    } <= fields


def _empty_values(obj: Any, path: str = "") -> list[str]:
    if isinstance(obj, dict):
        own = [path] if not obj else []
        return own + [p for k, v in obj.items() for p in _empty_values(v, f"{path}.{k}")]
    if isinstance(obj, list):
        own = [path] if not obj else []
        return own + [p for i, v in enumerate(obj) for p in _empty_values(v, f"{path}[{i}]")]
    return [path] if obj == "" or obj is None else []


@pytest.mark.parametrize("version", list(FHIRVersion))
def test_no_empty_elements(version: FHIRVersion) -> None:
    """FHIR JSON has no empty objects, arrays, strings or nulls: also for a patient without
    results, report or risk assessments."""
    full = build_bundle(samples.full_input(), version=version, cmap=CodingMap())
    bare = samples.BundleInput(
        **{
            **_fields(samples.full_input()),
            "results": (),
            "risks": (),
            "report": None,
            "sex": None,
            "diagnosis_date": None,
        }
    )
    empty = build_bundle(bare, version=version, cmap=CodingMap())
    validate_bundle(empty, version)
    assert _empty_values(full) == [] and _empty_values(empty) == []
