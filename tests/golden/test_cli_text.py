"""Golden test: the CLI's key text outputs read as a clinician or lab scientist expects.

Every expected line below was written by hand from the inputs and the rule files (the
derivation is in the comments), not copied from the program's output. Rows are compared cell
by cell after ``--wide`` output is split on runs of two or more spaces, so column widths and
table borders may change; the words and numbers may not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.main import main
from mrdguide.domain import case_from_dict
from mrdguide.protocols import load_ruleset
from mrdguide.store import open_registry

BASE: dict[str, Any] = {
    "age_years": 5.0,
    "sex": "female",
    "wbc_per_ul": 10000,
    "immunophenotype": "B",
    "day8_pb_blasts_per_ul": 200,  # < 1,000/µL: good prednisone response
    "induction_outcome": "cr",
    "cns_status": "CNS1",
    "testicular_involvement": False,
    "steroid_pretreatment": False,
    "down_syndrome": False,
    "genetics": {"lesions": ["ETV6::RUNX1"], "modal_chromosome_number": 46},
}
CASE_A = BASE | {
    "patient_id": "SYN-A",
    "mrd": [
        {"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 3e-4,
         "sensitivity": 1e-5, "day": 33},
        {"timepoint": "eoc", "method": "pcr", "status": "positive", "level": 0.0021,
         "sensitivity": 1e-5, "day": 78},
    ],
}  # fmt: skip


def cells(text: str) -> list[list[str]]:
    """Non-empty lines split into cells on runs of two or more spaces."""
    return [re.split(r"\s{2,}", ln.strip()) for ln in text.splitlines() if ln.strip()]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI and return its exit code and stdout."""
    code = main(args)
    return code, capsys.readouterr().out


def test_assess_explains_the_deciding_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AIEOP-BFM ALL 2000: TP2 (day 78) PCR MRD 0.0021 ≥ 10⁻³ is HR (rule HR-MRD-TP2)."""
    f = tmp_path / "a.json"
    f.write_text(json.dumps(CASE_A), encoding="utf-8")
    version = load_ruleset("aieop-bfm-all-2000").version
    code, out = run(["assess", str(f), "-p", "aieop-bfm-all-2000", "--wide"], capsys)
    assert code == 0
    rows = cells(out)
    assert rows[0] == [f"SYN-A under AIEOP-BFM ALL 2000 (aieop-bfm-all-2000 {version}): high risk"]
    # 0.0021 = 0.21%; the threshold 10⁻³ = 0.1%.
    assert rows[1] == ["Deciding rule: end-of-consolidation MRD 0.21% ≥ 0.1% → high risk"]
    assert rows[2] == ["HR-MRD-TP2: Conter 2010: MRD-HR = MRD ≥ 10⁻³ at TP2 (day 78)"]
    assert rows[3] == ["Conditions checked"]
    trace = rows[rows.index(["rule", "condition (observed value) → result"]) + 2 :][:8]
    assert trace == [
        ["✗", "HR-NO-CR-D33", "remission at the end of induction is no complete remission "
         "(observed complete remission) → not met"],
        ["✗", "HR-PPR", "prednisone response is poor (observed good) → not met"],
        ["✗", "HR-T4-11", "genetic lesions include KMT2A::AFF1 (observed ETV6::RUNX1) → not met"],
        ["✓", "HR-MRD-TP2", "end-of-consolidation MRD ≥ 0.1% (observed 0.21%) → met"],
        ["✗", "SR-MRD-NEG-TP1-TP2", "end-of-induction MRD negative at the required sensitivity "
         "(observed no) → not met"],
        ["✗", "SR-MRD-NEG-TP1-TP2", "end-of-consolidation MRD negative at the required "
         "sensitivity (observed no) → not met"],
        # No marker count recorded: missing, and the rule file treats it as not met.
        ["✗", "SR-MRD-NEG-TP1-TP2", "end-of-induction MRD markers ≥ 2 (observed missing) → "
         "not met"],
        ["✗", "SR-MRD-NEG-TP1-TP2", "end-of-consolidation MRD markers ≥ 2 (observed missing) → "
         "not met"],
    ]  # fmt: skip
    assert "Caveats" not in out  # PCR in both windows, quantified: nothing to qualify


def test_assess_comparison_scope_versus_missing_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Day 33 positive (3 × 10⁻⁴) and no day-79 result: DCOG ALL10's SR needs both negative
    and its TP2 HR rule treats the missing result as not met, so the default group (MR)
    applies; without the day-33 result instead, SR cannot be decided (missing input). A
    5-year-old with WBC 10,000/µL, CNS1 and ETV6::RUNX1 is outside KSPHO HR ALL 2024 (HR
    patients only). UKALL2003 decides on day 29: 3 × 10⁻⁴ ≥ 10⁻⁴ is MRD high."""
    case = CASE_A | {"mrd": CASE_A["mrd"][:1]}
    f = tmp_path / "b.json"
    f.write_text(json.dumps(case), encoding="utf-8")
    args = ["assess", str(f), "-p", "dcog-all10", "-p", "kspho-hr-2024", "-p", "ukall2003"]
    code, out = run([*args, "--wide"], capsys)
    assert code == 5
    rows = cells(out)
    head = rows.index(["protocol", "risk group", "deciding rule"])
    table = rows[head + 2 : head + 5]
    assert table[0] == [
        "DCOG ALL10", "medium risk", "no rule for another group applied → medium risk (the "
        "protocol's default group)",
    ]  # fmt: skip
    assert table[1][:2] == ["KSPHO HR ALL 2024", "not assignable"]
    assert table[1][2].startswith("outside the protocol's scope: ")
    assert table[1][2].endswith(" → not assignable")
    assert table[2] == ["UKALL2003", "MRD high", "end-of-induction MRD 0.03% ≥ 0.01% → MRD high"]
    caveats = rows[rows.index(["severity", "caveat", "raised by"]) + 1 :]
    # DCOG's TP2 rule treats the missing result as not met (rule-set policy), once, as its own.
    assert caveats[0] == [
        "caution", "end-of-consolidation MRD not available: condition treated as not met in "
        "rule(s) HR-MRD-TP2 (rule-set policy)", "DCOG ALL10",
    ]  # fmt: skip
    # KSPHO reads flow cytometry; this sample is RQ-PCR.
    assert caveats[1] == [
        "caution", "End of induction: method RQ-PCR (Ig/TCR) differs from the protocol's "
        "(flow cytometry)", "KSPHO HR ALL 2024",
    ]  # fmt: skip
    negative_tp1 = {"timepoint": "eoi", "method": "pcr", "status": "negative",
                    "sensitivity": 1e-4, "day": 33}  # fmt: skip
    f.write_text(json.dumps(case | {"mrd": [negative_tp1]}), encoding="utf-8")
    code, out = run(["assess", str(f), "-p", "dcog-all10", "--wide"], capsys)
    assert code == 5
    assert cells(out)[1] == [
        "Deciding rule: missing input: end-of-consolidation MRD negative at the required "
        "sensitivity → not assignable"
    ]


