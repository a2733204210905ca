"""REDCap files through a site mapping: percent units, repeating instruments, events,
checkboxes, EAV, completion flags; and the project mrdguide writes."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import pytest

from mrdguide.domain import case_from_dict, case_to_dict
from mrdguide.errors import IngestError
from mrdguide.io.redcap_convert import read_redcap
from mrdguide.io.redcap_export import redcap_project
from mrdguide.io.redcap_files import DICTIONARY_COLUMNS, parse_choices, read_dictionary
from mrdguide.io.redcap_mapping import load_site_mapping, parse_site_mapping

DATA = Path(__file__).parents[2] / "data" / "redcap"
DICT, FLAT = DATA / "site_dictionary.csv", DATA / "site_records_flat.csv"
MAPPING = DATA / "site_mapping.toml"


def _results(read: object) -> dict[tuple[str, str, str], dict[str, object]]:
    out = {}
    for p in read.patients:  # type: ignore[attr-defined]
        for r in p.mrd:
            out[(p.patient_id, r.doc.get("method", ""), str(r.doc.get("timepoint")))] = r.doc | {
                "date": r.date
            }
    return out


def test_site_export_reads_with_the_right_fractions() -> None:
    """Percent fields are divided by 100 (and said so); fraction fields are kept; repeating
    instances and event rows each give one result; checkboxes give lesion lists."""
    read = read_redcap(DICT, FLAT, load_site_mapping(MAPPING))
    got = _results(read)
    flow15 = got[("SYN-R001", "flow", "day15")]
    assert (flow15["level"], flow15["sensitivity"]) == pytest.approx((0.0025, 1e-4))
    assert str(flow15["date"]) == "2024-01-25" and flow15["status"] == "positive"
    assert got[("SYN-R001", "flow", "eoi")]["status"] == "negative"
    pcr = got[("SYN-R001", "pcr", "eoi")]
    assert (pcr["level"], pcr["sensitivity"], pcr["tissue"]) == (0.0004, 1e-5, "bm")
    assert got[("SYN-R001", "pcr", "eoc")]["status"] == "negative"
    pnq = got[("SYN-R002", "flow", "eoi")]
    assert (pnq["status"], pnq["level"]) == ("positive_nq", pytest.approx(5e-5))
    p1 = read.patients[0]
    assert p1.doc == {
        "sex": "female",
        "age_years": 4.5,
        "diagnosis_date": "2024-01-10",
        "immunophenotype": "B",
        "genetics": {"lesions": ["ETV6::RUNX1", "hyperdiploidy"]},
    }
    assert any("'mrd_pct' (mrd[0].level) converted from percent" in n for n in read.notes)
    assert any("'mrd_sens_pct'" in n for n in read.notes)


def test_incomplete_rows_are_flagged_not_read() -> None:
    """SYN-R002's day-15 instance is unverified (1): flagged with its row, not read."""
    read = read_redcap(DICT, FLAT, load_site_mapping(MAPPING))
    assert ("SYN-R002", "flow", "day15") not in _results(read)
    [flag] = read.flagged
    assert (flag.file, flag.row, flag.field, flag.value) == (
        "site_records_flat.csv",
        7,
        "mrd_flow_complete",
        "1",
    )
    assert "unverified" in flag.rule


def test_mapping_without_unit_for_a_percent_field_is_rejected() -> None:
    """The dictionary says mrd_pct is in percent; a mapping without unit is refused with the
    file/row/field/value/rule table before any record is read."""
    with pytest.raises(IngestError) as err:
        read_redcap(DICT, FLAT, load_site_mapping(DATA / "site_mapping_no_unit.toml"))
    [issue] = err.value.issues
    assert (issue.file, issue.row, issue.field, issue.value) == (
        "site_mapping_no_unit.toml",
        None,
        "mrd[0].level",
        "mrd_pct",
    )
    assert 'unit = "percent"' in issue.rule and "Flow MRD (%)" in issue.rule


def test_value_above_one_without_unit_is_rejected(tmp_path: Path) -> None:
    """A fraction field holding 4 (percent by mistake) is rejected, naming row and field."""
    text = FLAT.read_text("utf-8").replace("positive,0.0004,", "positive,4,")
    records = tmp_path / "records.csv"
    records.write_text(text, "utf-8")
    with pytest.raises(IngestError) as err:
        read_redcap(DICT, records, load_site_mapping(MAPPING))
    [issue] = err.value.issues
    assert (issue.row, issue.field, issue.value) == (4, "pcr_level", "4")
    assert "fraction in [0,1]" in issue.rule and 'unit = "percent"' in issue.rule


