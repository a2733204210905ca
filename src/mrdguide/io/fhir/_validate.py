"""Structural validation with fhir.resources (R5 by default, R4B under ``fhir.resources.R4B``).

fhir.resources checks element names, cardinality, required elements, primitive formats
(decimals, dates, instants, URIs) and choice types. It does not check value-set bindings,
profiles or FHIRPath invariants; :mod:`mrdguide.io.fhir._codes` and the tests cover bindings.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io.fhir._codes import FHIRVersion

__all__ = ["dump_bundle", "fhir_available", "validate_bundle"]

_PACKAGE = {FHIRVersion.R5: "fhir.resources", FHIRVersion.R4B: "fhir.resources.R4B"}


def fhir_available() -> bool:
    """Whether fhir.resources (the ``fhir`` extra) is installed."""
    try:
        importlib.import_module("fhir.resources")
    except ImportError:
        return False
    return True


def _bundle_class(version: FHIRVersion) -> Any:
    try:
        module = importlib.import_module(f"{_PACKAGE[version]}.bundle")
    except ImportError as exc:
        msg = "FHIR needs the 'fhir' extra (fhir.resources): pip install 'mrdguide[fhir]'"
        raise ImportError(msg) from exc
    return module.Bundle


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _issues(
    exc: Exception, *, source: str, row: int | None, version: FHIRVersion
) -> list[IngestIssue]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [
            IngestIssue(
                file=source,
                row=row,
                field=None,
                value=None,
                rule=f"not a valid FHIR {version.value} Bundle: {exc}",
            )
        ]
    out = []
    for e in errors()[:50]:
        value = e.get("input")
        shown = value if isinstance(value, str | int | float | bool) else None
        out.append(
            IngestIssue(
                file=source,
                row=row,
                field=_loc(tuple(e.get("loc", ()))),
                value=shown,
                rule=f"FHIR {version.value}: {e.get('msg', 'invalid')}",
            )
        )
    return out


def validate_bundle(
    doc: dict[str, Any], version: FHIRVersion, *, source: str = "bundle", row: int | None = None
) -> Any:
    """The fhir.resources ``Bundle`` model of ``doc`` in ``version``.

    Raises
    ------
    IngestError
        With one issue per validation error (field path, value, message).
    ImportError
        If fhir.resources is not installed.
    """
    cls = _bundle_class(version)
    try:
        return cls.model_validate(doc)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise IngestError(_issues(exc, source=source, row=row, version=version)) from None
    except RecursionError:
        issue = IngestIssue(
            file=source,
            row=row,
            field=None,
            value=None,
            rule=f"not a valid FHIR {version.value} Bundle: nested too deeply",
        )
        raise IngestError([issue]) from None


def dump_bundle(doc: dict[str, Any], version: FHIRVersion) -> str:
    """Validate ``doc`` as a ``version`` Bundle and return it as compact JSON (one line).

    Raises
    ------
    IngestError
        If the bundle does not validate (a bug in the exporter: it is never written).
    """
    validate_bundle(doc, version, source=f"exported {version.value} bundle")
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
