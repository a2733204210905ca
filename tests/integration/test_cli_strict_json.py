"""Every ``--format json`` output is strict RFC 8259 JSON: no NaN, no Infinity, one document.

Each command's stdout is parsed with a parser that rejects ``NaN``, ``Infinity`` and
``-Infinity`` (as jq, browsers and Starlette's ``JSONResponse`` do).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.main import main

pytestmark = pytest.mark.integration

EXAMPLES = Path(str(files("mrdguide") / "examples"))
WIDE = EXAMPLES / "cohort" / "cohort_wide.csv"


def _reject(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict(text: str) -> Any:
    """Parse ``text`` as one strict JSON document."""
    return json.loads(text, parse_constant=_reject)


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    """Run the CLI with --format json; check the exit code and parse stdout strictly."""
    capsys.readouterr()
    got = main([*argv, "--format", "json"])
    out = capsys.readouterr().out
    assert got == code, out
    return strict(out)


def test_strict_parser_rejects_nan() -> None:
    """The parser used here does reject Python's NaN output (so these tests can fail)."""
    with pytest.raises(ValueError, match="NaN"):
        strict(json.dumps({"x": float("nan")}))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry holding the shipped 40-patient synthetic cohort."""
    url = f"sqlite:///{tmp_path_factory.mktemp('strict') / 'reg.sqlite'}"
    assert main(["import", str(WIDE), "--db", url, "--format", "json"]) == 0
    return url


@pytest.mark.parametrize("no_null", [False, True])
def test_simulate_trial(capsys: pytest.CaptureFixture[str], no_null: bool) -> None:
    """simulate trial, with and without the null run (the type-I column is then null)."""
    argv = ["simulate", "trial", "--design", "asan", "--replicates", "3", "--patients", "200",
            "--executor", "serial", "--quiet"]  # fmt: skip
    doc = run(capsys, *argv, *(["--no-null"] if no_null else []))
    errors = [a["type_i_error"] for a in doc["analyses"]]
    assert all(e is None for e in errors) if no_null else all(e is not None for e in errors)


def test_simulate_calibrate(capsys: pytest.CaptureFixture[str]) -> None:
    """simulate calibrate."""
    assert run(capsys, "simulate", "calibrate", "--n", "2000")["rows"]


def test_mrd(capsys: pytest.CaptureFixture[str]) -> None:
    """mrd flow, pcr and ngs."""
    assert run(capsys, "mrd", "flow", "--events", "0", "--cells", "100000")["measurement"]
    assert run(capsys, "mrd", "pcr", str(EXAMPLES / "pcr_plate.csv"))["markers"]
    ngs = (str(EXAMPLES / "ngs_diagnosis.tsv"), str(EXAMPLES / "ngs_followup.tsv"))
    assert run(capsys, "mrd", "ngs", *ngs, "--dna-ng", "1000")["clones"]


def test_karyotype(capsys: pytest.CaptureFixture[str]) -> None:
    """karyotype, valid and malformed (the error object is JSON too)."""
    assert run(capsys, "karyotype", "55,XY,+4,+6,+10,+14,+17,+18,+21,+21,+X[20]")
    err = run(capsys, "karyotype", "46,XY,t(9;22", code=3)
    assert err["error"]["code"] == "invalid_input"


def test_registry_commands(capsys: pytest.CaptureFixture[str], registry: str) -> None:
    """init, patients list/show, export and the not-found error."""
    assert run(capsys, "init", "--db", registry)["patients"] == 40
    rows = run(capsys, "patients", "list", "--db", registry)
    pid = rows[0]["patient_id"]
    assert run(capsys, "patients", "show", pid, "--db", registry)["patient_id"] == pid
    missing = run(capsys, "patients", "show", "NOPE", "--db", registry, code=4)
    assert missing["error"]["code"] == "not_found"


def test_assess(capsys: pytest.CaptureFixture[str], registry: str) -> None:
    """assess every protocol for a registered patient (exit 5 allowed: not assignable)."""
    capsys.readouterr()
    code = main(["assess", "--patient", "SYN-0001", "-p", "all", "--db", registry,
                 "--format", "json"])  # fmt: skip
    assert code in (0, 5)
    assert len(strict(capsys.readouterr().out)) >= 10


@pytest.mark.parametrize(("endpoint", "grouping"), [("efs", "--mrd"), ("cir", "--protocol")])
def test_analyze(
    capsys: pytest.CaptureFixture[str], registry: str, endpoint: str, grouping: str
) -> None:
    """analyze by MRD band and by protocol group."""
    value = "eoi" if grouping == "--mrd" else "ukall2003"
    assert run(capsys, "analyze", endpoint, grouping, value, "--db", registry)["rows"]


def test_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """model fit, thresholds, predict and validate on a seeded synthetic cohort."""
    cohort = tmp_path / "cohort.json"
    assert main(["simulate", "cohort", "--n", "800", "--seed", "11", "--out", str(cohort)]) == 0
    model = tmp_path / "model.json"
    fit = run(capsys, "model", "fit", "--cohort", str(cohort), "--out", str(model))
    assert fit["terms"]
    strict(model.read_text(encoding="utf-8"))
    assert run(capsys, "model", "thresholds", str(model))
    case = tmp_path / "case.json"
    case.write_text(json.dumps(json.loads(cohort.read_text())[0]), encoding="utf-8")
    capsys.readouterr()
    code = main(["model", "predict", str(model), str(case), "--format", "json"])
    assert code in (0, 5)
    strict(capsys.readouterr().out)
    assert run(capsys, "model", "validate", "--cohort", str(cohort), "--folds", "2")
