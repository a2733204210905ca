"""Helpers shared by CLI subcommands: settings, the workspace, output formats, exit codes.

Commands are parse → service → render. They raise; :func:`mrdguide.cli.main.main` turns every
exception into its exit code through the one error table (:func:`mrdguide.errors.outcome_of`).

Text output is for people: codes by their labels (:mod:`mrdguide.domain.labels`), MRD and
p-values as :mod:`mrdguide.domain.display` writes them. JSON and CSV keep codes and fractions.
Tables wrap long cells between words instead of cutting them (``…``); ``--wide`` prints them
unwrapped.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import IO, Annotated, Any, NoReturn

import click
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._json import dumps
from mrdguide.errors import IngestIssue, MRDGuideError
from mrdguide.services import Workspace, open_workspace
from mrdguide.services.files import write_private
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


class TableFormat(StrEnum):
    """Output format of commands whose output is a table: also ``csv`` (codes and fractions)."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


#: Width of text output when stdout is not a terminal and ``COLUMNS`` is not set.
PIPE_WIDTH = 120
#: Width used by ``--wide``: tables keep their natural width and are never wrapped.
WIDE_WIDTH = 100_000

WideOpt = Annotated[
    bool, typer.Option("--wide", help="Do not wrap table cells (for wide terminals or files).")
]


def console(*, wide: bool = False, stderr: bool = False) -> Console:
    """A console for people: the terminal's width (or ``COLUMNS``), :data:`PIPE_WIDTH` when
    piped, or unlimited with ``wide``."""
    if wide:
        return Console(stderr=stderr, highlight=False, width=WIDE_WIDTH)
    con = Console(stderr=stderr, highlight=False)
    if not con.is_terminal and "COLUMNS" not in os.environ:
        return Console(stderr=stderr, highlight=False, width=PIPE_WIDTH)
    return con


class WordTable(Table):
    """A table that wraps between words, never inside one, when it is wider than the console.

    Rich shrinks wrapping columns evenly and may fold a word across lines ("inductio/n").
    Here each column gets at least its longest word (a :attr:`keep_whole` column: its longest
    cell) and the remaining width goes to the columns in proportion to how much more they
    want. When even the longest words do not fit side by side, rich's own layout is used
    (``--wide`` avoids wrapping altogether).
    """

    #: Columns whose cells are never broken (ids, numbers), if the table fits at all.
    keep_whole: list[Column]

    def _widths(self) -> tuple[list[int], list[int]]:
        """Per column: the least width (longest word) and the natural width (longest line)."""
        least, natural = [], []
        for col in self.columns:
            head, *cells = [Text.from_markup(str(c)).plain for c in (col.header, *col.cells)]
            lines = [ln for c in cells for ln in c.splitlines()] + [head]
            whole = col in getattr(self, "keep_whole", [])
            words = [w for c in cells for w in ([c] if whole else c.split())] + head.split()
            least.append(max((cell_len(w) for w in words), default=1))
            natural.append(max((cell_len(x) for x in lines), default=1))
        return least, natural

    def _overhead(self, console: Console, options: ConsoleOptions) -> int:
        """Width taken by borders and padding (measured with every column one cell wide)."""
        for col in self.columns:
            col.width = 1
        extra = self.__rich_measure__(console, options).maximum - len(self.columns)
        for col in self.columns:
            col.width = None
        return extra

    def fit_words(self, console: Console, options: ConsoleOptions) -> None:
        """Fix the column widths for ``options.max_width`` (see the class docstring).

        A table that does not fit with its box and padding drops them first (one space
        between columns).
        """
        least, natural = self._widths()
        room = options.max_width - self._overhead(console, options)
        if sum(natural) <= room:
            return
        if sum(least) > room:
            self.box, self.padding = None, (0, 1, 0, 0)
            room = options.max_width - self._overhead(console, options)
            if sum(least) > room:
                return
        spare, want = room - sum(least), [n - m for n, m in zip(natural, least, strict=True)]
        total = sum(want) or 1
        for col, m, w in zip(self.columns, least, want, strict=True):
            col.width = m + spare * w // total

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Render after :meth:`fit_words`."""
        self.fit_words(console, options)
        yield from super().__rich_console__(console, options)


def table(
    title: str | None,
    columns: Sequence[str],
    *,
    numeric: Iterable[str] = (),
    no_wrap: Iterable[str] = (),
    **kw: Any,
) -> Table:
    """A rich table whose cells wrap between words instead of ending in ``…``.

    Columns named in ``numeric`` are right-aligned; those in ``no_wrap`` (short values such as
    ids and numbers) keep their width so the others wrap; keyword arguments go to
    :class:`~rich.table.Table` (default box: a rule under the header only).
    """
    right, keep = set(numeric), set(no_wrap)
    kw.setdefault("box", box.SIMPLE_HEAD)
    kw.setdefault("pad_edge", False)
    t = WordTable(title=title, title_justify="left", **kw)
    t.keep_whole = []
    for col in columns:
        t.add_column(col, overflow="fold", justify="right" if col in right else "left")
        if col in keep:
            t.keep_whole.append(t.columns[-1])
    return t


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV (RFC 4180, ``\\n`` line ends) of ``rows``; ``None`` becomes an empty cell."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def emit_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print CSV on stdout (see :func:`csv_text`)."""
    sys.stdout.write(csv_text(header, rows))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write CSV to ``path`` with mode 0600 (it may hold patient data)."""
    return write_private(path, csv_text(header, rows))


@contextmanager
def option_names(names: Mapping[str, str]) -> Iterator[None]:
    """Reword errors raised inside the block so they name CLI options, not Python arguments.

    ``names`` maps the argument names used in the core's messages (``dna_ng``,
    ``reads_are_templates=True``) to the options a user types (``--dna-ng``). The exception
    keeps its type and attributes; only its message changes.
    """
    try:
        yield
    except MRDGuideError as exc:
        if exc.args and isinstance(exc.args[0], str):
            exc.args = (reword(exc.args[0], names), *exc.args[1:])
        raise


def reword(message: str, names: Mapping[str, str]) -> str:
    """``message`` with every whole-word argument name replaced by its CLI option.

    A qualifying class name is dropped with it (``NGSCriteria.index_min_fraction`` ->
    ``--index-min-fraction``).
    """
    for name in sorted(names, key=len, reverse=True):
        pattern = rf"(?<![\w.-])(?:[A-Z]\w*\.)?{re.escape(name)}(?![\w=])"
        message = re.sub(pattern, names[name], message)
    return message


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
            Console(stderr=True).print(
                f"[red]error:[/red] {escape(self.message)}", highlight=False, soft_wrap=True
            )


def fail(message: BaseException | str, code: ExitCode) -> NoReturn:
    """Exit with ``code`` after printing ``message`` on stderr (empty: nothing printed)."""
    cause = message if isinstance(message, BaseException) else None
    raise CommandExit(str(message), code) from cause


def print_issues(issues: Sequence[IngestIssue], *, title: str) -> None:
    """Print a validation report (file, row, field, value, rule) as a table on stderr."""
    t = table(title, ("file", "row", "field", "value", "rule"), numeric=("row",))
    for i in issues:
        t.add_row(
            escape(Path(i.file).name), "–" if i.row is None else str(i.row),
            escape(i.field or "–"), "–" if i.value is None else escape(str(i.value)),
            escape(i.rule),
        )  # fmt: skip
    console(stderr=True).print(t)
