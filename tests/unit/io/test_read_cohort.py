"""read_cohort: wide and linked long tables, Excel, Parquet, case JSON; every issue reported."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.demo_cmd import example_cohort_dir
from mrdguide.domain import MRDLevel, OutcomeKind, Timepoint, case_to_dict
from mrdguide.errors import IngestError, IngestIssue
from mrdguide.io import detect_kind, read_cohort
from mrdguide.io._fields import PERCENT_RULE

BASE: dict[str, Any] = {
    "patient_id": "SYN-0001",
    "age_years": "4.5",
    "sex": "female",
    "immunophenotype": "B",
    "wbc_per_ul": "12000",
    "diagnosis_date": "2019-05-06",
    "lesions": "ETV6::RUNX1",
    "cn_IKZF1": "normal",
    "mrd_eoi_day": "33",
    "mrd_eoi_method": "flow",
    "mrd_eoi_status": "positive",
    "mrd_eoi_level": "0.0002",
    "mrd_eoi_sensitivity": "1e-4",
    "relapse_day": "700",
    "relapse_site": "bm",
    "last_follow_up_day": "2000",
}


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    """Write ``rows`` as CSV (columns: union in first-seen order unless given)."""
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerows([r.get(c, "") for c in cols] for r in rows)
    return path


def row(pid: str = "SYN-0001", **over: Any) -> dict[str, Any]:
    """A valid wide row with overrides."""
    return {**BASE, "patient_id": pid, **over}


def issues_of(paths: Any, **kw: Any) -> tuple[IngestIssue, ...]:
    """The issues of a read that must fail."""
    with pytest.raises(IngestError) as info:
        read_cohort(paths, **kw)
    return info.value.issues


def test_wide_row_becomes_case(tmp_path: Path) -> None:
    """A wide row yields a case with patient, genetics, MRD and outcomes."""
    [case] = read_cohort(write_csv(tmp_path / "c.csv", [row()])).cases
    assert case.patient.wbc_per_ul == 12_000
    assert case.genetics is not None
    assert case.genetics.copy_number["IKZF1"].value == "normal"
    eoi = case.mrd_at(Timepoint.EOI)
    assert eoi is not None
    assert eoi.level == MRDLevel(2e-4)
    assert [o.kind for o in case.outcomes] == [OutcomeKind.RELAPSE, OutcomeKind.LAST_FOLLOW_UP]


def test_shipped_wide_and_long_cohorts_are_identical() -> None:
    """The shipped wide CSV and the linked long CSVs describe the same 40 cases."""
    base = example_cohort_dir()
    wide = read_cohort(base / "cohort_wide.csv").cases
    long = read_cohort(base / "long").cases
    assert len(wide) == 40
    assert [case_to_dict(c) for c in wide] == [case_to_dict(c) for c in long]
    assert all(c.patient_id.startswith("SYN-") for c in wide)


def test_percent_as_fraction_is_rejected(tmp_path: Path) -> None:
    """An MRD level of 5 (percent) in a fraction column is rejected, never rescaled."""
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [row(mrd_eoi_level="5")]))
    assert (issue.row, issue.field, issue.value, issue.rule) == (
        1,
        "mrd_eoi_level",
        "5",
        PERCENT_RULE,
    )


def test_percent_column_is_accepted_explicitly(tmp_path: Path) -> None:
    """A *_percent column is converted (0.02 % -> 2e-4)."""
    r = row()
    del r["mrd_eoi_level"]
    r["mrd_eoi_level_percent"] = "0.02"
    [case] = read_cohort(write_csv(tmp_path / "c.csv", [r])).cases
    eoi = case.mrd_at(Timepoint.EOI)
    assert eoi is not None
    assert eoi.level is not None
    assert eoi.level.fraction == pytest.approx(2e-4, rel=1e-12)


def test_both_fraction_and_percent_columns_is_ambiguous(tmp_path: Path) -> None:
    """Giving a level both as fraction and percent is a file-level problem."""
    issues = issues_of(write_csv(tmp_path / "c.csv", [row(mrd_eoi_level_pct="0.02")]))
    assert any("keep one" in i.rule for i in issues)


def test_missing_required_column(tmp_path: Path) -> None:
    """A table without patient_id is rejected as a whole."""
    r = row()
    del r["patient_id"]
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [r]))
    assert issue.row is None
    assert "missing required column 'patient_id'" in issue.rule


def test_wide_mrd_needs_status_and_method_columns(tmp_path: Path) -> None:
    """MRD columns for a time point need its status and method columns."""
    r = row()
    del r["mrd_eoi_status"]
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [r]))
    assert issue.field == "mrd_eoi_status"


def test_every_problem_is_reported(tmp_path: Path) -> None:
    """All bad cells of all rows are reported, not just the first."""
    rows = [row(sex="x"), row("SYN-0002", wbc_per_ul="abc", mrd_eoi_level="3"), row("SYN-0003")]
    issues = issues_of(write_csv(tmp_path / "c.csv", rows))
    assert {(i.row, i.field) for i in issues} == {
        (1, "sex"), (2, "wbc_per_ul"), (2, "mrd_eoi_level")
    }  # fmt: skip
    assert "nothing was written" in str(IngestError(list(issues)))


def test_unknown_vocabulary_value(tmp_path: Path) -> None:
    """An unknown immunophenotype is rejected with the allowed values."""
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [row(immunophenotype="X")]))
    assert issue.field == "immunophenotype"
    assert "must be one of: B, T" in issue.rule


def test_duplicate_patient(tmp_path: Path) -> None:
    """The same patient twice is a duplicate naming the first row."""
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [row(), row()]))
    assert (issue.row, issue.field) == (2, "patient_id")
    assert "duplicate patient_id" in issue.rule
    assert "row 1" in issue.rule


@pytest.mark.parametrize(
    ("over", "field", "rule"),
    [
        ({"death_day": "500"}, "relapse_day", "no event after death"),
        ({"last_follow_up_day": "600"}, "last_follow_up_day", "last follow-up >= every event day"),
    ],
)
def test_impossible_date_order(tmp_path: Path, over: dict[str, str], field: str, rule: str) -> None:
    """Relapse after death, or follow-up before relapse, is rejected."""
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [row(**over)]))
    assert (issue.field, issue.rule) == (field, rule)


def test_dates_convert_to_days_since_diagnosis(tmp_path: Path) -> None:
    """*_date columns become days since diagnosis_date."""
    r = row(relapse_date="2021-05-06", last_follow_up_date="2024-05-06")
    del r["relapse_day"], r["last_follow_up_day"]
    [case] = read_cohort(write_csv(tmp_path / "c.csv", [r])).cases
    assert [o.day for o in case.outcomes] == [731, 1827]


def test_dates_in_wrong_order_are_rejected(tmp_path: Path) -> None:
    """A death date before the relapse date is rejected."""
    r = row(relapse_date="2021-05-06", death_date="2020-05-06")
    del r["relapse_day"]
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [r]))
    assert issue.rule == "no event after death"


def test_date_needs_diagnosis_date(tmp_path: Path) -> None:
    """A calendar date cannot be converted without diagnosis_date."""
    r = row(relapse_date="2021-05-06", diagnosis_date="")
    del r["relapse_day"]
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [r]))
    assert issue.field == "relapse_date"
    assert "diagnosis_date" in issue.rule


def test_day_and_date_must_agree(tmp_path: Path) -> None:
    """Day and date for the same event must agree."""
    [issue] = issues_of(write_csv(tmp_path / "c.csv", [row(relapse_date="2021-05-06")]))
    assert "disagree" in issue.rule


def test_domain_rules_are_reported_with_column(tmp_path: Path) -> None:
    """A positive MRD without a level and a WBC in 10^9/L are reported by column."""
    rows = [row(mrd_eoi_level=""), row("SYN-0002", wbc_per_ul="12")]
    issues = issues_of(write_csv(tmp_path / "c.csv", rows))
    assert {(i.row, i.field) for i in issues} == {(1, "mrd_eoi_level"), (2, "wbc_per_ul")}


def test_truncated_csv(tmp_path: Path) -> None:
    """A CSV cut mid-row is reported at the cut row."""
    path = write_csv(tmp_path / "c.csv", [row(), row("SYN-0002")])
    text = path.read_text()
    path.write_text(text[: text.rindex("ETV6")])
    [issue] = issues_of(path)
    assert issue.row == 2
    assert "truncated" in issue.rule


def test_unknown_column_is_reported(tmp_path: Path) -> None:
    """A misspelt column is not silently ignored; x_ columns are."""
    issues = issues_of(write_csv(tmp_path / "c.csv", [row(mrd_eoi_levl="1e-3")]))
    assert issues[0].field == "mrd_eoi_levl"
    assert read_cohort(write_csv(tmp_path / "d.csv", [row(x_note="ok")])).cases


def test_skip_drops_bad_patients_and_reports(tmp_path: Path) -> None:
    """on_invalid='skip' keeps good patients and reports the dropped ones."""
    rows = [row(), row("SYN-0002", mrd_eoi_level="7"), row("SYN-0003"), row("SYN-0003")]
    result = read_cohort(write_csv(tmp_path / "c.csv", rows), on_invalid="skip")
    assert [c.patient_id for c in result.cases] == ["SYN-0001"]
    assert result.skipped == ("SYN-0002", "SYN-0003")
    assert len(result.issues) == 2


def test_skip_cannot_skip_file_level_problems(tmp_path: Path) -> None:
    """A missing required column still raises with on_invalid='skip'."""
    r = row()
    del r["patient_id"]
    with pytest.raises(IngestError):
        read_cohort(write_csv(tmp_path / "c.csv", [r]), on_invalid="skip")


def _long_files(tmp_path: Path) -> list[Path]:
    p = write_csv(
        tmp_path / "patients.csv", [{"patient_id": "SYN-0001", "diagnosis_date": "2019-05-06"}]
    )
    m = write_csv(tmp_path / "mrd.csv", [
        {"patient_id": "SYN-0001", "timepoint": "eoi", "method": "pcr", "status": "positive_nq",
         "level": "5e-5", "date": "2019-06-08"},
    ])  # fmt: skip
    e = write_csv(tmp_path / "events.csv", [
        {"patient_id": "SYN-0001", "kind": "last_follow_up", "day": "1500"},
        {"patient_id": "SYN-0001", "kind": "intensification", "day": "90", "triggered_by": "eoi"},
    ])  # fmt: skip
    return [p, m, e]


def test_long_files_link_on_patient_id(tmp_path: Path) -> None:
    """Long files are detected by name and joined; MRD dates become sample days."""
    [case] = read_cohort(_long_files(tmp_path)).cases
    assert case.mrd[0].sample_day == 33
    assert [t.kind.value for t in case.treatments] == ["intensification"]


def test_long_rows_for_unknown_patients(tmp_path: Path) -> None:
    """An MRD row whose patient is not defined in the import is an issue."""
    files = _long_files(tmp_path)
    write_csv(files[1], [{"patient_id": "SYN-0404", "timepoint": "eoi", "method": "pcr",
                          "status": "negative"}])  # fmt: skip
    [issue] = issues_of(files)
    assert issue.value == "SYN-0404"


def test_long_mrd_missing_required_column_hints_kind(tmp_path: Path) -> None:
    """A long mrd file without timepoint is rejected as a whole."""
    files = _long_files(tmp_path)
    write_csv(files[1], [{"patient_id": "SYN-0001", "method": "pcr", "status": "negative"}])
    issues = issues_of(files)
    assert any(i.field == "timepoint" and i.row is None for i in issues)


def test_kind_override(tmp_path: Path) -> None:
    """--kind overrides detection by name."""
    path = write_csv(tmp_path / "mrd_cohort.csv", [row()])
    assert detect_kind(path) == "mrd"
    assert len(read_cohort(path, kind="wide").cases) == 1
    with pytest.raises(ValueError, match="unknown table kind"):
        read_cohort(path, kind="nonsense")


def test_excel_and_parquet_match_csv(tmp_path: Path) -> None:
    """The same table read from .xlsx and .parquet gives the same cases as from .csv."""
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [row(), row("SYN-0002", age_years="11.25", mrd_eoi_level="0.0031")]
    cols = list(rows[0])
    csv_cases = read_cohort(write_csv(tmp_path / "c.csv", rows)).cases
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(cols)
    for r in rows:
        ws.append([_typed(r[c]) for c in cols])
    wb.save(tmp_path / "c.xlsx")
    pq.write_table(
        pa.table({c: [_typed(r[c]) for r in rows] for c in cols}), tmp_path / "c.parquet"
    )
    want = [case_to_dict(c) for c in csv_cases]
    assert [case_to_dict(c) for c in read_cohort(tmp_path / "c.xlsx").cases] == want
    assert [case_to_dict(c) for c in read_cohort(tmp_path / "c.parquet").cases] == want


def _typed(v: str) -> Any:
    try:
        return float(v)
    except ValueError:
        return v or None


def test_excel_workbook_with_long_sheets(tmp_path: Path) -> None:
    """Sheets named patients/mrd/events in one workbook are read as linked tables."""
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "patients"
    first.append(["patient_id", "age_years"])
    first.append(["SYN-0001", 3.0])
    ev = wb.create_sheet("events")
    ev.append(["patient_id", "kind", "day"])
    ev.append(["SYN-0001", "last_follow_up", 1000])
    wb.save(tmp_path / "book.xlsx")
    [case] = read_cohort(tmp_path / "book.xlsx").cases
    assert case.outcomes[0].day == 1000


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_truncated_binary_files(tmp_path: Path, suffix: str) -> None:
    """A truncated .xlsx or .parquet file is reported as unreadable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / f"c{suffix}"
    if suffix == ".parquet":
        pq.write_table(pa.table({"patient_id": ["SYN-0001"] * 50}), path)
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        for i in range(50):
            ws.append([f"SYN-{i:04d}", i])
        wb.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    [issue] = issues_of(path)
    assert issue.row is None
    assert "truncated or corrupt" in issue.rule


