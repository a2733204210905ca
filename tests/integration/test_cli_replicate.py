"""``mrdguide replicate``: thin CLI over mrdguide.simulate.replicate."""

from __future__ import annotations

import json

import pytest

from mrdguide.cli.main import main

pytestmark = pytest.mark.integration


def test_replicate_asan_json_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the result's to_dict as strict JSON."""
    code = main(
        ["replicate", "asan", "--replicates", "5", "--grid-replicates", "2", "--format", "json"]
    )
    assert code == 0
    out = capsys.readouterr().out
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite {c}"))
    assert doc["study"] == "asan" and doc["replicates"] == 5 and len(doc["grid"]) == 20


def test_replicate_ukall2003_text(capsys: pytest.CaptureFixture[str]) -> None:
    """The text table shows the published figure next to the simulated one."""
    code = main(["replicate", "ukall2003", "--replicates", "5", "--seed", "3"])
    assert code == 0
    out = capsys.readouterr().out
    assert "published" in out and "Enshaei" in out and "enshaei2021" in out


def test_unknown_study_is_a_usage_error() -> None:
    """An unknown study exits 2."""
    assert main(["replicate", "nope"]) == 2
