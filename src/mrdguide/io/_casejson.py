"""The case JSON Schema (shipped in the package) and reading of case JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from mrdguide._json import loads as strict_json_loads
from mrdguide.domain import Case, case_from_dict
from mrdguide.errors import IngestError, IngestIssue, InputError
from mrdguide.io._fields import PERCENT_RULE
from mrdguide.io._tables import Draft, Part

_LEVEL_KEYS = frozenset({"level", "sensitivity", "quantitative_range"})
_PATIENT_EXCLUDE = frozenset({"genetics", "mrd", "treatments", "outcomes", "$schema"})


@cache
def _schema_text() -> str:
    return resources.files("mrdguide.schemas").joinpath("case.schema.json").read_text("utf-8")


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the case document, as a fresh dictionary.

    Returns
    -------
    dict
        The parsed ``mrdguide/schemas/case.schema.json``.
    """
    out: dict[str, Any] = json.loads(_schema_text())
    return out


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(case_schema())


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def schema_issues(doc: Any, file: str, row: int) -> list[IngestIssue]:
    """Every JSON-Schema violation of ``doc`` as an :class:`IngestIssue`."""
    issues = []
    errors: Iterator[Any] = _validator().iter_errors(doc)
    for err in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        where = list(err.absolute_path)
        rule = err.message
        if err.validator == "maximum" and where and where[-1] in _LEVEL_KEYS:
            rule = PERCENT_RULE
        value = err.instance if not isinstance(err.instance, dict | list) else None
        issues.append(IngestIssue(file=file, row=row, field=_path(where), value=value, rule=rule))
    return issues


def read_case_json(path: Path) -> tuple[list[Draft], list[tuple[IngestIssue, str | None]]]:
    """Read a case JSON file (one object or an array of objects) into drafts.

    Array items count as rows from 1; a single object is row 1. Issues are returned with
    the patient id of their document when it has one.
    """
    file = str(path)
    if not path.is_file():
        missing = IngestIssue(
            file=file, row=None, field=None, value=None, rule="file does not exist"
        )
        return [], [(missing, None)]
    try:
        data = load_json_file(path)
    except IngestError as exc:
        return [], [(i, None) for i in exc.issues]
    docs = data if isinstance(data, list) else [data]
    drafts: list[Draft] = []
    issues: list[tuple[IngestIssue, str | None]] = []
    for i, doc in enumerate(docs, start=1):
        found = schema_issues(doc, file, i)
        if found:
            pid = doc.get("patient_id") if isinstance(doc, dict) else None
            issues.extend((f, pid if isinstance(pid, str) and pid else None) for f in found)
            continue
        drafts.append(_draft(doc, file, i))
    return drafts, issues


def _draft(doc: dict[str, Any], file: str, row: int) -> Draft:
    patient = {k: v for k, v in doc.items() if k not in _PATIENT_EXCLUDE and v is not None}
    draft = Draft(patient_id=doc["patient_id"], patient=Part(doc=patient, file=file, row=row))
    if doc.get("genetics") is not None:
        draft.genetics = Part(doc=doc["genetics"], file=file, row=row, prefix="genetics.")
    for key in ("mrd", "treatments", "outcomes"):
        target: list[Part] = getattr(draft, key)
        for j, item in enumerate(doc.get(key) or []):
            target.append(Part(doc=dict(item), file=file, row=row, prefix=f"{key}[{j}]."))
    return draft


#: Deepest JSON nesting accepted; a case document needs 4 levels. Deeper input is refused before
#: it can exhaust the interpreter's recursion limit.
MAX_JSON_DEPTH = 64


def _depth_issue(text: str) -> str | None:
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
        elif ch in "]}":
            depth -= 1
    return None


def load_json_file(path: Path) -> Any:
    """Parse a UTF-8 JSON file; every problem becomes an :class:`IngestError` naming the file.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IngestError
        If it is not UTF-8, not valid (strict) JSON, or nested deeper than
        :data:`MAX_JSON_DEPTH` levels.
    """
    file = str(path)

    def bad(rule: str) -> IngestError:
        return IngestError([IngestIssue(file=file, row=None, field=None, value=None, rule=rule)])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{file}: file not found") from None
    except OSError as exc:
        raise bad(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        enc = "UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "not UTF-8"
        rule = f"text must be UTF-8; this file is {enc} (byte {exc.start}); save it as UTF-8"
        raise bad(rule) from None
    too_deep = _depth_issue(text)
    if too_deep is not None:
        raise bad(too_deep)
    try:
        return strict_json_loads(text)
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise bad(f"not valid JSON (truncated or malformed): {exc}") from None


def read_case_file(path: Path) -> Case:
    """Read one case document (a JSON object) and validate it.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IngestError
        Naming the file, field, value and rule for any problem.
    """
    data = load_json_file(path)
    file = str(path)
    if not isinstance(data, dict):
        issue = IngestIssue(
            file=file, row=None, field=None, value=type(data).__name__,
            rule="a case file holds one JSON object",
        )  # fmt: skip
        raise IngestError([issue])
    try:
        return case_from_dict(data)
    except InputError as exc:
        issue = IngestIssue(
            file=file, row=None, field=exc.field, value=exc.value, rule=exc.rule or str(exc)
        )
        raise IngestError([issue]) from None
