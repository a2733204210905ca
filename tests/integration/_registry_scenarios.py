"""Import scenarios shared by the SQLite CLI tests and the PostgreSQL integration tests.

Not a test module: the test files load it by path (pytest runs with --import-mode=importlib).
Every bad input starts from the shipped synthetic cohort and breaks one thing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mrdguide.cli.demo_cmd import example_cohort_dir
from mrdguide.cli.main import main
from mrdguide.io._fields import PERCENT_RULE
from mrdguide.store import open_registry

WIDE = example_cohort_dir() / "cohort_wide.csv"


def wide_rows() -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of the shipped wide CSV."""
    with WIDE.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, cols: list[str], rows: list[dict[str, str]]) -> Path:
    """Write rows (restricted to ``cols``) as CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def _missing_column(tmp: Path) -> Path:
    cols, rows = wide_rows()
    return write_rows(tmp / "cohort.csv", [c for c in cols if c != "patient_id"], rows)


def _percent(tmp: Path) -> Path:
    cols, rows = wide_rows()
    target = next(r for r in rows if r["mrd_eoi_status"] == "positive")
    target["mrd_eoi_level"] = "2.5"  # 2.5 % given where a fraction is expected
    return write_rows(tmp / "cohort.csv", cols, rows)


def _date_order(tmp: Path) -> Path:
    cols, rows = wide_rows()
    r = next(r for r in rows if not r["death_day"] and not r["relapse_day"])
    r["relapse_day"] = str(int(r["last_follow_up_day"]) + 10)  # relapse after last follow-up
    return write_rows(tmp / "cohort.csv", cols, rows)


def _vocabulary(tmp: Path) -> Path:
    cols, rows = wide_rows()
    rows[3]["cns_status"] = "CNS4"
    return write_rows(tmp / "cohort.csv", cols, rows)


def _duplicate(tmp: Path) -> Path:
    cols, rows = wide_rows()
    return write_rows(tmp / "cohort.csv", cols, [*rows, dict(rows[5])])


def _truncated_csv(tmp: Path) -> Path:
    text = WIDE.read_text(encoding="utf-8")
    cut = text.rindex(",", 0, len(text) - 200)  # cut mid-row, near the end
    path = tmp / "cohort.csv"
    path.write_text(text[:cut], encoding="utf-8")
    return path


def _truncated_parquet(tmp: Path) -> Path:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = tmp / "cohort.parquet"
    pq.write_table(pacsv.read_csv(WIDE), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    return path


def _truncated_xlsx(tmp: Path) -> Path:
    import openpyxl

    cols, rows = wide_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(cols)
    for r in rows:
        ws.append([r[c] for c in cols])
    path = tmp / "cohort.xlsx"
    wb.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _set(tmp: Path, *changes: tuple[str, str], where: str = "positive") -> Path:
    """The shipped cohort with ``changes`` applied to the first row whose EOI MRD is ``where``."""
    cols, rows = wide_rows()
    target = next(r for r in rows if r["mrd_eoi_status"] == where)
    for col, value in changes:
        target[col] = value
    return write_rows(tmp / "cohort.csv", cols, rows)


def _below_sensitivity(tmp: Path) -> Path:
    return _set(tmp, ("mrd_eoi_level", "1e-5"), ("mrd_eoi_sensitivity", "1e-4"),
                ("mrd_eoi_quantitative_range", "1e-4"))  # fmt: skip


def _range_below_sensitivity(tmp: Path) -> Path:
    return _set(tmp, ("mrd_eoi_sensitivity", "1e-4"), ("mrd_eoi_quantitative_range", "1e-5"))


def _negative_day(tmp: Path) -> Path:
    return _set(tmp, ("mrd_eoi_day", "-5"))


def _day15_on_day_40(tmp: Path) -> Path:
    cols, rows = wide_rows()
    target = next(r for r in rows if r["mrd_day15_status"])
    target["mrd_day15_day"] = "40"
    return write_rows(tmp / "cohort.csv", cols, rows)


def _eoi_on_day_20(tmp: Path) -> Path:
    return _set(tmp, ("mrd_eoi_day", "20"))


def _long_id(tmp: Path) -> Path:
    cols, rows = wide_rows()
    rows[2]["patient_id"] = "SYN-" + "9" * 61  # 65 characters: one more than the column holds
    return write_rows(tmp / "cohort.csv", cols, rows)


def _megabyte_id(tmp: Path) -> Path:
    path = tmp / "cases.json"
    doc = {"patient_id": "SYN-" + "9" * 1_000_000, "age_years": 3.0}  # SQLite would store it
    path.write_text(json.dumps([doc]), encoding="utf-8")
    return path


def _header_only(tmp: Path) -> Path:
    cols, _ = wide_rows()
    return write_rows(tmp / "cohort.csv", cols, [])


def _deep_json(tmp: Path) -> Path:
    path = tmp / "cases.json"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    return path


def _utf16_json(tmp: Path) -> Path:
    path = tmp / "cases.json"
    path.write_text(json.dumps([{"patient_id": "SYN-0999", "age_years": 3.0}]), encoding="utf-16")
    return path


#: name -> (builder, a substring of the expected rule)
BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing_required_column": (_missing_column, "missing required column 'patient_id'"),
    "percent_as_fraction": (_percent, PERCENT_RULE),
    "impossible_date_order": (_date_order, "last follow-up >= every event day"),
    "unknown_vocabulary": (_vocabulary, "unknown value"),
    "duplicate_patient": (_duplicate, "duplicate patient_id"),
    "truncated_csv": (_truncated_csv, "truncated"),
    "truncated_parquet": (_truncated_parquet, "truncated or corrupt"),
    "truncated_xlsx": (_truncated_xlsx, "truncated or corrupt"),
    "level_below_sensitivity": (_below_sensitivity, "level >= sensitivity"),
    "range_below_sensitivity": (_range_below_sensitivity, "quantitative_range >= sensitivity"),
    "negative_sample_day": (_negative_day, "day >= 0"),
    "day15_sample_on_day_40": (_day15_on_day_40, "for time point day15"),
    "eoi_sample_on_day_20": (_eoi_on_day_20, "for time point eoi"),
    "patient_id_too_long": (_long_id, "at most 64 characters"),
    "patient_id_of_a_megabyte": (_megabyte_id, "at most 64 characters"),
    "header_only_file": (_header_only, "header but no data rows"),
    "deeply_nested_json": (_deep_json, "nested deeper than"),
    "utf16_case_file": (_utf16_json, "must be UTF-8"),
}


def snapshot(url: str) -> tuple[dict[str, int], int]:
    """Row counts of every table and the number of audit entries."""
    with open_registry(url, create=False) as reg:
        return reg.table_counts(), len(reg.audit_log(limit=None))


def run_json(args: list[str], capsys: Any) -> tuple[int, Any]:
    """Run the CLI with ``--format json`` and parse stdout."""
    code = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def check_import_and_reimport(url: str, capsys: Any) -> None:
    """Import the shipped cohort, then re-import it: the second run changes nothing."""
    code, first = run_json(["import", str(WIDE), "--db", url], capsys)
    assert code == 0
    assert first["added"] == 40
    before = snapshot(url)
    code, second = run_json(["import", str(WIDE), "--db", url], capsys)
    assert code == 0
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 40)
    assert snapshot(url) == before


def check_bad_input(url: str, tmp: Path, name: str, capsys: Any) -> None:
    """A bad input exits 3, reports the rule, and leaves the registry unchanged."""
    run_json(["import", str(WIDE), "--db", url], capsys)
    before = snapshot(url)
    build, rule = BAD_INPUTS[name]
    code, report = run_json(["import", str(build(tmp)), "--db", url], capsys)
    assert code == 3
    assert report["error"]["code"] == "invalid_input"
    assert any(rule in issue["rule"] for issue in report["error"]["issues"]), report
    assert snapshot(url) == before
