"""``mrdguide model`` end to end: fit on a seeded case-JSON cohort, predict, thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli.main import main

pytestmark = pytest.mark.integration

LESION = {"good": ["ETV6::RUNX1"], "intermediate": ["TCF3::PBX1"], "high": ["KMT2A::AFF1"]}
MU = {"good": -3.8, "intermediate": -3.3, "high": -2.8}
BETA_GROUP = {"good": 0.0, "intermediate": 0.7, "high": 1.4}


def _case_doc(i: int, group: str, log_mrd: float, outcome: dict[str, Any]) -> dict[str, Any]:
    mrd: dict[str, Any] = {"timepoint": "eoi", "method": "pcr", "day": 29, "sensitivity": 1e-5}
    if log_mrd < -5:
        mrd["status"] = "negative"
    else:
        mrd.update(status="positive", level=10**log_mrd)
    return {
        "patient_id": f"P{i:04d}",
        "immunophenotype": "B",
        "age_years": 6.0,
        "wbc_per_ul": 12000,
        "genetics": {"lesions": LESION[group]},
        "mrd": [mrd],
        "outcomes": [outcome],
    }


def make_cohort(n: int, seed: int) -> list[dict[str, Any]]:
    """Cases with relapse hazard 0.015/yr x exp(β_group + 0.5 (log10 MRD + 4))."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n):
        g = str(rng.choice(list(MU), p=[0.6, 0.3, 0.1]))
        m = float(min(rng.normal(MU[g], 1.2), -0.5))
        eta = BETA_GROUP[g] + 0.5 * (max(m, -5.3) + 4)
        t_rel = rng.exponential(1 / (0.015 * np.exp(eta)))
        t_dth = rng.exponential(1 / 0.004)
        cens = rng.uniform(3, 10)
        t = min(t_rel, t_dth, cens)
        kind = "relapse" if t == t_rel else ("death" if t == t_dth else "last_follow_up")
        docs.append(_case_doc(i, g, m, {"kind": kind, "day": 30 + int(t * 365.25)}))
    return docs


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,500-patient cohort file (seed 42)."""
    path = tmp_path_factory.mktemp("model") / "cohort.json"
    path.write_text(json.dumps(make_cohort(1500, 42)))
    return path


@pytest.fixture(scope="module", params=["fine_gray", "cause_specific"])
def model_file(request: pytest.FixtureRequest, cohort: Path) -> Path:
    """A model fitted through the CLI."""
    out = cohort.parent / f"model_{request.param}.json"
    code = main(
        [
            "model",
            "fit",
            "--cohort",
            str(cohort),
            "--out",
            str(out),
            "--method",
            request.param,
            "--format",
            "json",
        ]
    )
    assert code == 0
    return out


def run_json(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> dict[str, Any]:
    """Run the CLI with --format json, check the exit code and parse stdout."""
    rc = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    assert rc == code, out
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_fit_writes_model_with_provenance(
    capsys: pytest.CaptureFixture[str], cohort: Path, tmp_path: Path
) -> None:
    """fit writes a model document with provenance and the full disclaimer, and summarises."""
    out = tmp_path / "m.json"
    doc = run_json(
        capsys, "model", "fit", "--cohort", str(cohort), "--out", str(out), "--no-interaction"
    )
    assert doc["n"] == 1500
    assert doc["n_relapse"] > 50
    assert "Research use only" in doc["disclaimer"]
    saved = json.loads(out.read_text())
    assert saved["provenance"]["mrdguide_version"]
    assert saved["provenance"]["fit_date"]
    assert len(saved["provenance"]["cohort_sha256"]) == 64
    assert "not treatment recommendations" in saved["disclaimer"]
    hr = {t["term"]: t["hazard_ratio"] for t in doc["terms"]}
    assert hr["group[high]"] > hr["group[intermediate]"] > 1


def test_predict_one_case(
    capsys: pytest.CaptureFixture[str], model_file: Path, tmp_path: Path
) -> None:
    """predict reports a risk with a CI that grows with MRD, plus the disclaimer."""
    risks = []
    for level in (-5.0, -3.0, -1.5):
        case = tmp_path / "case.json"
        case.write_text(
            json.dumps(_case_doc(1, "high", level, {"kind": "last_follow_up", "day": 400}))
        )
        doc = run_json(capsys, "model", "predict", str(model_file), str(case))
        est = doc["estimate"]
        assert est["ci_lower"] < est["risk"] < est["ci_upper"]
        assert doc["group"] == "high"
        assert doc["disclaimer"]
        risks.append(est["risk"])
    assert risks == sorted(risks)


def test_predict_text_is_not_an_order(
    capsys: pytest.CaptureFixture[str], model_file: Path, tmp_path: Path
) -> None:
    """The text output states an estimate and the disclaimer, with no imperative wording."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_case_doc(1, "good", -3.5, {"kind": "last_follow_up", "day": 9})))
    assert main(["model", "predict", str(model_file), str(case)]) == 0
    out = capsys.readouterr().out.lower()
    assert "estimated" in out
    assert "research use only" in out
    body = out.replace(SHORT_DISCLAIMER.lower(), "")
    for word in ("should", "recommend", "must receive", "intensify"):
        assert word not in body


