"""Print an error for people (stderr) or machines (a JSON object on stdout) and pick its code."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import emit_json, print_issues
from mrdguide.errors import ConflictError, IngestError, InputError, outcome_of
from mrdguide.services.registry import issue_dict


def error_document(exc: BaseException) -> dict[str, Any]:
    """The JSON error object: code, exit code, message, issues (and the existing record)."""
    outcome = outcome_of(exc)
    doc: dict[str, Any] = {
        "error": {
            "code": outcome.code,
            "exit_code": outcome.exit_code,
            "message": str(exc),
            "issues": [],
        },
        "disclaimer": SHORT_DISCLAIMER,
    }
    if isinstance(exc, IngestError):
        doc["error"]["message"] = f"{len(exc.issues)} problem(s) found; nothing was written"
        doc["error"]["issues"] = [issue_dict(i) for i in exc.issues]
    elif isinstance(exc, ConflictError) and exc.issues:
        doc["error"]["issues"] = [issue_dict(i) for i in exc.issues]
    elif isinstance(exc, InputError) and exc.field is not None:
        value = exc.value if isinstance(exc.value, str | int | float | bool) else None
        doc["error"]["issues"] = [
            {"file": None, "row": None, "field": exc.field, "value": value, "rule": exc.rule}
        ]
    if isinstance(exc, ConflictError) and exc.existing is not None:
        doc["error"]["existing"] = exc.existing
    return doc


def _print_existing(existing: dict[str, Any]) -> None:
    table = Table(title="stored result", show_header=False, title_justify="left")
    for key, value in existing.items():
        table.add_row(escape(str(key)), escape(str(value)))
    Console(stderr=True).print(table)


def report_error(exc: BaseException, *, json_mode: bool) -> int:
    """Show ``exc`` and return its exit code from the error table."""
    outcome = outcome_of(exc)
    if json_mode:
        emit_json(error_document(exc))
    console = Console(stderr=True)
    if isinstance(exc, IngestError):
        print_issues(exc.issues, title=f"{len(exc.issues)} problem(s) found; nothing was written")
    else:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    if isinstance(exc, ConflictError) and exc.issues:
        print_issues(exc.issues, title="stored records the import would change")
    if isinstance(exc, ConflictError) and exc.existing is not None:
        _print_existing(exc.existing)
    return outcome.exit_code
