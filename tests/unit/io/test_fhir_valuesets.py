"""Every coded element of an exported bundle, checked against the official value sets.

fhir.resources accepts ``Observation.status = "bogus"``, so this test walks every element of
R4B and R5 bundles with the element definitions and bindings of the official packages
(``tests/data/fhir/bindings.json``, extracted from hl7.fhir.r4b.core 4.3.0, hl7.fhir.r5.core
5.0.0 and hl7.terminology.r4 7.0.1 by ``extract_bindings.py``) and checks:

* required bindings: the code is in the value set;
* extensible bindings: a coding of the value set is present (documented exceptions below) and
  every coding from its systems is in it;
* preferred/example bindings and unbound codings: every HL7 coding exists in its code system
  with the official display; every mrdguide coding exists in mrdguide's code systems;
* UCUM units are the ones mrdguide means ("1", "{cells}", "ng", "a"), never "%".
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mrdguide.io.fhir import BASE, CodingMap, FHIRVersion, build_bundle, local_code_systems
from mrdguide.protocols import available_protocols, load_ruleset

pytest.importorskip("fhir.resources")

_spec = importlib.util.spec_from_file_location(
    "_fhir_samples", Path(__file__).with_name("_fhir_samples.py")
)
samples = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(samples)  # type: ignore[union-attr]

DATA = json.loads(
    (Path(__file__).parents[2] / "data" / "fhir" / "bindings.json").read_text("utf-8")
)
UCUM = "http://unitsofmeasure.org"
UCUM_CODES = {"1", "{cells}", "ng", "a"}
MIME = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
#: Extensible bindings with no suitable code for some of mrdguide's concepts (allowed by the
#: extensible strength): R4B Provenance.activity has no code for submitting or returning.
NO_SUITABLE = {("R4B", "Provenance.activity"): {"submit", "return"}}

Found = tuple[str, str, Any]  # element path, type, value


def _elements(version: str) -> dict[str, Any]:
    return DATA["versions"][version]["elements"]


def _resolve(elems: dict[str, Any], base: str, key: str) -> tuple[str, str] | None:
    """The element path and type of ``key`` under ``base`` (choice types resolved)."""
    path = f"{base}.{key}"
    if path in elems:
        e = elems[path]
        if "contentReference" in e:
            return e["contentReference"], "BackboneElement"
        return path, e["types"][0] if e["types"] else "BackboneElement"
    for p, e in elems.items():
        if p.startswith(f"{base}.") and p.endswith("[x]"):
            stem = p[len(base) + 1 : -3]
            if "." not in stem and key.startswith(stem):
                t = key[len(stem) :]
                for typ in e["types"]:
                    if typ[0].upper() + typ[1:] == t:
                        return p, typ
    return None


def walk(version: str, base: str, obj: dict[str, Any], errors: list[str]) -> Iterator[Found]:
    """Every (element path, type, value) of ``obj``, an instance of ``base``."""
    elems = _elements(version)
    for key, value in obj.items():
        if key == "resourceType":
            continue
        found = _resolve(elems, base, key)
        if found is None:
            errors.append(f"{base}.{key}")
            continue
        path, typ = found
        for item in value if isinstance(value, list) else [value]:
            yield path, typ, item
            if typ in ("BackboneElement", "Element"):
                yield from walk(version, path, item, errors)
            elif typ == "Resource":
                yield from walk(version, item["resourceType"], item, errors)
            elif typ[0].isupper():
                yield from walk(version, typ, item, errors)


def _vs_codes(version: str, url: str) -> tuple[set[tuple[str, str]], bool]:
    vs = DATA["versions"][version]["valuesets"].get(url, {"codes": [], "complete": False})
    return {(s, c) for s, c in vs["codes"]}, vs["complete"]


def _local_codes() -> dict[str, set[str]]:
    out = {s: set(c) for s, c in local_code_systems().items()}
    out[f"{BASE}/CodeSystem/protocol"] = set(available_protocols())
    for p in available_protocols():
        groups = set(load_ruleset(p).groups) | {"not_assignable"}
        out[f"{BASE}/CodeSystem/risk-group/{p}"] = groups
    return out


LOCAL = _local_codes()


def check_coding(c: dict[str, Any]) -> str | None:
    """A problem with one Coding, or ``None``."""
    system, code, display = c.get("system"), c.get("code"), c.get("display")
    if system in DATA["codesystems"]:
        official = DATA["codesystems"][system]
        if code not in official:
            return f"{system}#{code} is not in the code system"
        if display is not None and display != official[code]:
            return f"{system}#{code} display {display!r} != {official[code]!r}"
        return None
    if isinstance(system, str) and system.startswith(BASE):
        return None if code in LOCAL.get(system, set()) else f"{system}#{code} undefined"
    return f"unknown code system {system!r}"


def _codings(typ: str, value: Any) -> list[dict[str, Any]]:
    if typ == "Coding":
        return [value]
    if typ == "CodeableConcept":
        return list(value.get("coding", []))
    return []


def check_binding(version: str, path: str, typ: str, value: Any) -> list[str]:
    """Problems of one bound element."""
    binding = _elements(version)[path].get("binding")
    if binding is None:
        return []
    url, strength = binding["valueSet"], binding["strength"]
    codes, complete = _vs_codes(version, url)
    systems = {s for s, _ in codes}
    if typ == "code":
        if url.endswith("/mimetypes"):
            return [] if MIME.match(value) else [f"{path}: {value!r} is not a MIME type"]
        if strength == "required" and not complete:
            return [f"{path}: required value set {url} not available to check {value!r}"]
        ok = any(c == value for _, c in codes)
        return [] if ok or strength != "required" else [f"{path}: {value!r} not in {url}"]
    codings = _codings(typ, value)
    problems = [
        f"{path}: {c.get('system')}#{c.get('code')} not in {url}"
        for c in codings
        if c.get("system") in systems and (c.get("system"), c.get("code")) not in codes
    ]
    in_vs = [c for c in codings if (c.get("system"), c.get("code")) in codes]
    if strength in ("required", "extensible") and complete and not in_vs:
        local = {c.get("code") for c in codings if str(c.get("system")).startswith(BASE)}
        if not local <= NO_SUITABLE.get((version, path), set()) or not local:
            problems.append(f"{path}: no coding from {url} ({strength})")
    return problems


def bundles() -> Iterator[tuple[str, dict[str, Any]]]:
    """R4B and R5 bundles of the sample inputs (with and without a diagnosis date)."""
    for version in FHIRVersion:
        for inp in (samples.full_input(), samples.full_input(diagnosis=None, report="html")):
            yield version.value, build_bundle(inp, version=version, cmap=CodingMap())


@pytest.mark.parametrize(("version", "bundle"), list(bundles()))
def test_every_coded_element_is_in_its_value_set(version: str, bundle: dict[str, Any]) -> None:
    """Required, extensible and example bindings, and every coding's code system."""
    errors: list[str] = []
    found = list(walk(version, "Bundle", bundle, errors))
    assert not errors, f"elements unknown to {version}: {errors}"
    problems: list[str] = []
    for path, typ, value in found:
        problems += check_binding(version, path, typ, value)
        problems += [p for c in _codings(typ, value) if (p := check_coding(c)) is not None]
        ucum = typ == "Quantity" and value.get("system") == UCUM
        if ucum and value.get("code") not in UCUM_CODES:
            problems.append(f"{path}: UCUM code {value.get('code')!r}")
    assert not problems, "\n".join(problems)
    kinds = {p for p, t, _ in found if t in ("code", "Coding", "CodeableConcept")}
    for expected in (
        "Bundle.type",
        "Patient.gender",
        "Observation.status",
        "Observation.interpretation",
        "Specimen.type",
        "DiagnosticReport.status",
        "RiskAssessment.status",
        "Provenance.activity",
        "Quantity.comparator",
        "Attachment.contentType",
        "Identifier.use",
    ):
        assert expected in kinds, f"{expected} not exercised"


