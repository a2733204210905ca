"""write_cohort: JSON is lossless; CSV and Parquet use the wide import layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mrdguide.cli.demo_cmd import example_cohort_dir
from mrdguide.domain import case_from_dict, case_to_dict
from mrdguide.errors import InputError
from mrdguide.io import read_cohort, write_cohort


@pytest.mark.parametrize("suffix", [".json", ".csv", ".parquet"])
def test_export_then_import_round_trips(tmp_path: Path, suffix: str) -> None:
    """Exported files import back to identical cases."""
    cases = read_cohort(example_cohort_dir() / "cohort_wide.csv").cases
    path = write_cohort(cases, tmp_path / f"out{suffix}")
    again = read_cohort(path).cases
    assert [case_to_dict(c) for c in again] == [case_to_dict(c) for c in cases]


def test_json_export_is_case_documents(tmp_path: Path) -> None:
    """The JSON export is an array of case documents."""
    case = case_from_dict({"patient_id": "SYN-0001", "age_years": 3.0})
    path = write_cohort([case], tmp_path / "o.json")
    assert json.loads(path.read_text()) == [{"patient_id": "SYN-0001", "age_years": 3.0}]


def test_wide_export_refuses_what_it_cannot_hold(tmp_path: Path) -> None:
    """Two results at one time point cannot be written wide; JSON is suggested."""
    mrd = [{"timepoint": "eoi", "method": "flow", "status": "negative"},
           {"timepoint": "eoi", "method": "pcr", "status": "negative"}]  # fmt: skip
    case = case_from_dict({"patient_id": "SYN-0001", "mrd": mrd})
    with pytest.raises(InputError, match=r"Export as \.json"):
        write_cohort([case], tmp_path / "o.csv")


def test_unsupported_suffix(tmp_path: Path) -> None:
    """Unknown suffixes are rejected."""
    with pytest.raises(InputError, match="Unsupported export format"):
        write_cohort([], tmp_path / "o.txt")
