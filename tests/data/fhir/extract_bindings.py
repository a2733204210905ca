"""Extract the element types, bindings and code lists the FHIR value-set tests check against.

Run once from the official packages (npm registry; HL7, CC0/public domain)::

    npm pack hl7.fhir.r4b.core@4.3.0 hl7.fhir.r5.core@5.0.0 hl7.terminology.r4@7.0.1
    python tests/data/fhir/extract_bindings.py R4B=DIR/r4b R5=DIR/r5 THO=DIR/tho \
        > tests/data/fhir/bindings.json

(each DIR is an unpacked tarball, holding ``package/``). The output names the packages, their
versions and the sha256 of every file read; tests never regenerate it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

RESOURCES = (
    "Bundle",
    "Patient",
    "Specimen",
    "Observation",
    "DiagnosticReport",
    "RiskAssessment",
    "Provenance",
)
DATATYPES = (
    "Quantity",
    "Coding",
    "CodeableConcept",
    "Reference",
    "Identifier",
    "Annotation",
    "Attachment",
    "Range",
    "Extension",
    "Meta",
    "Narrative",
    "Period",
    "Element",
    "BackboneElement",
    "Resource",
    "DomainResource",
    "CodeableReference",
)
MAX_CODES = 400

read: dict[str, str] = {}


def load(path: Path) -> Any:
    data = path.read_bytes()
    read[str(path.relative_to(path.parents[2]))] = hashlib.sha256(data).hexdigest()
    return json.loads(data)


def elements(pkg: Path, name: str) -> dict[str, Any]:
    sd = load(pkg / f"StructureDefinition-{name}.json")
    out = {}
    for e in sd["snapshot"]["element"]:
        item: dict[str, Any] = {
            "types": [t["code"] for t in e.get("type", [])],
            "max": e.get("max"),
        }
        if "contentReference" in e:
            item["contentReference"] = e["contentReference"].split("#")[-1]
        b = e.get("binding")
        if b and b.get("valueSet"):
            item["binding"] = {"strength": b["strength"], "valueSet": b["valueSet"].split("|")[0]}
        out[e["path"]] = item
    return out


_INDEX: dict[str, Path] = {}


def code_system(dirs: list[Path], url: str) -> dict[str, str] | None:
    if not _INDEX:
        for d in reversed(dirs):  # the first directory wins
            for f in d.glob("CodeSystem-*.json"):
                _INDEX[json.loads(f.read_text("utf-8")).get("url", "")] = f
    f = _INDEX.get(url)
    if f is None:
        return None
    cs = load(f)
    codes: dict[str, str] = {}

    def walk(concepts: list[dict[str, Any]]) -> None:
        for c in concepts:
            codes[c["code"]] = c.get("display", "")
            walk(c.get("concept", []))

    walk(cs.get("concept", []))
    return codes


def value_set(dirs: list[Path], url: str, systems: dict[str, Any]) -> dict[str, Any]:
    for d in dirs:
        for f in d.glob("ValueSet-*.json"):
            vs = json.loads(f.read_text("utf-8"))
            if vs.get("url") != url:
                continue
            load(f)
            codes: list[list[str]] = []
            complete = True
            for inc in vs.get("compose", {}).get("include", []):
                system = inc.get("system")
                if system is None or inc.get("filter") or inc.get("valueSet"):
                    complete = False
                    continue
                if inc.get("concept"):
                    codes += [[system, c["code"]] for c in inc["concept"]]
                    continue
                cs = systems.get(system) or code_system(dirs, system)
                if cs is None or len(cs) > MAX_CODES:
                    complete = False
                    continue
                systems[system] = cs
                codes += [[system, c] for c in cs]
            return {"codes": codes, "complete": complete}
    return {"codes": [], "complete": False}


def main(argv: list[str]) -> None:
    dirs = dict(a.split("=", 1) for a in argv)
    tho = Path(dirs["THO"]) / "package"
    out: dict[str, Any] = {"versions": {}, "codesystems": {}}
    systems: dict[str, dict[str, str]] = {}
    for rel in ("R4B", "R5"):
        pkg = Path(dirs[rel]) / "package"
        _INDEX.clear()
        systems.clear()
        manifest = json.loads((pkg / "package.json").read_text("utf-8"))
        elems: dict[str, Any] = {}
        for name in (*RESOURCES, *DATATYPES):
            elems.update(elements(pkg, name))
        valuesets = {}
        for e in elems.values():
            url = e.get("binding", {}).get("valueSet")
            if url and url not in valuesets:
                valuesets[url] = value_set([pkg, tho], url, systems)
        out["versions"][rel] = {
            "package": f"{manifest['name']}@{manifest['version']}",
            "elements": elems,
            "valuesets": valuesets,
        }
    wanted = (
        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
        "http://terminology.hl7.org/CodeSystem/observation-category",
        "http://terminology.hl7.org/CodeSystem/v2-0487",
        "http://terminology.hl7.org/CodeSystem/v2-0074",
        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
        "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
        "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion",
        "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle",
    )
    _INDEX.clear()
    for url in wanted:
        out["codesystems"][url] = code_system([tho], url) or {}
    out["provenance"] = {
        "packages": [out["versions"][r]["package"] for r in ("R4B", "R5")]
        + [
            json.loads((tho / "package.json").read_text("utf-8"))["name"]
            + "@"
            + json.loads((tho / "package.json").read_text("utf-8"))["version"]
        ],
        "files_sha256": dict(sorted(read.items())),
        "script": "tests/data/fhir/extract_bindings.py",
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
    }
    json.dump(out, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
