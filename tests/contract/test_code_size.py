"""Code stays readable: files under about 500 lines, function bodies under about 50.

The limits below leave a small margin over the standard ("about"); a function's body is
counted from its first statement after the docstring, so a typer command's long option
signature does not count. Generated Alembic migrations are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FILE_LINES = 520
MAX_BODY_LINES = 55


def _python_files(*folders: str) -> list[Path]:
    return sorted(
        p for f in folders for p in (ROOT / f).rglob("*.py") if "migrations/versions" not in str(p)
    )


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = node.body
    first = body[0]
    if (
        len(body) > 1
        and isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        first = body[1]
    return int(node.end_lineno or node.lineno) - first.lineno + 1


def long_functions(path: Path, limit: int) -> list[str]:
    """``file:line name (n lines)`` for every function whose body is over ``limit`` lines."""
    tree = ast.parse(path.read_text("utf-8"))
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return [
        f"{name}:{node.lineno} {node.name} ({body_lines(node)} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and body_lines(node) > limit
    ]


def test_no_file_is_over_the_limit() -> None:
    """Every Python file in src/, tests/ and benchmarks/ is at most MAX_FILE_LINES lines."""
    files = _python_files("src", "tests", "benchmarks")
    assert len(files) > 300
    big = [
        f"{p.relative_to(ROOT)} ({n})"
        for p in files
        if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert big == []


def test_no_function_body_is_over_the_limit() -> None:
    """Every function in src/ and benchmarks/ has at most MAX_BODY_LINES lines of body."""
    found = [
        w for p in _python_files("src", "benchmarks") for w in long_functions(p, MAX_BODY_LINES)
    ]
    assert found == []


@pytest.mark.parametrize(("extra", "over"), [(0, False), (1, True)])
def test_the_counter_sees_a_long_function(tmp_path: Path, extra: int, over: bool) -> None:
    """A function of MAX_BODY_LINES statements passes; one more fails (docstring not counted)."""
    lines = ["def f() -> None:", '    """Doc."""'] + ["    x = 1"] * (MAX_BODY_LINES + extra)
    path = tmp_path / "probe.py"
    path.write_text("\n".join(lines) + "\n")
    assert bool(long_functions(path, MAX_BODY_LINES)) is over