def test_eav_export_reads_the_same(tmp_path: Path) -> None:
    """The EAV layout (record, event, repeat, field_name, value) gives the same results."""
    rows = list(csv.DictReader(io.StringIO(FLAT.read_text("utf-8"))))
    eav = tmp_path / "eav.csv"
    with eav.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "record",
                "redcap_event_name",
                "redcap_repeat_instrument",
                "redcap_repeat_instance",
                "field_name",
                "value",
            ]
        )
        for r in rows:
            keys = [
                r["record_id"],
                r["redcap_event_name"],
                r["redcap_repeat_instrument"],
                r["redcap_repeat_instance"],
            ]
            for name, value in r.items():
                if name.startswith("redcap_") or name == "record_id" or value == "":
                    continue
                if "___" in name:
                    if value == "1":
                        w.writerow([*keys, name.split("___")[0], name.split("___")[1]])
                    continue
                w.writerow([*keys, name, value])
    mapping = load_site_mapping(MAPPING)
    flat, from_eav = read_redcap(DICT, FLAT, mapping), read_redcap(DICT, eav, mapping)
    assert _results(from_eav) == _results(flat)
    assert [p.doc for p in from_eav.patients] == [p.doc for p in flat.patients]
    assert len(from_eav.flagged) == 1


def test_conflicting_values_across_events(tmp_path: Path) -> None:
    """A patient field with two different values in two events is an error."""
    text = FLAT.read_text("utf-8").replace("SYN-R001,eoc_arm_1,,,,,,", "SYN-R001,eoc_arm_1,,,2,,,")
    records = tmp_path / "r.csv"
    records.write_text(text, "utf-8")
    with pytest.raises(IngestError, match="different value in another event"):
        read_redcap(DICT, records, load_site_mapping(MAPPING))


def test_mapping_format_errors() -> None:
    """Unknown case fields, units where none apply, missing required MRD fields."""
    with pytest.raises(IngestError) as err:
        parse_site_mapping(
            {
                "version": 1,
                "patient": {
                    "shoe_size": {"field": "x"},
                    "age_years": {"field": "age", "unit": "percent"},
                },
                "mrd": [{"form": "m", "level": {"field": "l", "unit": "log"}}],
            }
        )
    fields = {i.field for i in err.value.issues}
    assert {
        "patient.shoe_size",
        "patient.age_years.unit",
        "mrd[0].level.unit",
        "mrd[0].timepoint",
        "mrd[0].method",
        "mrd[0].status",
    } <= fields


def test_dictionary_reader() -> None:
    """18 columns in REDCap's order; choices are parsed; a wrong header is refused."""
    d = read_dictionary(DICT)
    assert d.record_id == "record_id" and d.forms == ("enrolment", "mrd_flow", "pcr")
    assert d.get("sex").choices == {"1": "Female", "2": "Male"}  # type: ignore[union-attr]
    assert parse_choices("a, A, with comma | b, B") == {"a": "A, with comma", "b": "B"}
    assert len(DICTIONARY_COLUMNS) == 18


DOC = {
    "patient_id": "SYN-0009", "sex": "female", "diagnosis_date": "2024-01-01",
    "age_years": 6.5, "genetics": {"lesions": ["ETV6::RUNX1"], "trisomies": [4, 10]},
    "mrd": [{"timepoint": "day15", "method": "flow", "status": "positive_nq", "level": 5e-5,
             "sensitivity": 1e-5, "quantitative_range": 1e-4, "day": 15},
            {"timepoint": "eoi", "method": "flow", "status": "positive", "level": 0.002,
             "sensitivity": 1e-4, "day": 33}],
    "treatments": [{"kind": "intensification", "day": 40, "triggered_by": "eoi",
                    "phase": "HR block 1"}, {"kind": "hsct", "day": 150}],
    "outcomes": [{"kind": "relapse", "day": 400, "relapse_site": "cns"},
                 {"kind": "death", "day": 500, "in_remission": False}],
}  # fmt: skip


def test_exported_project_is_redcap_shaped() -> None:
    """The dictionary has the 18 columns; records repeat the 'mrd' and 'events' instruments;
    levels are fractions; the mapping parses and declares fractions."""
    project = redcap_project([case_from_dict(DOC)])
    header = next(csv.reader(io.StringIO(project.dictionary)))
    assert tuple(header) == DICTIONARY_COLUMNS
    rows = list(csv.DictReader(io.StringIO(project.records)))
    kinds = [r["redcap_repeat_instrument"] for r in rows]
    assert kinds == ["", "mrd", "mrd", "events", "events", "events", "events"]
    assert (rows[2]["mrd_level"], rows[2]["mrd_complete"]) == ("0.002", "2")
    mapping = parse_site_mapping(tomllib.loads(project.mapping))
    units = {s.target: s.unit for s in mapping.mrd[0].specs}
    assert units["level"] == "fraction"
    assert [b.form for b in mapping.events] == ["events"]


def test_exported_project_reads_back(tmp_path: Path) -> None:
    """Dictionary + records + mapping written by the export read back to the same case."""
    project = redcap_project([case_from_dict(DOC)])
    paths = {}
    for name in ("dictionary", "records", "mapping"):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(getattr(project, name), "utf-8")
    mapping = load_site_mapping(paths["mapping"])
    [p] = read_redcap(paths["dictionary"], paths["records"], mapping).patients
    assert p.patient_id == "SYN-0009"
    assert [r.doc for r in p.mrd] == case_to_dict(case_from_dict(DOC))["mrd"]
    assert (p.doc["outcomes"], p.doc["treatments"]) == (DOC["outcomes"], DOC["treatments"])
    assert p.doc["genetics"] == DOC["genetics"] and p.doc["age_years"] == 6.5