def test_the_checker_catches_bad_codes() -> None:
    """The checks can fail: a bogus status, an unknown interpretation, a wrong display."""
    assert check_binding("R5", "Observation.status", "code", "bogus")
    assert check_binding("R4B", "Bundle.type", "code", "collection") == []
    bad = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                "code": "XYZ",
            }
        ]
    }
    assert check_binding("R4B", "Observation.interpretation", "CodeableConcept", bad)
    assert check_coding(
        {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0487",
            "code": "MAR",
            "display": "Bone marrow",
        }
    )
    assert check_coding({"system": f"{BASE}/CodeSystem/mrd-status", "code": "maybe"})
    assert check_coding({"system": "http://loinc.org", "code": "00000-0"})
    errors: list[str] = []
    list(walk("R5", "Observation", {"resourceType": "Observation", "statuss": "x"}, errors))
    assert errors == ["Observation.statuss"]


def test_fixture_provenance() -> None:
    """The binding fixture names the official packages it was extracted from."""
    prov = DATA["provenance"]
    assert prov["packages"] == [
        "hl7.fhir.r4b.core@4.3.0",
        "hl7.fhir.r5.core@5.0.0",
        "hl7.terminology.r4@7.0.1",
    ]
    assert len(prov["files_sha256"]) > 20
