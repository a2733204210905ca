"""`mrdguide fhir export | import` end to end (exit codes, files, JSON output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.domain import case_from_dict
from mrdguide.simulate import simulate_cohort
from mrdguide.store import open_registry

pytest.importorskip("fhir.resources")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::mrdguide.errors.StatisticalWarning"),
]
DATA = Path(__file__).parents[1] / "data" / "fhir"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry with 12 simulated patients."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reg') / 'r.sqlite'}"
    with open_registry(url, actor="importer") as reg:
        reg.add_cases(simulate_cohort(12, seed=5, method="pcr").to_cases(), source="test")
    return url


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_export_patient_r4b_and_import(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export one patient (R4B, HTML report), import it into an empty registry."""
    from fhir.resources.R4B.bundle import Bundle

    out = tmp_path / "p.json"
    code, doc = _run(
        [
            "fhir",
            "export",
            "SIM-000003",
            "--version",
            "R4B",
            "--out",
            str(out),
            "--db",
            db,
            "--report",
            "html",
            "--protocol",
            "ukall2003",
        ],
        capsys,
    )
    assert code == 0, doc
    assert (doc["patients"], doc["fhir_version"], doc["presented_form"]) == (1, "R4B", "html")
    assert out.stat().st_mode & 0o777 == 0o600
    bundle = Bundle.model_validate_json(out.read_text("utf-8"))
    assert bundle.type == "collection"
    empty = f"sqlite:///{tmp_path / 'e.sqlite'}"
    code, res = _run(["fhir", "import", str(out), "--db", empty], capsys)
    assert code == 0, res
    assert res["added"] == 1 and res["mrd_authorised"] == doc["mrd_results"]
    code, again = _run(["fhir", "import", str(out), "--db", empty], capsys)
    assert (code, again["new_versions"], again["unchanged"]) == (0, 0, 1)


def test_export_cohort_ndjson_r5(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--cohort writes one R5 Bundle per patient, one a line."""
    from fhir.resources.bundle import Bundle

    out = tmp_path / "c.ndjson"
    code, doc = _run(
        ["fhir", "export", "--cohort", "--version", "R5", "--out", str(out), "--db", db], capsys
    )
    assert code == 0, doc
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == doc["patients"] == 12
    for line in lines:
        Bundle.model_validate_json(line)


def test_usage_and_not_found(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad options exit 2; an unknown patient exits 4."""
    out = str(tmp_path / "x.json")
    assert main(["fhir", "export", "--out", out, "--db", db]) == 2
    assert main(["fhir", "export", "SIM-000001", "--version", "R3", "--out", out, "--db", db]) == 2
    code, doc = _run(["fhir", "export", "NOPE", "--out", out, "--db", db], capsys)
    assert code == 4 and doc["error"]["code"] == "not_found"
    assert main(["fhir", "import", str(DATA / "lab_feed_bundle.json"), "--amend"]) == 2


def test_lab_feed_with_mapping_converts_percent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another system's feed imports through its coding map; % is converted and said so; a
    changed result needs --amend --reason (exit 6) and then stores version 2."""
    url = f"sqlite:///{tmp_path / 'lab.sqlite'}"
    with open_registry(url, actor="importer") as reg:
        reg.add_cases(
            [
                case_from_dict(
                    {"patient_id": "SYN-7001", "sex": "male", "diagnosis_date": "2024-01-01"}
                )
            ],
            source="t",
        )
    feed, codes = str(DATA / "lab_feed_bundle.json"), str(DATA / "lab_feed_codes.toml")
    code, res = _run(["fhir", "import", feed, "--db", url, "--mapping", codes], capsys)
    assert code == 0, res
    assert any("0.25 % converted to the fraction 0.0025" in n for n in res["notes"])
    with open_registry(url, create=False) as reg:
        m = reg.get_case("SYN-7001").mrd[0]
    assert (m.timepoint.value, m.sample_day, m.level.fraction) == ("eoi", 34, 0.0025)  # type: ignore[union-attr]
    changed = json.loads(Path(feed).read_text("utf-8"))
    changed["entry"][2]["resource"]["valueQuantity"]["value"] = 0.5
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed), "utf-8")
    code, err = _run(["fhir", "import", str(path), "--db", url, "--mapping", codes], capsys)
    assert code == 6 and err["error"]["code"] == "conflict"
    code, res = _run(
        [
            "fhir",
            "import",
            str(path),
            "--db",
            url,
            "--mapping",
            codes,
            "--amend",
            "--reason",
            "lab correction",
        ],
        capsys,
    )
    assert code == 0 and res["new_versions"] == 1


def test_invalid_file_exits_3_with_the_issue_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value above 1 without a unit: exit 3, the table names file, row, field and rule."""
    doc = json.loads((DATA / "lab_feed_bundle.json").read_text("utf-8"))
    doc["entry"][2]["resource"]["valueQuantity"] = {"value": 25}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), "utf-8")
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    code, err = _run(
        ["fhir", "import", str(path), "--db", url, "--mapping", str(DATA / "lab_feed_codes.toml")],
        capsys,
    )
    assert code == 3
    issue = err["error"]["issues"][0]  # type: ignore[index]
    assert issue == {
        "file": "bad.json",
        "row": 3,
        "field": "Observation/lab-1.valueQuantity.value",
        "value": 25,
        "rule": "MRD level is a fraction in [0,1]; percent needs the unit '%'",
    }