def test_thresholds_fall_with_genetic_risk(
    capsys: pytest.CaptureFixture[str], model_file: Path
) -> None:
    """thresholds lists each group and band; the 15% threshold falls from good to high."""
    doc = run_json(
        capsys, "model", "thresholds", str(model_file), "--band", "0.05", "--band", "0.15"
    )
    assert doc["bands"] == [0.05, 0.15]
    by = {(t["group"], t["band"]): t for t in doc["thresholds"]}
    good, high = by[("good", 0.15)], by[("high", 0.15)]
    assert high["status"] == "crossed"
    assert good["mrd"] is None or good["mrd"] > high["mrd"]
    assert doc["disclaimer"]


def test_thresholds_text(capsys: pytest.CaptureFixture[str], model_file: Path) -> None:
    """The text table names the groups and carries the disclaimer."""
    assert main(["model", "thresholds", str(model_file)]) == 0
    out = capsys.readouterr().out
    assert "intermediate" in out
    assert "Research use only" in out


def test_validate_json(capsys: pytest.CaptureFixture[str], cohort: Path) -> None:
    """validate reports cross-validated metrics for the model and the 1e-4 reference."""
    doc = run_json(
        capsys,
        "model",
        "validate",
        "--cohort",
        str(cohort),
        "--folds",
        "3",
        "--seed",
        "1",
        "--no-interaction",
    )
    assert doc["model"]["c_index"] > doc["reference"]["c_index"]
    assert len(doc["calibration"]) == 10


def test_case_without_mrd_is_not_assignable(
    capsys: pytest.CaptureFixture[str], model_file: Path, tmp_path: Path
) -> None:
    """A case without EOI MRD exits 5 and prints no estimate."""
    doc = _case_doc(1, "good", -3.0, {"kind": "last_follow_up", "day": 9})
    doc["mrd"] = []
    case = tmp_path / "case.json"
    case.write_text(json.dumps(doc))
    assert main(["model", "predict", str(model_file), str(case), "--format", "json"]) == 5
    assert "estimate" not in capsys.readouterr().out


def test_error_exit_codes(
    capsys: pytest.CaptureFixture[str], model_file: Path, cohort: Path, tmp_path: Path
) -> None:
    """Missing files exit 4, bad bands and bad model files 3, and --cohort with --db 2."""
    assert main(["model", "thresholds", str(tmp_path / "none.json")]) == 4
    assert main(["model", "thresholds", str(model_file), "--band", "2"]) == 3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"kind": "other"}))
    assert main(["model", "thresholds", str(bad)]) == 3
    args = ["model", "fit", "--cohort", str(cohort), "--db", "sqlite://", "--out", "x.json"]
    assert main(args) == 2
    capsys.readouterr()
