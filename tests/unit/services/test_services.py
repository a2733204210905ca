"""services.cohort, assess, mrd, analyze, report, relapse_model and simulate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mrdguide.domain import MRDStatus, Timepoint
from mrdguide.errors import IngestError, InputError, NotFoundError, RuleSetError
from mrdguide.protocols import available_protocols
from mrdguide.services import Workspace, analyze, assess, cohort, mrd, report, simulate
from mrdguide.services.files import private_dir, write_private
from mrdguide.services.mrd import Sample


def test_patient_list_and_record(loaded: Workspace) -> None:
    """The list is ordered by id; an unknown patient raises NotFoundError."""
    rows = cohort.list_patients(loaded.registry())
    assert [r.patient_id for r in rows] == sorted(r.patient_id for r in rows)
    record = cohort.patient_record(loaded.registry(), rows[0].patient_id)
    assert record.to_dict()["patient_id"] == rows[0].patient_id
    with pytest.raises(NotFoundError):
        cohort.patient_record(loaded.registry(), "NOPE")


def test_rulesets_and_overrides() -> None:
    """'all' loads every shipped protocol; a malformed or unused override is refused."""
    assert len(assess.load_rulesets(["all"])) == len(available_protocols())
    with pytest.raises(RuleSetError, match=r"PROTOCOL\.NAME=VALUE"):
        assess.load_rulesets(["ukall2003"], ["nonsense"])
    with pytest.raises(RuleSetError, match="not assessed"):
        assess.load_rulesets(["ukall2003"], ["cog-b-all.x=1"])


def test_assess_registered_is_all_or_nothing(loaded: Workspace) -> None:
    """An unknown patient among several stores no assignment at all."""
    reg = loaded.registry()
    rulesets = assess.load_rulesets(["ukall2003", "cog-b-all"])
    before = reg.table_counts()["risk_assignments"]
    with pytest.raises(NotFoundError):
        assess.assess_registered(reg, ["SYN-0001", "NOPE"], rulesets)
    assert reg.table_counts()["risk_assignments"] == before
    out = assess.assess_registered(reg, ["SYN-0001", "SYN-0002"], rulesets)
    assert len(out) == 4
    assert reg.table_counts()["risk_assignments"] == before + 4


def test_transaction_spans_operations(loaded: Workspace) -> None:
    """Two writes in one transaction: a failure in the second rolls back the first."""
    reg = loaded.registry()
    m = mrd.flow_from_counts(
        events=0, cells=200_000, lod_events=20, lloq_events=50,
        sample=Sample(timepoint=Timepoint.POST_IM1, day=120),
    )  # fmt: skip
    before = reg.table_counts()

    def both() -> None:
        with reg.transaction():
            mrd.store_result(reg, "SYN-0001", m)
            mrd.store_result(reg, "NOPE", m)

    with pytest.raises(NotFoundError):
        both()
    assert reg.table_counts() == before


def test_mrd_outcome_wire_format_and_storage(loaded: Workspace) -> None:
    """The result's measurement is in the case-document shape and is what gets stored."""
    out = mrd.flow_from_counts(
        events=30, cells=1_000_000, lod_events=20, lloq_events=50,
        sample=Sample(timepoint=Timepoint.POST_IM1, day=120),
    )  # fmt: skip
    doc = out.to_dict()
    assert doc["measurement"]["status"] == MRDStatus.POSITIVE_NQ.value
    assert doc["measurement"]["sensitivity"] == pytest.approx(2e-5)
    stored = mrd.store_result(loaded.registry(), "SYN-0001", out)
    info = stored.to_dict()["stored"]
    assert (info["patient"], info["version"], info["review_state"]) == ("SYN-0001", 1, "draft")
    assert loaded.registry().get_case("SYN-0001").mrd_at(Timepoint.POST_IM1) is None
    latest = loaded.registry().get_case("SYN-0001", view="latest")
    assert latest.mrd_at(Timepoint.POST_IM1) == out.measurement


def test_outcome_table_by_mrd_band(loaded: Workspace) -> None:
    """EFS by EOI MRD band, from its landmark; JSON-ready."""
    res = analyze.outcome_table(
        loaded.registry(), endpoint="efs", protocol=None, mrd_timepoint=Timepoint.EOI,
        horizon_days=5 * 365.25,
    )  # fmt: skip
    assert res.landmark_day is not None
    assert sum(r.n for r in res.rows) <= 40
    assert json.loads(json.dumps(res.to_dict()))["endpoint"] == "efs"


