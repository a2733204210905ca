"""MRD Observations from a FHIR file: mrdguide's own bundles, or another system's.

An Observation is an MRD result when its code holds mrdguide's local code (``mrd-<method>-
<tissue>``) or a coding the laboratory's coding map lists for a method and tissue; any other
Observation is ignored and counted. What is read:

* the MRD status from mrdguide's ``mrd-status`` coding, else from the HL7 interpretation (ND,
  NEG: negative; POS, DET: positive, or positive below the quantitative range when the value
  has the comparator ``<``; IND: not evaluable);
* levels from quantities in UCUM ``1`` (fractions). A quantity whose unit is ``%`` is divided by
  100 and the conversion is reported; a quantity without a unit must be a fraction (a value
  above 1 is rejected); any other unit is rejected;
* the time point from mrdguide's extension, else from the sample day when exactly one time
  point's plausibility window holds it;
* the sample day from the ``sample-day`` extension, else from the collection (or effective)
  date and the patient's diagnosis date (resolved by the caller, who knows the registry);
* ``final``, ``amended`` and ``corrected`` results are authorised, ``preliminary`` and
  ``registered`` ones drafts; ``cancelled`` and ``entered-in-error`` ones are skipped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrdguide.domain import MRDMethod, MRDStatus, Tissue
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io.fhir._codes import (
    CS_MRD,
    CS_MRD_STATUS,
    CS_TIMEPOINT,
    EXT_SAMPLE_DAY,
    EXT_TIMEPOINT,
    GENDER,
    UCUM,
    UCUM_FRACTION,
    UCUM_PERCENT,
    V3_INTERPRETATION,
    Component,
    FHIRVersion,
)
from mrdguide.io.fhir._codingmap import CodingMap
from mrdguide.io.fhir._read import Entry, ResourceIndex, read_entries

__all__ = ["ImportedResult", "ParsedFile", "read_mrd_observations"]

_AUTHORISED = frozenset({"final", "amended", "corrected"})
_DRAFT = frozenset({"preliminary", "registered"})
_SKIPPED = frozenset({"cancelled", "entered-in-error"})
_V3_STATUS = {"ND": MRDStatus.NEGATIVE, "NEG": MRDStatus.NEGATIVE, "IND": MRDStatus.NOT_EVALUABLE}
_V3_DETECTED = frozenset({"POS", "DET"})
_SEX = {v: k.value for k, v in GENDER.items()}
_NOTE_PREFIX = "Quality note: "


@dataclass(slots=True, kw_only=True)
class ImportedResult:
    """One MRD result read from a file, in case-document form, not yet validated.

    ``doc`` may lack ``timepoint`` and ``day``: the caller resolves ``date`` against the
    patient's diagnosis date and then the time point from the day.
    """

    patient_id: str
    doc: dict[str, Any]
    date: dt.date | None
    authorised: bool
    source: str
    row: int
    label: str


@dataclass(slots=True)
class ParsedFile:
    """Results, patients (id -> recorded sex; every Patient identified in the coding map's
    system, with or without results), problems and notes (conversions, skips)."""

    results: list[ImportedResult] = field(default_factory=list)
    patients: dict[str, str | None] = field(default_factory=dict)
    issues: list[IngestIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: int = 0


class _Reader:
    def __init__(self, source: str, entry: Entry, out: ParsedFile) -> None:
        self.source, self.entry, self.out = source, entry, out
        self.ok = True

    def fail(self, where: str, value: Any, rule: str) -> None:
        shown = (
            value if isinstance(value, str | int | float | bool) or value is None else str(value)
        )
        self.out.issues.append(
            IngestIssue(
                file=self.source,
                row=self.entry.row,
                field=f"{self.entry.label}.{where}",
                value=shown,
                rule=rule,
            )
        )
        self.ok = False

    def fraction(self, q: Any, where: str) -> float | None:
        """A level as a fraction from a Quantity (see the module docstring)."""
        if not isinstance(q, dict) or not isinstance(q.get("value"), int | float):
            self.fail(where, None, "a quantity with a numeric value is required")
            return None
        value = float(q["value"])
        code, unit, system = q.get("code"), q.get("unit"), q.get("system")
        if code == UCUM_PERCENT or (code is None and unit == "%"):
            if not 0 <= value <= 100:
                self.fail(f"{where}.value", value, "MRD percentage must be in [0, 100]")
                return None
            converted = value / 100.0
            self.out.notes.append(
                f"{self.source}: {self.entry.label} {where} {value:g} % converted to the "
                f"fraction {converted:g} (the unit says %)"
            )
            return converted
        if code is not None and not (code == UCUM_FRACTION and system in (UCUM, None)):
            self.fail(f"{where}.code", code, "MRD unit must be UCUM '1' (a fraction) or '%'")
            return None
        if code is None and unit not in (None, "1"):
            self.fail(f"{where}.unit", unit, "MRD unit must be UCUM '1' (a fraction) or '%'")
            return None
        if not math.isfinite(value) or not 0 <= value <= 1:
            self.fail(
                f"{where}.value",
                value,
                "MRD level is a fraction in [0,1]; percent needs the unit '%'",
            )
            return None
        return value


def _codings(cc: Any) -> list[dict[str, Any]]:
    if not isinstance(cc, dict):
        return []
    return [c for c in cc.get("coding") or [] if isinstance(c, dict)]


def _method_tissue(obs: dict[str, Any], cmap: CodingMap) -> tuple[MRDMethod, Tissue] | None:
    for c in _codings(obs.get("code")):
        system, code = c.get("system"), str(c.get("code", ""))
        if system == CS_MRD and code.startswith("mrd-") and code.count("-") == 2:
            _, method, tissue = code.split("-")
            try:
                return MRDMethod(method), Tissue(tissue)
            except ValueError:
                return None
        found = cmap.lookup(str(system), code)
        if found is not None:
            return found
    return None


def _status(r: _Reader, obs: dict[str, Any]) -> MRDStatus | None:
    codes = [c for cc in obs.get("interpretation") or [] for c in _codings(cc)]
    for c in codes:
        if c.get("system") == CS_MRD_STATUS:
            try:
                return MRDStatus(str(c.get("code")))
            except ValueError:
                r.fail("interpretation", c.get("code"), "unknown mrdguide MRD status")
                return None
    v3 = [str(c.get("code")) for c in codes if c.get("system") == V3_INTERPRETATION]
    for code in v3:
        if code in _V3_STATUS:
            return _V3_STATUS[code]
        if code in _V3_DETECTED:
            below = (obs.get("valueQuantity") or {}).get("comparator") == "<"
            return MRDStatus.POSITIVE_NQ if below else MRDStatus.POSITIVE
    r.fail(
        "interpretation",
        ", ".join(v3) or None,
        "an MRD result needs an interpretation: ND or NEG (negative), POS or DET (detected), "
        "IND (not evaluable)",
    )
    return None


def _extension(res: dict[str, Any], url: str) -> dict[str, Any] | None:
    for e in res.get("extension") or []:
        if isinstance(e, dict) and e.get("url") == url:
            return e
    return None


def _component_values(r: _Reader, obs: dict[str, Any], doc: dict[str, Any]) -> None:
    for i, comp in enumerate(obs.get("component") or []):
        codes = [c.get("code") for c in _codings(comp.get("code")) if c.get("system") == CS_MRD]
        where = f"component[{i}]"
        for code in codes:
            if code == Component.SENSITIVITY:
                doc["sensitivity"] = r.fraction(comp.get("valueQuantity"), f"{where}.valueQuantity")
            elif code == Component.QUANTITATIVE_RANGE:
                doc["quantitative_range"] = r.fraction(
                    comp.get("valueQuantity"), f"{where}.valueQuantity"
                )
            elif code == Component.LEVEL_ESTIMATE:
                doc["level"] = r.fraction(comp.get("valueQuantity"), f"{where}.valueQuantity")
            elif code == Component.CELLS_ANALYSED:
                doc["cells_analysed"] = _count(r, comp, where)
            elif code == Component.MARKERS:
                doc["markers"] = _count(r, comp, where)
            elif code == Component.DNA_INPUT:
                q = comp.get("valueQuantity") or {}
                if q.get("code") not in (None, "ng"):
                    r.fail(f"{where}.valueQuantity.code", q.get("code"), "DNA input is in ng")
                doc["dna_ng"] = q.get("value")


def _count(r: _Reader, comp: dict[str, Any], where: str) -> int | None:
    raw = comp.get("valueInteger", (comp.get("valueQuantity") or {}).get("value"))
    if isinstance(raw, int | float) and float(raw).is_integer() and raw >= 0:
        return int(raw)
    r.fail(where, raw, "must be a whole number >= 0")
    return None


def _value(r: _Reader, obs: dict[str, Any], status: MRDStatus, doc: dict[str, Any]) -> None:
    q = obs.get("valueQuantity")
    if q is None:
        return
    below = isinstance(q, dict) and q.get("comparator") == "<"
    if isinstance(q, dict) and q.get("comparator") not in (None, "<"):
        r.fail("valueQuantity.comparator", q.get("comparator"), "only '<' is read for MRD")
        return
    value = r.fraction(q, "valueQuantity")
    if value is None:
        return
    if status is MRDStatus.POSITIVE and not below:
        doc["level"] = value
    elif status is MRDStatus.NEGATIVE and below:
        _agree(r, doc, "sensitivity", value)
    elif status is MRDStatus.POSITIVE_NQ and below:
        _agree(r, doc, "quantitative_range", value)
    elif status is MRDStatus.POSITIVE_NQ or (status is MRDStatus.NEGATIVE and value == 0):
        doc.setdefault("level", value)
    else:
        r.fail(
            "valueQuantity",
            value,
            f"a {status.value} result's value must be "
            + (
                "the level, without a comparator"
                if status is MRDStatus.POSITIVE
                else "'<' its sensitivity or quantitative range"
            ),
        )


def _agree(r: _Reader, doc: dict[str, Any], key: str, value: float) -> None:
    given = doc.get(key)
    if given is not None and not math.isclose(given, value, rel_tol=1e-9):
        r.fail("valueQuantity", value, f"disagrees with the {key} component ({given!r})")
        return
    doc[key] = value


def _day_and_date(
    r: _Reader, obs: dict[str, Any], specimen: Entry | None
) -> tuple[int | None, dt.date | None]:
    sources = [obs] if specimen is None else [specimen.resource, obs]
    for res in sources:
        ext = _extension(res, EXT_SAMPLE_DAY)
        if ext is not None:
            day = ext.get("valueInteger")
            if isinstance(day, int):
                return day, None
            r.fail("extension(sample-day)", day, "must be an integer")
    raw = None
    if specimen is not None:
        raw = (specimen.resource.get("collection") or {}).get("collectedDateTime")
    raw = raw or obs.get("effectiveDateTime")
    if isinstance(raw, str) and len(raw) >= 10:
        try:
            return None, dt.date.fromisoformat(raw[:10])
        except ValueError:
            r.fail("effectiveDateTime", raw, "must be a date")
    return None, None


def _patient_id(
    r: _Reader, obs: dict[str, Any], index: ResourceIndex, cmap: CodingMap
) -> str | None:
    subject = obs.get("subject")
    target = index.resolve(subject)
    idents = (target.resource.get("identifier") if target else None) or [
        (subject or {}).get("identifier") or {}
    ]
    for ident in idents:
        if isinstance(ident, dict) and ident.get("system") == cmap.patient_identifier_system:
            value = ident.get("value")
            if isinstance(value, str) and value.strip():
                if target is not None:
                    gender = target.resource.get("gender")
                    r.out.patients.setdefault(value, _SEX.get(str(gender)))
                return value
    r.fail(
        "subject",
        (subject or {}).get("reference"),
        f"the subject needs an identifier in {cmap.patient_identifier_system} (the patient "
        "id; a coding map can name another identifier system)",
    )
    return None


def _patient(res: dict[str, Any], cmap: CodingMap, out: ParsedFile) -> None:
    """Record a Patient identified in the coding map's system (with its gender, if any)."""
    for ident in res.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == cmap.patient_identifier_system:
            value = ident.get("value")
            if isinstance(value, str) and value.strip():
                out.patients.setdefault(value, _SEX.get(str(res.get("gender"))))


