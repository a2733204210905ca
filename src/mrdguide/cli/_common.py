"""Helpers shared by CLI subcommands: settings, the workspace, output formats, exit codes.

Commands are parse → service → render. They raise; :func:`mrdguide.cli.main.main` turns every
exception into its exit code through the one error table (:func:`mrdguide.errors.outcome_of`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import IO, Any, NoReturn

import click
import typer
from rich.console import Console
from rich.table import Table

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._json import dumps
from mrdguide.errors import IngestIssue
from mrdguide.services import Workspace, open_workspace
from mrdguide.settings import Settings


class ExitCode(IntEnum):
    """Exit codes with meaning. Scripts may rely on them (see ``mrdguide.errors.ERROR_TABLE``)."""

    OK = 0
    FAILURE = 1  # unexpected internal error or a registry failure
    USAGE = 2  # bad command line (typer/click convention), unknown protocol or parameter
    INVALID_INPUT = 3  # input failed validation; nothing was written
    NOT_FOUND = 4  # a requested record or file does not exist
    NOT_ASSIGNABLE = 5  # a case could not be assigned (missing inputs)
    CONFLICT = 6  # the write clashes with a stored record; nothing was written
    PERMISSION_DENIED = 7  # the role or the four-eyes rule does not allow it


class OutputFormat(StrEnum):
    """Output format for every command: ``text`` for people, ``json`` for machines."""

    TEXT = "text"
    JSON = "json"


def emit_json(obj: Any) -> None:
    """Print ``obj`` on stdout as strict JSON (sorted keys; non-finite numbers as null)."""
    sys.stdout.write(dumps(obj) + "\n")


def disclaimer_footer() -> str:
    """The short research-use line printed under every human-readable output."""
    return f"[dim]{SHORT_DISCLAIMER}[/dim]"


def settings_of(ctx: typer.Context) -> Settings:
    """The settings read once by ``main`` (or from the environment when run otherwise)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings.from_env()
    return root.obj


@contextmanager
def workspace(ctx: typer.Context, db: str | None, *, create: bool = False) -> Iterator[Workspace]:
    """The registry workspace for this command (``--db`` overrides the settings)."""
    with open_workspace(settings_of(ctx), url=db, create=create) as ws:
        yield ws


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


def print_issues(issues: Sequence[IngestIssue], *, title: str) -> None:
    """Print a validation report (file, row, field, value, rule) as a table on stderr."""
    table = Table(title=title, title_justify="left")
    for col in ("file", "row", "field", "value", "rule"):
        table.add_column(col, overflow="fold")
    for i in issues:
        table.add_row(
            Path(i.file).name, "-" if i.row is None else str(i.row), i.field or "-",
            "-" if i.value is None else str(i.value), i.rule,
        )  # fmt: skip
    Console(stderr=True).print(table)
