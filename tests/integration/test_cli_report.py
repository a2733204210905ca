"""`mrdguide report cohort|patient` from a registry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.protocols import available_protocols
from mrdguide.simulate import simulate_cohort
from mrdguide.store import open_registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry holding 400 simulated patients."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reg') / 'r.sqlite'}"
    with open_registry(url) as reg:
        reg.add_cases(simulate_cohort(400, seed=12, method="pcr").to_cases(), source="test")
    return url


def test_cohort_report_from_registry(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cohort report covers every registered patient under the chosen protocols."""
    code = main(
        [
            "report",
            "cohort",
            "--db",
            db,
            "--out",
            str(tmp_path),
            "--protocol",
            "ukall2003",
            "--protocol",
            "aieop-bfm-all-2000",
            "--format",
            "json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (doc["patients"], doc["primary"]) == (400, "ukall2003")
    html = Path(doc["html"]).read_text("utf-8")
    assert "Outcomes by UKALL2003 risk group" in html
    assert "aieop-bfm-all-2000" in html  # what-if
    assert not re.search(r'(src|href)="https?://', html)


def test_patient_report_from_registry(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The patient report shows the assignment under each protocol for that patient."""
    code = main(
        [
            "report",
            "patient",
            "SIM-000003",
            "--db",
            db,
            "--out",
            str(tmp_path),
            "--protocol",
            "all",
            "--format",
            "json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    html = Path(doc["html"]).read_text("utf-8")
    n_traces = html.count('<details class="trace"')
    assert n_traces == len(available_protocols())  # one rule trace per protocol
    assert "Risk group under each protocol" in html and "MRD trajectory" in html


def test_unknown_patient_and_protocol(db: str, tmp_path: Path) -> None:
    """An unknown patient exits 4; an unknown protocol exits 2."""
    assert main(["report", "patient", "NOPE", "--db", db, "--out", str(tmp_path)]) == 4
    assert main(["report", "cohort", "--db", db, "--out", str(tmp_path), "--protocol", "nope"]) == 2


def test_patient_report_names_the_record_versions_it_used(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An amendment awaiting review is named in the report as not used; the authorised
    versions as used."""
    import shutil

    from mrdguide.domain import MRDMeasurement, MRDMethod, MRDStatus, Timepoint, Tissue
    from mrdguide.domain.mrd import MRDLevel
    from mrdguide.store.config import sqlite_path

    src = sqlite_path(db)
    assert src is not None
    copy = tmp_path / "copy.sqlite"
    shutil.copy(src, copy)
    url = f"sqlite:///{copy}"
    draft = MRDMeasurement(
        timepoint=Timepoint.DAY15, method=MRDMethod.FLOW, tissue=Tissue.BONE_MARROW,
        status=MRDStatus.POSITIVE, level=MRDLevel(0.02), sensitivity=MRDLevel(1e-4),
        quantitative_range=MRDLevel(1e-4), sample_day=15,
    )  # fmt: skip
    with open_registry(url, actor="lab-test") as reg:
        reason = "re-gated after review"
        assert reg.add_mrd("SIM-000003", draft, source="test", amend_reason=reason) is not None
    args = ["report", "patient", "SIM-000003", "--db", url, "--out", str(tmp_path)]
    assert main([*args, "--protocol", "ukall2003", "--format", "json"]) == 0
    html = Path(json.loads(capsys.readouterr().out)["html"]).read_text("utf-8")
    assert "Case record" in html and "version 1, used" in html
    assert re.search(r"version 1, authorised, used", html)
    day15 = re.findall(r"day 15[^<]*</t[dh]>\s*<td[^>]*>([^<]+)<", html)
    assert "version 1, authorised, used" in day15
    assert "version 2, draft, not used until authorised" in day15