def _observation(
    r: _Reader, index: ResourceIndex, cmap: CodingMap, kind: tuple[MRDMethod, Tissue]
) -> ImportedResult | None:
    obs = r.entry.resource
    fhir_status = obs.get("status")
    if fhir_status in _SKIPPED:
        r.out.notes.append(f"{r.source}: {r.entry.label} skipped (status {fhir_status})")
        return None
    if fhir_status not in _AUTHORISED | _DRAFT:
        r.fail(
            "status", fhir_status, "must be final, amended, corrected, preliminary or registered"
        )
    pid = _patient_id(r, obs, index, cmap)
    status = _status(r, obs)
    doc: dict[str, Any] = {"method": kind[0].value, "tissue": kind[1].value}
    tp = _extension(obs, EXT_TIMEPOINT)
    coding = (tp or {}).get("valueCoding") or {}
    if tp is not None and coding.get("system") == CS_TIMEPOINT:
        doc["timepoint"] = coding.get("code")
    if status is not None:
        doc["status"] = status.value
        _component_values(r, obs, doc)
        _value(r, obs, status, doc)
    warnings = [
        n["text"][len(_NOTE_PREFIX) :]
        for n in obs.get("note") or []
        if isinstance(n, dict) and str(n.get("text", "")).startswith(_NOTE_PREFIX)
    ]
    if warnings:
        doc["warnings"] = warnings
    day, date = _day_and_date(r, obs, index.resolve(obs.get("specimen")))
    if day is not None:
        doc["day"] = day
    if not r.ok or pid is None:
        return None
    return ImportedResult(
        patient_id=pid,
        doc={k: v for k, v in doc.items() if v is not None},
        date=date,
        authorised=fhir_status in _AUTHORISED,
        source=r.source,
        row=r.entry.row,
        label=r.entry.label,
    )


def read_mrd_observations(
    path: Path, cmap: CodingMap, *, versions: tuple[FHIRVersion, ...] = tuple(FHIRVersion)
) -> ParsedFile:
    """Every MRD Observation of a FHIR file (see the module docstring).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    IngestError
        If the file does not validate, or an MRD Observation cannot be read (every problem is
        listed; nothing is returned).
    """
    out = ParsedFile()
    order = tuple(v for v in (FHIRVersion.R5, FHIRVersion.R4B) if v in versions)
    for index, entries in read_entries(path, versions=order):
        for entry in entries:
            if entry.resource.get("resourceType") == "Patient":
                _patient(entry.resource, cmap, out)
            if entry.resource.get("resourceType") != "Observation":
                continue
            kind = _method_tissue(entry.resource, cmap)
            if kind is None:
                out.ignored += 1
                continue
            found = _observation(_Reader(path.name, entry, out), index, cmap, kind)
            if found is not None:
                out.results.append(found)
    if out.issues:
        raise IngestError(out.issues)
    if out.ignored:
        out.notes.append(
            f"{path.name}: {out.ignored} Observation(s) without an MRD code were ignored (a "
            "coding map lists the codes of another system)"
        )
    return out