def test_mrd_flow_result(capsys: pytest.CaptureFixture[str]) -> None:
    """30 events in 500,000 cells: 6 × 10⁻⁵ = 0.006%; LOD 20/500,000 = 4 × 10⁻⁵ = 0.004%;
    LLOQ 50/500,000 = 10⁻⁴ = 0.01%; 20 ≤ 30 < 50 events: positive, not quantifiable."""
    code, out = run(["mrd", "flow", "--events", "30", "--cells", "500000"], capsys)
    assert code == 0
    assert cells(out)[:8] == [
        ["MRD by flow cytometry: end of induction (day 29–33), bone marrow"],
        ["Result", "≈ 0.006% (6 × 10⁻⁵), not quantifiable"],
        ["Status", "positive, not quantifiable"],
        ["Sensitivity (detection limit)", "0.004% (4 × 10⁻⁵)"],
        ["Quantitative range", "from 0.01% (10⁻⁴)"],
        ["Markers", "–"],
        ["Cells analysed", "500,000"],
        ["Sample day", "–"],
    ]


@pytest.fixture
def registry(tmp_path: Path) -> str:
    """Two hand-made patients (MRD given out of time order)."""
    g1 = BASE | {
        "patient_id": "SYN-G1", "age_years": 4.5, "wbc_per_ul": 12000,
        "mrd": [
            {"timepoint": "eoc", "method": "pcr", "status": "negative", "sensitivity": 1e-4,
             "markers": 2, "day": 78},
            {"timepoint": "eoi", "method": "pcr", "status": "negative", "sensitivity": 1e-4,
             "markers": 2, "day": 33},
        ],
    }  # fmt: skip
    g2 = BASE | {
        "patient_id": "SYN-G2", "age_years": 12.25, "sex": "male", "immunophenotype": "T",
        "wbc_per_ul": 80000, "day8_pb_blasts_per_ul": 300,
        "mrd": [
            {"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 5e-4,
             "sensitivity": 1e-5, "day": 33},
            {"timepoint": "day15", "method": "flow", "status": "positive", "level": 0.02,
             "sensitivity": 1e-4, "day": 15},
        ],
    }  # fmt: skip
    del g2["genetics"]
    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    with open_registry(url, actor="golden") as reg:
        reg.add_cases([case_from_dict(g1), case_from_dict(g2)], source="golden")
    return url


def test_patients_list(registry: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Labels, plain numbers and time points in treatment order; the group under AIEOP-BFM
    ALL 2000: G1 is MRD-negative at TP1 and TP2 with 2 markers (SR); G2 has no genetics, so
    the t(4;11) HR rule cannot be decided and no group can be assigned."""
    args = ["patients", "list", "--db", registry, "--protocol", "aieop-bfm-all-2000", "--wide"]
    code, out = run(args, capsys)
    assert code == 0
    rows = cells(out)
    assert rows[0] == ["2 patients"]
    assert rows[1] == ["patient", "age (y)", "sex", "lineage", "WBC /µL", "NCI risk", "genetics",
                       "MRD time points", "risk group (AIEOP-BFM ALL 2000)"]  # fmt: skip
    assert rows[3:5] == [
        # Age 4.5 and WBC 12,000/µL: NCI standard risk (1 to < 10 years, WBC < 50,000/µL).
        ["SYN-G1", "4.5", "female", "B-cell precursor", "12,000", "standard", "yes",
         "end of induction, end of consolidation", "standard risk"],
        # 12.25 years rounds half up to 12.3 (three digits); age ≥ 10: NCI high risk.
        ["SYN-G2", "12.3", "male", "T-cell", "80,000", "high", "–",
         "day 15, end of induction", "not assignable"],
    ]  # fmt: skip