def test_case_json_single_and_array(tmp_path: Path) -> None:
    """Case JSON files may hold one object or an array."""
    one = {
        "patient_id": "SYN-0001",
        "mrd": [{"timepoint": "eoi", "method": "flow", "status": "negative"}],
    }
    (tmp_path / "a.json").write_text(json.dumps(one))
    (tmp_path / "b.json").write_text(
        json.dumps([{"patient_id": "SYN-0002"}, {"patient_id": "SYN-0003"}])
    )
    result = read_cohort([tmp_path / "a.json", tmp_path / "b.json"])
    assert [c.patient_id for c in result.cases] == ["SYN-0001", "SYN-0002", "SYN-0003"]


def test_case_json_schema_issues(tmp_path: Path) -> None:
    """Schema violations in JSON are reported with their paths; percent gets the percent rule."""
    docs = [
        {"patient_id": "SYN-0001", "sex": "x",
         "mrd": [{"timepoint": "eoi", "method": "flow", "status": "positive", "level": 5}]},
        {"patient_id": "SYN-0002", "colour": "blue"},
    ]  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(docs))
    issues = issues_of(tmp_path / "c.json")
    by_field = {(i.row, i.field): i.rule for i in issues}
    assert by_field[(1, "mrd[0].level")] == PERCENT_RULE
    assert (1, "sex") in by_field
    assert any(row == 2 for row, _ in by_field)


