"""Entry point: ``mrdguide`` (typer + rich). ``main(argv) -> int`` is testable."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import typer
import typer.main

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide._version import __version__
from mrdguide.cli._common import ExitCode
from mrdguide.cli._errors import report_error
from mrdguide.errors import MRDGuideError
from mrdguide.settings import Settings

#: Subcommand modules. Each defines ``register(app: typer.Typer) -> None``.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "mrdguide.cli.registry_cmd",
    "mrdguide.cli.demo_cmd",
    "mrdguide.cli.mrd_cmd",
    "mrdguide.cli.karyotype_cmd",
    "mrdguide.cli.assess_cmd",
    "mrdguide.cli.model_cmd",
    "mrdguide.cli.simulate_cmd",
    "mrdguide.cli.report_cmd",
    "mrdguide.cli.analyze_cmd",
    "mrdguide.cli.admin_cmd",
    "mrdguide.cli.replicate_cmd",
    "mrdguide.cli.fhir_cmd",
    "mrdguide.cli.redcap_cmd",
)


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
            False,
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ) -> None:
        """mrdguide command line."""

    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


#: Help metavars for parameter types (typer's default shows Python types, ``<bool>``, ``<str>``).
_TYPE_METAVAR = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH"}
#: Metavars by option name where the type says too little.
_NAME_METAVAR = {"db": "URL", "protocol": "ID", "patient": "ID", "actor": "NAME"}


def _metavar(param: Any, ctx: Any) -> str | None:
    """The help metavar of one option: none for a flag, a word for a value, choices as is."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    if param.name in _NAME_METAVAR:
        return _NAME_METAVAR[param.name]
    shown = str(param.display_type(ctx)).strip("<>").removesuffix(" range")
    inner = shown.removeprefix("list[").removesuffix("]")
    return _TYPE_METAVAR.get(inner, _TYPE_METAVAR.get(inner.capitalize()))


def _tidy_help(cmd: Any, name: str) -> None:
    """Give every option of ``cmd`` and its subcommands a readable metavar (recursively).

    typer 0.29 prints each option's Python type in help (``--version <bool>``); click's own
    convention is no metavar for a flag and a word (``TEXT``, ``PATH``) for a value. Flags are
    declared as plain ``bool`` options (typer deprecates ``is_flag``), so the metavar is set
    here, on the built command, once. The help option is included.
    """
    ctx = cmd.context_class(cmd, info_name=name)
    for param in cmd.get_params(ctx):
        if param.param_type_name == "option" and param.metavar is None:
            param.metavar = _metavar(param, ctx)
    for sub_name, sub in getattr(cmd, "commands", {}).items():
        _tidy_help(sub, sub_name)


def build_command(app: typer.Typer | None = None) -> Any:
    """The click command of ``app`` (default :func:`build_app`) with tidy help metavars.

    Typed ``Any``: typer >= 0.29 returns its vendored click's ``Command``, older typer click's.
    """
    cmd = typer.main.get_command(app or build_app())
    _tidy_help(cmd, "mrdguide")
    return cmd


def _click_exceptions() -> tuple[type[Exception], ...]:
    """ClickException and UsageError classes typer may raise (its vendored copy and click's).

    typer >= 0.29 vendors its own copy of click (``typer._click``); older typer uses click.
    """
    import click

    found: list[type[Exception]] = [click.ClickException]
    try:
        from typer._click import exceptions as vendored  # type: ignore[import-not-found,unused-ignore]

        found.append(vendored.ClickException)
    except ImportError:  # pragma: no cover - older typer
        pass
    return tuple(found)


def _is_usage_error(exc: Exception) -> bool:
    return any(cls.__name__ == "UsageError" for cls in type(exc).__mro__)


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code.

    The settings are read once from ``env`` (default ``os.environ``). Every error is mapped to
    its exit code here, and only here, through :func:`mrdguide.errors.outcome_of`; with
    ``--format json`` the error is printed as a JSON object on stdout as well.
    """
    import click

    command = build_command()
    args = list(sys.argv[1:] if argv is None else argv)
    click_exc = _click_exceptions()
    try:
        settings = Settings.from_env(env)
        rv = command.main(args=args, prog_name="mrdguide", standalone_mode=False, obj=settings)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else int(ExitCode.FAILURE)
    except click_exc as exc:
        exc.show()  # type: ignore[attr-defined]
        code = getattr(exc, "exit_code", ExitCode.FAILURE)
        return int(ExitCode.USAGE) if _is_usage_error(exc) else int(code)
    except click.exceptions.Abort:
        return int(ExitCode.FAILURE)
    except (MRDGuideError, OSError) as exc:
        return report_error(exc, json_mode=_wants_json(args))
    # In non-standalone mode typer returns the command's exit code (typer.Exit inside a command).
    return rv if isinstance(rv, int) else int(ExitCode.OK)


def _wants_json(args: Sequence[str]) -> bool:
    for i, a in enumerate(args):
        if a == "--format=json" or (
            a == "--format" and i + 1 < len(args) and args[i + 1] == "json"
        ):
            return True
    return False


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
