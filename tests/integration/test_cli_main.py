"""The CLI entry point returns meaningful exit codes instead of raising."""

from __future__ import annotations

import pytest

from mrdguide.cli._common import ExitCode
from mrdguide.cli.main import main


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version and exits 0."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("mrdguide ")


def test_unknown_command_is_usage_error() -> None:
    """An unknown subcommand exits with the usage code (2), not a traceback."""
    assert main(["no-such-command"]) == ExitCode.USAGE


def test_missing_required_option_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing required option exits 2 and names the option."""
    assert main(["mrd", "flow"]) == ExitCode.USAGE
    assert "--events" in capsys.readouterr().err


def test_command_exit_code_propagates() -> None:
    """A command's own non-zero exit (typer.Exit) reaches the caller."""
    assert main(["karyotype", "46,XY,t(12;21"]) == ExitCode.INVALID_INPUT
