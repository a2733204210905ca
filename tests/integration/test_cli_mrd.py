"""``mrdguide mrd`` end to end on the shipped example files, plus registry storage."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.main import main

pytestmark = pytest.mark.integration

EXAMPLES = Path(str(files("mrdguide") / "examples"))
PLATE = str(EXAMPLES / "pcr_plate.csv")
DX = str(EXAMPLES / "ngs_diagnosis.tsv")
FU = str(EXAMPLES / "ngs_followup.tsv")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """Run the CLI with --format json, assert exit 0 and parse stdout."""
    code = main(["mrd", *args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    doc: dict[str, Any] = json.loads(out)
    return doc


def measurement(doc: dict[str, Any]) -> dict[str, Any]:
    """The measurement of an MRD result document, in the case-document shape."""
    m = doc["measurement"]
    assert isinstance(m, dict)
    return m


def test_flow_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Flow prints status, level, lod and lloq as fractions."""
    doc = run_json(capsys, "flow", "--events", "30", "--cells", "1000000")
    m = measurement(doc)
    assert m["status"] == "positive_nq"
    assert m["level"] == pytest.approx(3e-5)
    assert m["sensitivity"] == pytest.approx(2e-5)
    assert m["quantitative_range"] == pytest.approx(5e-5)
    assert m["method"] == "flow"
    assert doc["lod"] == pytest.approx(2e-5)
    assert doc["lloq"] == pytest.approx(5e-5)
    assert (doc["events"], doc["cells"]) == (30, 1_000_000)


def test_flow_custom_thresholds_and_timepoint(capsys: pytest.CaptureFixture[str]) -> None:
    """--lod-events/--lloq-events/--timepoint are honoured."""
    doc = run_json(
        capsys,
        "flow",
        "--events",
        "10",
        "--cells",
        "100000",
        "--lod-events",
        "10",
        "--lloq-events",
        "10",
        "--timepoint",
        "eoc",
    )
    assert measurement(doc)["status"] == "positive"
    assert measurement(doc)["timepoint"] == "eoc"


def test_flow_events_above_cells_is_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    """events > cells exits 3 with the rule on stderr, naming the CLI options."""
    assert main(["mrd", "flow", "--events", "11", "--cells", "10"]) == 3
    assert "--events (11) cannot exceed --cells (10)" in capsys.readouterr().err


