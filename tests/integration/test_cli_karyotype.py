"""End-to-end tests of ``mrdguide karyotype``."""

from __future__ import annotations

import json

import pytest

from mrdguide.cli._common import ExitCode
from mrdguide.cli.main import main

pytestmark = pytest.mark.integration


def test_json_output_has_the_promised_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints modal number, ploidy class, lesions, gains, losses, constitutional."""
    code = main(["karyotype", "47,XY,+21c,t(12;21)(p13;q22)[15]/47,XY,+21c[5]", "--format", "json"])
    assert code == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["modal_chromosome_number"] == 47
    assert data["ploidy_class"] == "low_hyperdiploid"
    assert data["lesions"] == ["ETV6::RUNX1"]
    assert data["gains"] == []
    assert data["losses"] == []
    assert data["constitutional"] == ["+21c"]
    assert data["down_syndrome"] is True
    assert len(data["clones"]) == 2
    assert data["classification"]["uk_tier"] == "good"
    assert "Research use only" in data["disclaimer"]


def test_json_high_hyperdiploid(capsys: pytest.CaptureFixture[str]) -> None:
    """A HeH karyotype reports its gains in ISCN order."""
    code = main(["karyotype", "55,XY,+X,+4,+6,+10,+14,+17,+18,+21,+21[20]", "--format", "json"])
    assert code == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["ploidy_class"] == "high_hyperdiploid"
    assert data["gains"] == ["X", "4", "6", "10", "14", "17", "18", "21", "21"]


def test_text_output_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --format json a readable summary with the disclaimer is printed."""
    code = main(["karyotype", "46,XX,t(4;11)(q21;q23)[20]"])
    assert code == ExitCode.OK
    out = capsys.readouterr().out
    assert "KMT2A::AFF1" in out
    assert "diploid" in out
    assert "Research use only" in out


def test_malformed_karyotype_exits_invalid_input(capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed karyotype exits with INVALID_INPUT, explains itself on stderr and, under
    --format json, prints a JSON error object (code, message, issues) on stdout."""
    code = main(["karyotype", "46,XY,t(12;21)(x13;q22)", "--format", "json"])
    assert code == ExitCode.INVALID_INPUT
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["code"] == "invalid_input"
    assert error["issues"][0]["field"] == "karyotype"
    assert "bad band 'x13'" in error["message"]
    assert "bad band 'x13'" in captured.err
    assert "position 15" in captured.err


def test_hypodiploid_cut_off_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--high-hypodiploid-min 44 moves 43 chromosomes into low hypodiploid."""
    args = ["karyotype", "43,XY,-7,-9,-13[10]", "--format", "json"]
    assert main([*args, "--high-hypodiploid-min", "44"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["ploidy_class"] == "low_hypodiploid"


def test_bad_cut_off_option_is_invalid_input(capsys: pytest.CaptureFixture[str]) -> None:
    """An impossible ploidy boundary is rejected as invalid input."""
    code = main(["karyotype", "46,XY", "--high-hypodiploid-min", "50"])
    assert code == ExitCode.INVALID_INPUT
    assert "ploidy boundaries" in capsys.readouterr().err
