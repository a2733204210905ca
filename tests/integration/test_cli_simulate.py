"""End-to-end tests of ``mrdguide simulate`` through ``main(argv)``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.domain import case_from_dict, derive_endpoints

pytestmark = pytest.mark.integration


def test_cohort_json_is_a_list_of_valid_case_documents(tmp_path: Path) -> None:
    """--out FILE.json writes synthetic case documents that parse and derive endpoints."""
    out = tmp_path / "cohort.json"
    assert main(["simulate", "cohort", "--n", "40", "--seed", "3", "--out", str(out)]) == 0
    docs = json.loads(out.read_text(encoding="utf-8"))
    assert len(docs) == 40
    assert docs[0]["patient_id"] == "SIM-000001"
    for d in docs:
        derive_endpoints(case_from_dict(d).outcomes)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_simulated_cohort_files_import_back(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every cohort file `simulate cohort` writes imports back with `import` (one row each)."""
    out = tmp_path / f"cohort{suffix}"
    assert main(["simulate", "cohort", "--n", "25", "--seed", "3", "--out", str(out)]) == 0
    if suffix == ".csv":
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 25
        assert {"patient_id", "mrd_eoi_status", "mrd_eoi_level"} <= set(rows[0])
    db = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    capsys.readouterr()
    assert main(["import", str(out), "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 25


def test_cohort_rejects_unknown_extension(tmp_path: Path) -> None:
    """An output that is not .json, .csv or .parquet is a usage error."""
    assert main(["simulate", "cohort", "--n", "5", "--out", str(tmp_path / "x.txt")]) == 2


def test_calibrate_json(capsys: pytest.CaptureFixture[str]) -> None:
    """calibrate --format json prints every target with both CIs and a flag."""
    assert main(["simulate", "calibrate", "--n", "3000", "--seed", "2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["targets"] == len(doc["rows"]) >= 25
    assert {"value", "ci_lower", "ci_upper", "simulated", "sim_lower", "hit"} <= set(doc["rows"][0])


def test_calibrate_text_shows_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    """The text table lists published and simulated figures and the disclaimer."""
    assert main(["simulate", "calibrate", "--n", "2000"]) == 0
    text = capsys.readouterr().out
    assert "published" in text
    assert "simulated" in text
    assert "Research use only" in text


def test_trial_json_serial(capsys: pytest.CaptureFixture[str]) -> None:
    """trial --format json reports three analyses with power and type-I error."""
    argv = [
        "simulate",
        "trial",
        "--design",
        "randomised",
        "--replicates",
        "4",
        "--patients",
        "300",
        "--seed",
        "1",
        "--executor",
        "serial",
        "--quiet",
        "--format",
        "json",
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["replicates"] == 4
    assert [a["name"] for a in doc["analyses"]] == ["naive", "landmark", "time_dependent"]


def test_trial_rejects_unknown_design() -> None:
    """An unknown design is a usage error."""
    assert main(["simulate", "trial", "--design", "crossover", "--executor", "serial"]) == 2