def test_truncated_json(tmp_path: Path) -> None:
    """A truncated JSON file is a file-level issue."""
    (tmp_path / "c.json").write_text('[{"patient_id": "SYN-0001"}, {"patient_')
    [issue] = issues_of(tmp_path / "c.json")
    assert "not valid JSON" in issue.rule


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is reported."""
    [issue] = issues_of(tmp_path / "nope.csv")
    assert issue.rule == "file does not exist"


def test_bad_patient_row_is_not_reported_again_in_linked_files(tmp_path: Path) -> None:
    """A bad patients row yields one issue, not one more per linked MRD or event row."""
    files = _long_files(tmp_path)
    write_csv(files[0], [{"patient_id": "SYN-0001", "diagnosis_date": "2019-13-01"}])
    [issue] = issues_of(files)
    assert (issue.file, issue.field) == (str(files[0]), "diagnosis_date")


def test_skip_names_patients_of_invalid_json_documents(tmp_path: Path) -> None:
    """With skip, a JSON document failing the schema is listed by its patient id."""
    docs = [{"patient_id": "SYN-0001"}, {"patient_id": "SYN-0002", "sex": "x"}]
    (tmp_path / "c.json").write_text(json.dumps(docs))
    result = read_cohort(tmp_path / "c.json", on_invalid="skip")
    assert [c.patient_id for c in result.cases] == ["SYN-0001"]
    assert result.skipped == ("SYN-0002",)


def test_missing_json_file(tmp_path: Path) -> None:
    """A missing JSON file is reported as missing."""
    [issue] = issues_of(tmp_path / "nope.json")
    assert issue.rule == "file does not exist"
