"""Helpers shared by CLI subcommands: exit codes, output formats, the disclaimer footer."""

from __future__ import annotations

import json
import sys
from enum import IntEnum, StrEnum
from typing import IO, Any, NoReturn

import click
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER


class ExitCode(IntEnum):
    """Exit codes with meaning. Scripts may rely on them."""

    OK = 0
    FAILURE = 1  # unexpected internal error
    USAGE = 2  # bad command line (typer/click convention)
    INVALID_INPUT = 3  # input failed validation; nothing was written
    NOT_FOUND = 4  # a requested record or file does not exist
    NOT_ASSIGNABLE = 5  # a case could not be assigned (missing inputs)


class OutputFormat(StrEnum):
    """Output format for every command: ``text`` for people, ``json`` for machines."""

    TEXT = "text"
    JSON = "json"


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (sorted keys, no NaN)."""
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def disclaimer_footer() -> str:
    """The short research-use line printed under every human-readable output."""
    return f"[dim]{SHORT_DISCLAIMER}[/dim]"


class CommandExit(click.ClickException):
    """Ends a command with a meaningful exit code; ``main`` shows it and returns the code.

    (``typer.Exit`` is not used: inside a sub-group with ``standalone_mode=False`` click returns
    its code instead of raising it.)
    """

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.exit_code = int(code)  # type: ignore[misc]  # click declares a class default

    def show(self, file: IO[Any] | None = None) -> None:  # noqa: ARG002 - click's signature
        """Print the message (if any) on stderr."""
        if self.message:
            Console(stderr=True).print(f"[red]error:[/red] {self.message}", highlight=False)


def fail(message: BaseException | str, code: ExitCode) -> NoReturn:
    """Exit with ``code`` after printing ``message`` on stderr (empty: nothing printed)."""
    cause = message if isinstance(message, BaseException) else None
    raise CommandExit(str(message), code) from cause
