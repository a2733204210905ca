"""The worked example of docs/survival-cox.md's "Formulas" section runs and prints what the
page shows (each ```python block is followed by its ```text output block)."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.golden
ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "survival-cox.md"
HEADING = "## Formulas: `coxph(formula, data)` and `finegray(formula, data)`"


def examples() -> list[tuple[str, str]]:
    """(code, expected output) pairs of the section, in page order."""
    text = DOC.read_text(encoding="utf-8")
    assert HEADING in text
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    pairs = re.findall(r"```python\n(.*?)```\s*```text\n(.*?)```", section, flags=re.DOTALL)
    return [(code, out) for code, out in pairs]


def test_section_has_examples() -> None:
    assert len(examples()) == 3


def test_examples_print_what_the_page_shows() -> None:
    """Run the blocks in one namespace from the repository root and compare their output."""
    namespace: dict[str, object] = {}
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        for code, want in examples():
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 (our own docs)
            assert buf.getvalue() == want, code
    finally:
        os.chdir(cwd)
