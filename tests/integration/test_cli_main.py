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


def _command_paths(cmd: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    subs = getattr(cmd, "commands", {})
    out = [prefix]
    for name, sub in sorted(subs.items()):
        out += _command_paths(sub, (*prefix, name))
    return out


def test_help_shows_no_python_types(capsys: pytest.CaptureFixture[str]) -> None:
    """No option in any help page shows a Python type: '--version <bool>', '--db <str>'."""
    from mrdguide.cli.main import build_command

    paths = _command_paths(build_command())
    assert len(paths) > 30  # every command and group
    for path in paths:
        assert main([*path, "--help"]) == 0, path
        options = [ln for ln in capsys.readouterr().out.splitlines() if "--" in ln[:8]]
        for line in options:
            for python_type in ("<bool>", "<str>", "<int", "<float", "<path>", "<Path>"):
                assert python_type not in line, (path, line)
    main(["--help"])
    root = capsys.readouterr().out
    assert "--version" in root
    assert "--version <" not in " ".join(root.split())


def test_option_values_have_words(capsys: pytest.CaptureFixture[str]) -> None:
    """Options that take a value show what it is: --db URL, --limit INTEGER."""
    assert main(["patients", "list", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--db URL" in text
    assert "--limit INTEGER" in text
    assert "--wide Do not wrap" in text  # a flag: no metavar
