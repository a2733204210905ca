"""Reading FHIR files: a Bundle (``.json``) or bulk NDJSON (one Bundle or resource a line).

Each Bundle is validated with fhir.resources, as R5 and then as R4B (or only as the release
asked for); a file that validates as neither is rejected with the errors of the closer one.
Resources are then read as plain JSON, since the elements mrdguide reads are the same in both
releases. References are resolved by full URL (``urn:uuid:…``) or ``Type/id``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io.fhir._codes import FHIRVersion
from mrdguide.io.fhir._validate import validate_bundle

__all__ = ["Entry", "ResourceIndex", "read_entries"]

#: Largest FHIR file read (bytes); a bundle with an embedded PDF report is a few hundred KB.
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One resource with where it came from: the line (NDJSON) or entry number (JSON)."""

    resource: dict[str, Any]
    full_url: str | None
    row: int
    bundle: int  # which bundle of the file (0 for a single Bundle)

    @property
    def label(self) -> str:
        """``Observation/<id>`` (or the resource type and row when there is no id)."""
        rtype = str(self.resource.get("resourceType", "resource"))
        rid = self.resource.get("id")
        return f"{rtype}/{rid}" if rid else f"{rtype}#{self.row}"


@dataclass(slots=True)
class ResourceIndex:
    """Resources of one bundle by full URL and by ``Type/id``."""

    by_ref: dict[str, Entry] = field(default_factory=dict)

    def add(self, e: Entry) -> None:
        """Index ``e`` under its full URL and ``Type/id``."""
        if e.full_url:
            self.by_ref[e.full_url] = e
        rid = e.resource.get("id")
        if rid:
            self.by_ref[f"{e.resource.get('resourceType')}/{rid}"] = e

    def resolve(self, reference: Any) -> Entry | None:
        """The entry a ``Reference`` JSON points to (``None`` if it is not in the bundle)."""
        if not isinstance(reference, dict):
            return None
        ref = reference.get("reference")
        if not isinstance(ref, str):
            return None
        found = self.by_ref.get(ref)
        if found is None and "/" in ref:  # an absolute URL ending in Type/id
            found = self.by_ref.get("/".join(ref.rstrip("/").split("/")[-2:]))
        return found


def _issue(source: str, row: int | None, rule: str, fld: str | None = None) -> IngestIssue:
    return IngestIssue(file=source, row=row, field=fld, value=None, rule=rule)


def _validate(
    doc: dict[str, Any], versions: tuple[FHIRVersion, ...], source: str, row: int | None
) -> None:
    failures: list[IngestError] = []
    for v in versions:
        try:
            validate_bundle(doc, v, source=source, row=row)
        except IngestError as exc:
            failures.append(exc)
        else:
            return
    raise min(failures, key=lambda e: len(e.issues))


def _docs(path: Path) -> Iterator[tuple[int, Any]]:
    """``(row, parsed JSON)`` per document: one for ``.json``, one per line for NDJSON."""
    source = path.name
    if path.stat().st_size > MAX_BYTES:
        raise IngestError([_issue(source, None, f"file larger than {MAX_BYTES} bytes")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise IngestError([_issue(source, None, "not UTF-8 text (FHIR JSON is UTF-8)")]) from None
    lines = [text] if path.suffix.lower() == ".json" else text.splitlines()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise IngestError([_issue(source, n, f"not valid JSON: {exc}")]) from None


def read_entries(
    path: Path, *, versions: tuple[FHIRVersion, ...] = (FHIRVersion.R5, FHIRVersion.R4B)
) -> list[tuple[ResourceIndex, list[Entry]]]:
    """Every bundle of ``path`` (validated) as an index and its entries, in file order.

    A ``.json`` file holds one Bundle; any other suffix is read as NDJSON, one Bundle per line,
    or one resource per line (those form one collection together).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    IngestError
        If the file is not JSON, a bundle does not validate, or a line is neither a Bundle nor
        a resource.
    """
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    source = path.name
    single = path.suffix.lower() == ".json"
    out: list[tuple[ResourceIndex, list[Entry]]] = []
    loose: tuple[ResourceIndex, list[Entry]] = (ResourceIndex(), [])
    issues: list[IngestIssue] = []
    for n, doc in _docs(path):
        rtype = doc.get("resourceType") if isinstance(doc, dict) else None
        if rtype == "Bundle":
            try:
                _validate(doc, versions, source, None if single else n)
            except IngestError as exc:
                issues.extend(exc.issues)
                continue
            index, entries = ResourceIndex(), []
            for i, e in enumerate(doc.get("entry") or [], start=1):
                entry = Entry(
                    resource=e.get("resource") or {},
                    full_url=e.get("fullUrl"),
                    row=i if single else n,
                    bundle=len(out),
                )
                index.add(entry)
                entries.append(entry)
            out.append((index, entries))
        elif isinstance(rtype, str) and not single:
            wrapped = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": doc}]}
            try:
                _validate(wrapped, versions, source, n)
            except IngestError as exc:
                issues.extend(exc.issues)
                continue
            entry = Entry(resource=doc, full_url=None, row=n, bundle=-1)
            loose[0].add(entry)
            loose[1].append(entry)
        else:
            issues.append(
                _issue(
                    source,
                    None if single else n,
                    "expected a FHIR Bundle (or, in NDJSON, one resource a line)",
                    "resourceType",
                )
            )
    if issues:
        raise IngestError(issues)
    if loose[1]:
        out.append(loose)
    return out
