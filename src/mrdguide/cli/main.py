"""Entry point: ``mrdguide`` (typer + rich). ``main(argv) -> int`` is testable."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode

#: Subcommand modules. Each defines ``register(app: typer.Typer) -> None``.
SUBCOMMAND_MODULES: tuple[str, ...] = ()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mrdguide {__version__}")
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """Build the typer application with every registered subcommand."""
    app = typer.Typer(
        name="mrdguide",
        help=f"MRD-guided risk stratification and outcome analysis in childhood ALL. "
        f"{SHORT_DISCLAIMER}",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False, "--version", callback=_version_callback, is_eager=True, help="Show version."
        ),
    ) -> None:
        """mrdguide command line."""

    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    app = build_app()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="mrdguide", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:  # click raises SystemExit in some paths
        return int(exc.code or 0) if isinstance(exc.code, int) else ExitCode.FAILURE
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return ExitCode.FAILURE
        raise
    return ExitCode.OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