@pytest.mark.filterwarnings("ignore::mrdguide.errors.StatisticalWarning")  # 40 patients
def test_reports_are_content_then_private_files(loaded: Workspace, tmp_path: Path) -> None:
    """Building returns HTML; writing puts 0600 files in the caller's folder."""
    built = report.patient_report(
        loaded.registry(), "SYN-0001", protocols=["ukall2003"], generated="2026-01-01",
        version="test",
    )  # fmt: skip
    assert "Research use only" in built.html
    old = os.umask(0)
    try:
        written = report.write_report(built, tmp_path / "r")
    finally:
        os.umask(old)
    assert written.html.name == "patient-SYN-0001.html"
    assert written.html.stat().st_mode & 0o777 == 0o600


def test_cohort_report_of_an_empty_registry(ws: Workspace) -> None:
    """An empty registry has no cohort report: NotFoundError, nothing written."""
    with pytest.raises(NotFoundError, match="no patients"):
        report.cohort_report(
            ws.registry(), primary="ukall2003", protocols=["ukall2003"], generated="x",
            version="x",
        )  # fmt: skip


def test_an_assignment_for_an_unknown_patient_is_refused(ws: Workspace) -> None:
    """An assignment for a patient who is not registered stores nothing."""
    from mrdguide.domain import Case, Patient
    from mrdguide.protocols import evaluate, load_ruleset

    a = evaluate(Case(patient=Patient(patient_id="SYN-0001")), load_ruleset("ukall2003"))
    with pytest.raises(NotFoundError):
        ws.registry().save_assignment("SYN-0001", a)
    assert ws.registry().table_counts()["risk_assignments"] == 0


def test_simulated_cohort_file_rules(tmp_path: Path) -> None:
    """Only import formats are written; each is 0600 and imports back."""
    c = simulate.make_cohort(n=30, seed=3, method="flow", asan=False)
    with pytest.raises(InputError, match="must end in"):
        simulate.write_cohort_file(c, tmp_path / "x.txt")
    path = simulate.write_cohort_file(c, tmp_path / "c.csv")
    assert path.stat().st_mode & 0o777 == 0o600
    from mrdguide.services import registry

    assert len(registry.validate_files([path]).cases) == 30


def test_trial_request_validation() -> None:
    """Unknown designs and executors are refused with the allowed values."""
    with pytest.raises(InputError, match="design"):
        simulate.TrialRequest(design="bogus", replicates=1, seed=1, changes={})
    with pytest.raises(InputError, match="executor"):
        simulate.TrialRequest(design="asan", replicates=1, seed=1, changes={}, executor="ray")
    req = simulate.TrialRequest(design="asan", replicates=3, seed=1, changes={})
    assert req.total_runs == 6


def test_private_files_whatever_the_umask(tmp_path: Path) -> None:
    """write_private gives 0600 files and private_dir 0700 folders even with umask 0."""
    old = os.umask(0)
    try:
        f = write_private(tmp_path / "a" / "b" / "f.txt", "x")
        d = private_dir(tmp_path / "c")
    finally:
        os.umask(old)
    assert f.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert d.stat().st_mode & 0o777 == 0o700
    assert f.read_text() == "x"


def test_model_file_round_trip_and_bad_file(tmp_path: Path) -> None:
    """A model saves as strict JSON (0600) and loads back; a non-model file is refused."""
    from mrdguide.risk import ModelSpec
    from mrdguide.services import relapse_model

    cases = simulate.make_cohort(n=800, seed=11, method="pcr", asan=False).to_cases()
    fit = relapse_model.fit_model(
        cases, ModelSpec(), method="fine_gray", horizon_years=5, version="t", fit_date="d"
    )
    path = relapse_model.save_model(fit.model, tmp_path / "m.json")
    assert path.stat().st_mode & 0o777 == 0o600
    assert relapse_model.load_model(path).to_dict() == fit.model.to_dict()
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "something else"}', encoding="utf-8")
    with pytest.raises(IngestError):
        relapse_model.load_model(bad)
