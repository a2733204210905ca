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
