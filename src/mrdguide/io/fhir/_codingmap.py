"""A laboratory's FHIR coding map (TOML): which extra codes to send beside mrdguide's own.

No LOINC code for MRD was found, so none is built in: every exported Observation carries
mrdguide's local code (:func:`mrdguide.io.fhir._codes.observation_code`), plus the codings a
laboratory lists here for its method and tissue. The same map tells the importer which codes of
another system's Observations are MRD results, and of which method and tissue.

Format (``version = 1``; unknown keys are rejected)::

    version = 1

    [patient]
    identifier_system = "urn:oid:2.999.1"      # optional; default mrdguide's own system

    [[observation]]
    method = "flow"                            # flow | pcr | ngs
    tissue = "bm"                              # bm | pb
    codings = [{ system = "http://loinc.org", code = "...", display = "..." }]

    [report]
    codings = [{ system = "...", code = "...", display = "..." }]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrdguide.domain import MRDMethod, Tissue
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io.fhir._codes import ID_PATIENT, Code

FORMAT_VERSION = 1
_TOP_KEYS = frozenset({"version", "patient", "observation", "report"})
_CODING_KEYS = frozenset({"system", "code", "display"})

__all__ = ["CodingMap", "load_coding_map", "parse_coding_map"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CodingMap:
    """Configured codings by method and tissue, for the report, and the patient id system."""

    patient_identifier_system: str = ID_PATIENT
    observation: Mapping[tuple[MRDMethod, Tissue], tuple[Code, ...]] = field(default_factory=dict)
    report: tuple[Code, ...] = ()

    def observation_codes(self, method: MRDMethod, tissue: Tissue) -> tuple[Code, ...]:
        """The configured extra codings of an MRD result (empty when none are configured)."""
        return tuple(self.observation.get((method, tissue), ()))

    def lookup(self, system: str, code: str) -> tuple[MRDMethod, Tissue] | None:
        """The method and tissue a configured coding stands for (``None``: not configured)."""
        for key, codes in self.observation.items():
            if any(c.system == system and c.code == code for c in codes):
                return key
        return None


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[IngestIssue] = []

    def add(self, where: str, value: Any, rule: str) -> None:
        shown = (
            value if isinstance(value, str | int | float | bool) or value is None else str(value)
        )
        self.issues.append(
            IngestIssue(file=self.source, row=None, field=where, value=shown, rule=rule)
        )


def _unknown(p: _Problems, d: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    for k in sorted(set(d) - allowed):
        p.add(f"{where}{k}", k, f"unknown key; allowed: {', '.join(sorted(allowed))}")


def _codings(p: _Problems, raw: Any, where: str) -> tuple[Code, ...]:
    if not isinstance(raw, list):
        p.add(where, raw, "must be a list of { system, code, display } tables")
        return ()
    out = []
    for i, c in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(c, dict):
            p.add(at, c, "must be a table { system, code, display }")
            continue
        _unknown(p, c, _CODING_KEYS, f"{at}.")
        system, code, display = c.get("system"), c.get("code"), c.get("display", "")
        if not isinstance(system, str) or ":" not in system or any(ch.isspace() for ch in system):
            p.add(f"{at}.system", system, "must be an absolute URI (e.g. http://loinc.org)")
            continue
        if not isinstance(code, str) or not code.strip() or code != code.strip():
            p.add(f"{at}.code", code, "must be a non-empty code without surrounding spaces")
            continue
        if not isinstance(display, str):
            p.add(f"{at}.display", display, "must be text")
            continue
        out.append(Code(system, code, display))
    return tuple(out)


def _enum(p: _Problems, cls: type[MRDMethod] | type[Tissue], raw: Any, where: str) -> Any:
    try:
        return cls(raw)
    except ValueError:
        p.add(where, raw, f"must be one of: {', '.join(m.value for m in cls)}")
        return None


def _observations(p: _Problems, raw: Any) -> dict[tuple[MRDMethod, Tissue], tuple[Code, ...]]:
    if not isinstance(raw, list):
        p.add("observation", raw, "must be an array of tables ([[observation]])")
        return {}
    out: dict[tuple[MRDMethod, Tissue], tuple[Code, ...]] = {}
    for i, item in enumerate(raw):
        at = f"observation[{i}]"
        if not isinstance(item, dict):
            p.add(at, item, "must be a table")
            continue
        _unknown(p, item, frozenset({"method", "tissue", "codings"}), f"{at}.")
        method = _enum(p, MRDMethod, item.get("method"), f"{at}.method")
        tissue = _enum(p, Tissue, item.get("tissue"), f"{at}.tissue")
        codes = _codings(p, item.get("codings", []), f"{at}.codings")
        if method is None or tissue is None:
            continue
        if (method, tissue) in out:
            p.add(at, f"{method.value}/{tissue.value}", "method and tissue given twice")
            continue
        out[(method, tissue)] = codes
    return out


def parse_coding_map(doc: Mapping[str, Any], *, source: str = "coding map") -> CodingMap:
    """Validate a parsed coding-map document.

    Raises
    ------
    IngestError
        Listing every problem (file, field, value, rule).
    """
    p = _Problems(source)
    _unknown(p, doc, _TOP_KEYS, "")
    if doc.get("version") != FORMAT_VERSION:
        p.add("version", doc.get("version"), f"must be {FORMAT_VERSION}")
    patient = doc.get("patient", {})
    system = ID_PATIENT
    if not isinstance(patient, dict):
        p.add("patient", patient, "must be a table")
    else:
        _unknown(p, patient, frozenset({"identifier_system"}), "patient.")
        system = patient.get("identifier_system", ID_PATIENT)
        if not isinstance(system, str) or ":" not in system:
            p.add("patient.identifier_system", system, "must be an absolute URI")
    observation = _observations(p, doc.get("observation", []))
    report_raw = doc.get("report", {})
    report: tuple[Code, ...] = ()
    if not isinstance(report_raw, dict):
        p.add("report", report_raw, "must be a table")
    else:
        _unknown(p, report_raw, frozenset({"codings"}), "report.")
        report = _codings(p, report_raw.get("codings", []), "report.codings")
    if p.issues:
        raise IngestError(p.issues)
    return CodingMap(patient_identifier_system=system, observation=observation, report=report)


def load_coding_map(path: Path | None) -> CodingMap:
    """Read a coding map from a TOML file (``None``: no configured codes).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    IngestError
        If the file is not valid TOML or breaks the format.
    """
    if path is None:
        return CodingMap()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(
            [
                IngestIssue(
                    file=path.name,
                    row=None,
                    field=None,
                    value=None,
                    rule=f"not a valid UTF-8 TOML file: {exc}",
                )
            ]
        ) from None
    return parse_coding_map(doc, source=path.name)