def test_pcr_example(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped plate gives a positive result led by TRG-1, keeping both markers."""
    doc = run_json(capsys, "pcr", PLATE)
    assert measurement(doc)["status"] == "positive"
    assert doc["selected_marker"] == "TRG-1"
    markers = doc["markers"]
    assert isinstance(markers, list)
    assert [m["measurement"]["status"] for m in markers] == ["positive_nq", "positive"]
    assert measurement(doc)["level"] == pytest.approx(2.05e-4, rel=0.01)


def test_pcr_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    """Text output shows the status and the disclaimer."""
    assert main(["mrd", "pcr", PLATE]) == 0
    out = capsys.readouterr().out
    assert "positive" in out
    assert "Research use only" in out


def test_pcr_bad_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed plate exits 3 naming the row; a missing file exits 4."""
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,sample_type,marker,dilution,ct\nS,standard,M,5,30\n", encoding="utf-8")
    assert main(["mrd", "pcr", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "bad.csv" in err
    assert "dilution" in err
    assert main(["mrd", "pcr", str(bad), "--format", "json"]) == 3
    issue = json.loads(capsys.readouterr().out)["error"]["issues"][0]
    assert (Path(issue["file"]).name, issue["row"], issue["field"]) == ("bad.csv", 1, "dilution")
    assert main(["mrd", "pcr", str(tmp_path / "nope.csv")]) == 4


def test_ngs_example_exact_and_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    """The NGS pair: exact tracking gives 14/153,846; one mismatch adds the 3-UMI variant."""
    doc = run_json(capsys, "ngs", DX, FU, "--dna-ng", "1000")
    assert measurement(doc)["status"] == "positive"
    assert measurement(doc)["level"] == pytest.approx(14 * 6.5 / 1e6)
    assert doc["lod"] == pytest.approx(2.9957 * 6.5 / 1e6, rel=1e-3)
    assert measurement(doc)["sensitivity"] == doc["lod"]
    loose = run_json(capsys, "ngs", DX, FU, "--dna-ng", "1000", "--max-mismatches", "1")
    assert measurement(loose)["level"] == pytest.approx(17 * 6.5 / 1e6)


def test_ngs_cells_option_and_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    """--cells sets the denominator; --cells with --dna-ng is a usage error."""
    doc = run_json(capsys, "ngs", DX, FU, "--cells", "140000")
    assert measurement(doc)["level"] == pytest.approx(1e-4)
    assert main(["mrd", "ngs", DX, FU, "--cells", "1", "--dna-ng", "1"]) == 2


def test_ngs_read_counts_need_calibration(capsys: pytest.CaptureFixture[str]) -> None:
    """A read-count follow-up exits 3 unless --reads-are-templates accepts it with a warning."""
    assert main(["mrd", "ngs", DX, DX, "--cells", "1e6"]) == 3
    assert "cannot be converted" in capsys.readouterr().err
    doc = run_json(capsys, "ngs", DX, DX, "--cells", "1e6", "--reads-are-templates")
    assert any("uncalibrated" in w for w in measurement(doc)["warnings"])


def test_ngs_percent_index_rule_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    """--index-min-fraction 5 (a percent) is rejected, not rescaled."""
    assert main(["mrd", "ngs", DX, FU, "--cells", "1000", "--index-min-fraction", "5"]) == 3
    err = capsys.readouterr().err
    assert "--index-min-fraction" in err
    assert "index_min_fraction" not in err


def test_ngs_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An AIRR file missing required columns exits 3 naming them."""
    bad = tmp_path / "bad.tsv"
    bad.write_text("sequence_id\tjunction\n1\tTGTAAATGG\n", encoding="utf-8")
    assert main(["mrd", "ngs", DX, str(bad), "--cells", "1000"]) == 3
    assert "v_call" in capsys.readouterr().err


@pytest.fixture
def registry_url(tmp_path: Path) -> str:
    """An SQLite registry holding patient P1."""
    from mrdguide.domain import Case, Patient
    from mrdguide.store import open_registry

    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    with open_registry(url, create=True, actor="test") as reg:
        reg.add_cases([Case(patient=Patient(patient_id="P1"))], source="test")
    return url


def test_store_result_for_patient(registry_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--patient/--db appends the measurement to the registered patient."""
    from mrdguide.store import open_registry

    doc = run_json(
        capsys,
        "flow",
        "--events",
        "60",
        "--cells",
        "1000000",
        "--patient",
        "P1",
        "--db",
        registry_url,
        "--day",
        "33",
    )
    assert doc["stored"]["patient"] == "P1"
    assert (doc["stored"]["version"], doc["stored"]["review_state"]) == (1, "draft")
    assert doc["source"] == "flow:60/1000000"
    with open_registry(registry_url, create=False) as reg:
        assert reg.get_case("P1").mrd == ()  # a draft does not count until authorised
        case = reg.get_case("P1", view="latest")
    (m,) = case.mrd
    assert m.status == "positive"
    assert m.level is not None
    assert m.level.fraction == pytest.approx(6e-5)
    assert m.sample_day == 33


def test_store_unknown_patient_and_bad_input(
    registry_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown patient exits 4; bad input exits 3 and stores nothing."""
    from mrdguide.store import open_registry

    assert (
        main(
            [
                "mrd",
                "flow",
                "--events",
                "1",
                "--cells",
                "10",
                "--patient",
                "NOPE",
                "--db",
                registry_url,
            ]
        )
        == 4
    )
    assert (
        main(
            [
                "mrd",
                "flow",
                "--events",
                "11",
                "--cells",
                "10",
                "--patient",
                "P1",
                "--db",
                registry_url,
            ]
        )
        == 3
    )
    with open_registry(registry_url, create=False) as reg:
        assert reg.get_case("P1").mrd == ()
    capsys.readouterr()


def test_db_without_patient_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--db alone is a usage error."""
    assert main(["mrd", "flow", "--events", "1", "--cells", "10", "--db", "sqlite://"]) == 2


def test_errors_name_cli_options(capsys: pytest.CaptureFixture[str]) -> None:
    """Messages of the MRD core name the options a user types, not Python arguments."""
    assert main(["mrd", "ngs", DX, FU]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "give --cells, --dna-ng, or a file with a reference-gene count" in err
    assert main(["mrd", "ngs", DX, DX, "--cells", "1e6"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "--spike-in-templates" in err and "--reads-are-templates" in err
    assert "=True" not in err and "_" not in err.split("error:")[1].split(".tsv")[-1]


def test_text_result_in_percent(capsys: pytest.CaptureFixture[str]) -> None:
    """Text shows MRD in percent with its power of ten and labels, never e-notation."""
    assert main(["mrd", "ngs", DX, FU, "--dna-ng", "1000"]) == 0
    out = capsys.readouterr().out
    # 14 templates x 6.5 pg/cell / 1,000 ng = 9.1e-5 = 0.0091%.
    assert "0.0091% (9.1 × 10⁻⁵)" in out
    assert "positive, quantifiable" in out and "NGS (Ig/TCR)" in out
    assert "e-0" not in out


def test_history_text_json_and_csv(registry_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """mrd history lists a stored draft in words (text), codes (JSON) and CSV."""
    args = ["--patient", "P1", "--db", registry_url]
    run_json(capsys, "flow", "--events", "60", "--cells", "1000000", "--day", "33", *args)
    assert main(["mrd", "history", "P1", "--db", registry_url, "--wide"]) == 0
    text = capsys.readouterr().out
    # 60 / 1,000,000 = 6 × 10⁻⁵ = 0.006%; LOD 20 events = 2 × 10⁻⁵ = 0.002%.
    assert "end of induction, bone marrow, flow cytometry" in text
    assert "0.006% (6 × 10⁻⁵)" in text and "0.002% (2 × 10⁻⁵)" in text
    assert "positive, quantifiable" in text and "draft" in text
    assert main(["mrd", "history", "P1", "--db", registry_url, "--format", "json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert (doc["timepoint"], doc["status"], doc["level"]) == ("eoi", "positive", 6e-5)
    assert main(["mrd", "history", "P1", "--db", registry_url, "--format", "csv"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.startswith("patient_id,timepoint,tissue,method,version,status,level,")
    assert row.startswith("P1,eoi,bm,flow,1,positive,6e-05,2e-05,")
