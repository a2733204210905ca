"""``mrdguide assess`` end to end: JSON and text output, comparisons, errors, registry storage."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.main import main
from mrdguide.domain import case_from_dict
from mrdguide.protocols import available_protocols

pytestmark = pytest.mark.integration

CASE: dict[str, Any] = {
    "patient_id": "SYN-A",
    "age_years": 5.0,
    "wbc_per_ul": 10000,
    "immunophenotype": "B",
    "day8_pb_blasts_per_ul": 200,
    "induction_outcome": "cr",
    "cns_status": "CNS1",
    "testicular_involvement": False,
    "steroid_pretreatment": False,
    "genetics": {"lesions": ["ETV6::RUNX1"], "modal_chromosome_number": 46},
    "mrd": [
        {"timepoint": "eoi", "method": "pcr", "status": "negative", "sensitivity": 1e-4, "day": 29},
        {"timepoint": "eoc", "method": "pcr", "status": "negative", "sensitivity": 1e-4, "day": 77},
    ],
}


def write(tmp_path: Path, name: str, doc: Any) -> str:
    """Write ``doc`` as JSON into ``tmp_path/name`` and return the path."""
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def test_json_output_in_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints one object per case x protocol, in input order."""
    b = dict(CASE, patient_id="SYN-B", mrd=[CASE["mrd"][0]])
    fa, fb = write(tmp_path, "a.json", CASE), write(tmp_path, "b.json", b)
    code = main(
        [
            "assess",
            fa,
            fb,
            "--protocol",
            "ukall2003",
            "--protocol",
            "dcog-all10",
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 5  # SYN-B has no TP2 under DCOG -> not assignable
    assert [(o["case"], o["protocol"]) for o in out] == [
        ("SYN-A", "ukall2003"),
        ("SYN-A", "dcog-all10"),
        ("SYN-B", "ukall2003"),
        ("SYN-B", "dcog-all10"),
    ]
    assert [o["risk_group"] for o in out] == ["mrd-low", "sr", "mrd-low", "not_assignable"]
    for o in out:
        assert {
            "case",
            "protocol",
            "risk_group",
            "fired_rules",
            "trace",
            "missing_inputs",
            "caveats",
            "protocol_sha256",
            "disclaimer",
        } <= set(o)
    assert out[3]["missing_inputs"] == ["mrd.eoc.negative_at_required"]


def test_protocol_all_compares_every_protocol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--protocol all gives one result per packaged protocol, and a side-by-side table in text."""
    f = write(tmp_path, "a.json", CASE)
    main(["assess", f, "--protocol", "all", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert [o["protocol"] for o in out] == list(available_protocols())
    main(["assess", f, "--protocol", "all"])
    text = capsys.readouterr().out
    assert "risk group under each protocol" in text
    for pid in available_protocols():
        assert pid in text
    assert "not a medical device" in text


def test_text_explains_rule_by_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Text names the group and the deciding rule in words, the fired rule with its citation,
    every condition with its observed value, and the disclaimer; no codes or field paths."""
    f = write(tmp_path, "a.json", CASE)
    code = main(["assess", f, "--protocol", "ukall2003"])
    text = capsys.readouterr().out
    flat = " ".join(text.split())
    assert code == 0
    assert "SYN-A under UKALL2003 (ukall2003 1.0.1): MRD low" in flat
    assert (
        "Deciding rule: end-of-induction MRD negative at the required sensitivity → MRD low"
    ) in flat
    assert "LOW-D29-NEG" in text
    assert "Vora 2013" in text
    assert "mrd.eoi.negative_at_required" not in text
    assert "mrd-low" not in text
    assert "Research use only" in text
    assert "give " not in text.lower()


def test_comparison_separates_scope_from_missing_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Across protocols: an out-of-scope patient and a missing input are worded differently,
    and each caveat is listed once with the protocols that raised it."""
    # No end-of-consolidation result; a standard-risk patient is outside KSPHO HR's scope.
    case = dict(CASE, mrd=[CASE["mrd"][0]], down_syndrome=False)
    f = write(tmp_path, "a.json", case)
    code = main(
        ["assess", f, "-p", "dcog-all10", "-p", "kspho-hr-2024", "-p", "ukall2003", "--wide"]
    )
    text = capsys.readouterr().out
    assert code == 5
    assert (
        "missing input: end-of-consolidation MRD negative at the required sensitivity → not "
        "assignable"
    ) in text
    assert "outside the protocol's scope: " in text
    assert "KSPHO HR ALL 2024" in text
    assert text.count("rule-set policy") == len(set(re.findall(r".*rule-set policy.*", text)))


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        (json.dumps(dict(CASE, wbc_per_ul="many")), "wbc_per_ul"),
        (
            json.dumps(
                dict(
                    CASE,
                    mrd=[{"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 5}],
                )
            ),
            "mrd[0].level",
        ),
    ],
)
def test_invalid_case_files_exit_3_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    """Invalid input exits with INVALID_INPUT and names the file and the field."""
    f = write(tmp_path, "bad.json", content)
    code = main(["assess", f, "--protocol", "ukall2003", "--format", "json"])
    err = capsys.readouterr().err
    assert code == 3
    assert "bad.json" in err
    assert needle in err


def test_missing_file_and_unknown_protocol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file exits 4; an unknown protocol exits 2 listing the known ones."""
    assert main(["assess", str(tmp_path / "nope.json"), "--protocol", "ukall2003"]) == 4
    f = write(tmp_path, "a.json", CASE)
    assert main(["assess", f, "--protocol", "ukall1999"]) == 2
    assert "ukall2003" in capsys.readouterr().err


def test_patient_is_assessed_from_the_registry_and_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--patient ID --db URL assesses a registered case and stores the assignment with its trace."""
    from mrdguide.store import open_registry

    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    with open_registry(url, actor="tester") as reg:
        reg.add_cases([case_from_dict(CASE)], source="test")
    code = main(
        ["assess", "--patient", "SYN-A", "--db", url, "--protocol", "ukall2003", "--format", "json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out[0]["risk_group"] == "mrd-low"
    with open_registry(url, actor="tester") as reg:
        stored = reg.list_assignments("SYN-A")
    assert len(stored) == 1
    doc = json.dumps(stored[0])
    assert "mrd-low" in doc
    assert "LOW-D29-NEG" in doc
    assert main(["assess", "--patient", "NOPE", "--db", url, "--protocol", "ukall2003"]) == 4


def test_param_overrides_a_conflict_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--param PROTOCOL.NAME=VALUE evaluates under the alternative source's value."""
    doc = dict(
        CASE,
        mrd=[
            {"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 1e-3, "day": 33},
            {"timepoint": "eoc", "method": "pcr", "status": "positive", "level": 6e-4, "day": 79},
        ],
    )
    f = write(tmp_path, "a.json", doc)
    main(["assess", f, "-p", "dcog-all10", "--format", "json"])
    assert json.loads(capsys.readouterr().out)[0]["risk_group"] == "hr"  # 5e-4 default (#15)
    main(
        [
            "assess",
            f,
            "-p",
            "dcog-all10",
            "--param",
            "dcog-all10.hr_tp2_threshold=1e-3",
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)[0]
    assert out["risk_group"] == "mr"
    assert out["parameters"]["hr_tp2_threshold"] == 1e-3
    assert main(["assess", f, "-p", "dcog-all10", "--param", "dcog-all10.nope=1"]) == 2
    assert main(["assess", f, "-p", "dcog-all10", "--param", "ukall2003.x=1"]) == 2
    assert main(["assess", f, "-p", "dcog-all10", "--param", "garbage"]) == 2
