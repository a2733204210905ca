"""End-to-end CLI tests of init, import, patients, export and demo on SQLite."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mrdguide.cli.main import main
from mrdguide.store import head_revision, open_registry

pytestmark = pytest.mark.integration


def _load_scenarios() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_registry_scenarios", Path(__file__).with_name("_registry_scenarios.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S = _load_scenarios()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A registry URL on a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'reg.sqlite'}"


def test_init_creates_registry(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """init creates the schema and reports the URL and revision."""
    code, info = S.run_json(["init", "--db", url], capsys)
    assert code == 0
    assert info["patients"] == 0
    assert info["revision"] == head_revision()


def test_import_is_idempotent(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Re-importing the same file changes no row and adds no audit entry."""
    S.check_import_and_reimport(url, capsys)


def test_import_long_files_equals_wide(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Importing the long files after the wide file reports every patient unchanged."""
    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    code, out = S.run_json(["import", str(S.WIDE.parent / "long"), "--db", url], capsys)
    assert code == 0
    assert out["unchanged"] == 40


@pytest.mark.parametrize("name", sorted(S.BAD_INPUTS))
def test_bad_input_leaves_database_unchanged(
    url: str, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad input exits with code 3, names the rule, and writes nothing."""
    S.check_bad_input(url, tmp_path, name, capsys)


def test_bad_input_text_report_on_stderr(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --format json the issue table goes to stderr."""
    path = S.BAD_INPUTS["percent_as_fraction"][0](tmp_path)
    assert main(["import", str(path), "--db", url]) == 3
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "mrd_eoi_level" in err


def test_skip_imports_the_rest(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--on-invalid skip imports the valid patients and reports the skipped one."""
    path = S.BAD_INPUTS["unknown_vocabulary"][0](tmp_path)
    code, out = S.run_json(["import", str(path), "--db", url, "--on-invalid", "skip"], capsys)
    assert code == 0
    assert out["added"] == 39
    assert out["skipped"] == ["SYN-0004"]
    assert out["issues"][0]["field"] == "cns_status"


def test_patients_list_and_show(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """patients list/show return the stored data; unknown ids exit with 4."""
    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    code, rows = S.run_json(["patients", "list", "--db", url], capsys)
    assert code == 0
    assert len(rows) == 40
    assert rows[0]["patient_id"] == "SYN-0001"
    code, doc = S.run_json(["patients", "show", "SYN-0002", "--db", url], capsys)
    assert code == 0
    assert doc["patient_id"] == "SYN-0002"
    assert doc["assignments"] == []
    assert main(["patients", "show", "SYN-9999", "--db", url]) == 4
    assert main(["patients", "show", "SYN-0002", "--db", url]) == 0
    assert "SYN-0002" in capsys.readouterr().out


def test_patients_list_needs_a_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reading from a registry that does not exist fails without creating it."""
    db = tmp_path / "none.sqlite"
    assert main(["patients", "list", "--db", f"sqlite:///{db}"]) == 1
    assert "mrdguide init" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize("suffix", [".json", ".csv", ".parquet"])
def test_export_round_trip(
    url: str, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exported files re-import into another registry with identical cases."""
    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    out = tmp_path / f"export{suffix}"
    code, info = S.run_json(["export", "--out", str(out), "--db", url], capsys)
    assert (code, info["cases"]) == (0, 40)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    code, res = S.run_json(["import", str(out), "--db", other], capsys)
    assert (code, res["added"]) == (0, 40)
    with open_registry(url) as a, open_registry(other) as b:
        assert list(a.iter_cases()) == list(b.iter_cases())


def test_import_usage_errors(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad options exit with the usage code."""
    assert main(["import", str(S.WIDE), "--db", url, "--on-invalid", "warn"]) == 2
    assert main(["import", str(S.WIDE), "--db", url, "--kind", "bogus"]) == 2
    assert main(["import", "/nonexistent/cohort.csv", "--db", url]) == 4


def test_json_issue_report_is_machine_readable(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The JSON report lists file, row, field, value and rule for every issue."""
    path = S.BAD_INPUTS["duplicate_patient"][0](tmp_path)
    assert main(["import", str(path), "--db", url, "--format", "json"]) == 3
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert report["error"]["exit_code"] == 3
    [issue] = report["error"]["issues"]
    assert set(issue) == {"file", "row", "field", "value", "rule"}
    assert issue["row"] == 41


def test_patients_list_filters_and_pages(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--where, --limit/--offset select the rows a direct filter of the full list selects."""
    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    _, every = S.run_json(["patients", "list", "--db", url], capsys)

    def ids(*args: str) -> list[str]:
        code, rows = S.run_json(["patients", "list", "--db", url, *args], capsys)
        assert code == 0
        return [r["patient_id"] for r in rows]

    assert ids("--limit", "5") == [r["patient_id"] for r in every[:5]]
    assert ids("--limit", "3", "--offset", "38") == [r["patient_id"] for r in every[38:]]
    older = [r for r in every if r["age_years"] is not None and r["age_years"] >= 10]
    assert ids("--where", "age>=10") == [r["patient_id"] for r in older]
    eoc_girls = [r for r in every if "eoc" in r["mrd_timepoints"] and r["sex"] == "female"]
    assert ids("--where", "mrd=eoc", "--where", "sex=Female") == [
        r["patient_id"] for r in eoc_girls
    ]
    assert ids("--where", "id~0001") == ["SYN-0001"]
    for bad in ("age=~3", "colour=red", "sex>2", "age>young"):
        assert main(["patients", "list", "--db", url, "--where", bad]) == 2, bad
        assert "--where" in capsys.readouterr().err


def test_patients_list_by_protocol_group(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--protocol adds each patient's group (authorised data); --group keeps one group,
    named by its code or its label."""
    from mrdguide.protocols import assess

    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    with open_registry(url) as reg:
        groups = {c.patient_id: assess(c, "ukall2003").risk_group for c in reg.iter_cases()}
    _, rows = S.run_json(["patients", "list", "--db", url, "--protocol", "ukall2003"], capsys)
    assert {r["patient_id"]: r["risk_group"] for r in rows} == groups
    high = sorted(p for p, g in groups.items() if g == "mrd-high")
    assert high  # the example cohort has MRD-high patients
    for name in ("mrd-high", "MRD high"):
        args = ["patients", "list", "--db", url, "--protocol", "ukall2003", "--group", name]
        _, rows = S.run_json(args, capsys)
        assert [r["patient_id"] for r in rows] == high
    assert main(["patients", "list", "--db", url, "--group", "hr"]) == 2
    assert main(["patients", "list", "--db", url, "--protocol", "ukall2003", "--group", "x"]) == 2
    assert "MRD high" in capsys.readouterr().err


def test_patients_list_text_and_csv(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Text shows labels and time points in treatment order; CSV keeps codes."""
    S.run_json(["import", str(S.WIDE), "--db", url], capsys)
    _, every = S.run_json(["patients", "list", "--db", url], capsys)
    both = next(r for r in every if {"eoi", "eoc"} <= set(r["mrd_timepoints"]))
    pid = both["patient_id"]
    args = ["patients", "list", "--db", url, "--where", f"id={pid}", "--wide"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "end of induction, end of consolidation" in text  # not "eoc, eoi"
    assert "1 matching patient (40 registered)" in text
    assert main(["patients", "list", "--db", url, "--limit", "2", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("patient_id,age_years,sex,immunophenotype,")
    assert len(lines) == 3
    assert lines[1].startswith(f"{every[0]['patient_id']},")
    assert main(["patients", "list", "--db", url]) == 0
    text = capsys.readouterr().out
    assert "1–40 of" not in text and "40 patients" in text
