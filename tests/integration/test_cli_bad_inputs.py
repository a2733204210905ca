"""Bad input the CLI used to accept or crash on: each is refused with exit 3, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mrdguide.cli.main import main

pytestmark = pytest.mark.integration

CASE = {"patient_id": "SYN-0001", "age_years": 4.5, "immunophenotype": "B", "wbc_per_ul": 12000,
        "genetics": {"lesions": ["ETV6::RUNX1"]},
        "mrd": [{"timepoint": "eoi", "day": 29, "method": "pcr", "status": "positive",
                 "level": 2e-4, "sensitivity": 1e-5}]}  # fmt: skip


def _files(tmp: Path) -> dict[str, Path]:
    out = {
        "nested": tmp / "nested.json",
        "utf16": tmp / "utf16.json",
        "latin1": tmp / "latin1.json",
    }
    out["nested"].write_text("{" + '"a":' * 0 + "[" * 10_000 + "]" * 10_000 + "}")
    out["utf16"].write_text(json.dumps(CASE), encoding="utf-16")
    out["latin1"].write_bytes(json.dumps(CASE | {"patient_id": "SYN-ÄÖ"}, ensure_ascii=False)
                              .encode("latin-1"))  # fmt: skip
    return out


@pytest.mark.parametrize("kind", ["nested", "utf16", "latin1"])
def test_assess_refuses_unreadable_case_files(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deep nesting and non-UTF-8 text are refused with the file/rule table, not a traceback."""
    path = _files(tmp_path)[kind]
    assert main(["assess", str(path), "-p", "ukall2003", "--format", "json"]) == 3
    issue = json.loads(capsys.readouterr().out)["error"]["issues"][0]
    assert Path(issue["file"]).name == path.name
    assert ("nested deeper" if kind == "nested" else "must be UTF-8") in issue["rule"]


@pytest.mark.parametrize("kind", ["nested", "utf16", "latin1"])
def test_model_predict_refuses_unreadable_case_files(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """model predict reads the case file the same way (the model file is read first)."""
    model = tmp_path / "model.json"
    cohort = tmp_path / "cohort.json"
    assert main(["simulate", "cohort", "--n", "600", "--seed", "5", "--out", str(cohort)]) == 0
    assert main(["model", "fit", "--cohort", str(cohort), "--out", str(model)]) == 0
    capsys.readouterr()
    path = _files(tmp_path)[kind]
    assert main(["model", "predict", str(model), str(path), "--format", "json"]) == 3
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "invalid_input"


def test_import_refuses_deep_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 10,000-level nested document is refused by import too (no RecursionError)."""
    db = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    path = _files(tmp_path)["nested"]
    assert main(["import", str(path), "--kind", "case", "--db", db, "--format", "json"]) == 3
    assert not (tmp_path / "reg.sqlite").exists()


def test_mrd_with_a_negative_day_is_not_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`mrd flow --day -5 --patient P` exits 3 and stores nothing."""
    db = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    assert main(["import", str(case), "--db", db]) == 0
    argv = ["mrd", "flow", "--events", "10", "--cells", "100000", "--timepoint", "eoc",
            "--day", "-5", "--patient", "SYN-0001", "--db", db, "--format", "json"]  # fmt: skip
    capsys.readouterr()
    assert main(argv) == 3
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["issues"][0]["rule"] == "day >= 0"
    assert main(["mrd", "history", "SYN-0001", "--timepoint", "eoc", "--db", db]) == 0


def test_export_neutralises_spreadsheet_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Identifiers starting with = + - @ are written inert in CSV and Excel, and import back."""
    db = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    case = tmp_path / "case.json"
    evil = "=cmd|' /C calc'!A0"
    case.write_text(json.dumps({"patient_id": evil, "age_years": 3.0}), encoding="utf-8")
    assert main(["import", str(case), "--db", db]) == 0
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"export{suffix}"
        assert main(["export", "--out", str(out), "--db", db]) == 0
        if suffix == ".csv":
            assert f"'{evil}" in out.read_text(encoding="utf-8")
        else:
            import openpyxl

            cells = [c.value for c in openpyxl.load_workbook(out).active["A"]]  # type: ignore[index]
            assert cells[1] == f"'{evil}"
        db2 = f"sqlite:///{tmp_path / f'back{suffix}.sqlite'}"
        capsys.readouterr()
        assert main(["import", str(out), "--db", db2, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["added_ids"] == [evil]
