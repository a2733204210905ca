"""The registry repository: idempotent writes, audit trail, transactions, domain objects out."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mrdguide.domain import (
    Case,
    MRDLevel,
    MRDMeasurement,
    MRDMethod,
    MRDStatus,
    Timepoint,
    case_from_dict,
    case_to_dict,
)
from mrdguide.errors import ConflictError, InputError, NotFoundError, StoreError
from mrdguide.protocols import evaluate, load_ruleset
from mrdguide.store import Registry, open_registry
from mrdguide.store import registry as registry_module

FIXED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def make_case(pid: str = "SYN-0001", **over: Any) -> Case:
    """A complete synthetic case; keyword arguments override top-level fields."""
    doc: dict[str, Any] = {
        "patient_id": pid,
        "age_years": 4.5,
        "sex": "female",
        "immunophenotype": "B",
        "wbc_per_ul": 12_000.0,
        "diagnosis_date": "2019-05-06",
        "genetics": {"lesions": ["ETV6::RUNX1"], "copy_number": {"IKZF1": "normal"}},
        "mrd": [
            {"timepoint": "eoi", "day": 33, "method": "pcr", "status": "positive",
             "level": 2e-4, "sensitivity": 1e-5, "quantitative_range": 1e-4, "markers": 2},
        ],
        "treatments": [{"kind": "intensification", "day": 90, "triggered_by": "eoi"}],
        "outcomes": [{"kind": "relapse", "day": 700, "relapse_site": "bm"},
                     {"kind": "last_follow_up", "day": 2000}],
    }  # fmt: skip
    doc.update(over)
    return case_from_dict(doc)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated registry file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "t.sqlite"
    with open_registry(f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def reg(tmp_path: Path, template_db: Path) -> Iterator[Registry]:
    """A fresh SQLite registry with a fixed clock and actor."""
    path = tmp_path / "r.sqlite"
    shutil.copyfile(template_db, path)
    with open_registry(f"sqlite:///{path}", actor="tester", clock=lambda: FIXED) as r:
        yield r


def test_add_and_get_round_trip(reg: Registry) -> None:
    """A stored case comes back as an equal domain object."""
    case = make_case()
    summary = reg.add_cases([case], source="unit")
    assert summary.added == ("SYN-0001",)
    got = reg.get_case("SYN-0001")
    assert isinstance(got, Case)
    assert case_to_dict(got) == case_to_dict(case)


def test_reimport_identical_changes_nothing(reg: Registry) -> None:
    """Re-adding identical data reports unchanged and writes no row or audit entry."""
    reg.add_cases([make_case(), make_case("SYN-0002")], source="unit")
    before = reg.table_counts()
    summary = reg.add_cases([make_case(), make_case("SYN-0002")], source="unit")
    assert summary.unchanged == ("SYN-0001", "SYN-0002")
    assert not summary.changed
    assert reg.table_counts() == before


def test_changed_case_needs_a_reason_then_versions(reg: Registry) -> None:
    """A re-import that changes an authorised case is refused; with a reason it is version 2."""
    reg.add_cases([make_case()], source="v1")
    before = reg.table_counts()
    with pytest.raises(ConflictError, match="--amend") as info:
        reg.add_cases([make_case(age_years=5.0)], source="v2")
    assert "SYN-0001 case" in str(info.value.issues[0])
    assert reg.table_counts() == before
    summary = reg.add_cases([make_case(age_years=5.0)], source="v2", amend_reason="typo")
    assert summary.updated == ("SYN-0001",)
    assert summary.new_versions == 1
    assert reg.get_case("SYN-0001").patient.age_years == 5.0
    assert reg.case_view("SYN-0001").case_version == 2
    entry = reg.audit_log(limit=1)[0]
    assert entry.action == "update"
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["case"]["version"], entry.after["case"]["version"]) == (1, 2)
    assert len(entry.after["case"]["sha256"]) == 64
    assert entry.source == "v2"
    assert reg.verify_audit()[1] is None


def test_reimport_never_drops_a_stored_result(reg: Registry) -> None:
    """A later import without an MRD value leaves the stored result in place."""
    reg.add_cases([make_case()], source="v1")
    reg.add_mrd("SYN-0001", _eoc(1e-3), source="lab")
    summary = reg.add_cases([make_case()], source="v1 again")
    assert summary.unchanged == ("SYN-0001",)
    latest = reg.get_case("SYN-0001", view="latest")
    assert [m.timepoint for m in latest.mrd] == [Timepoint.EOI, Timepoint.EOC]


def test_duplicate_in_one_call_writes_nothing(reg: Registry) -> None:
    """A patient twice in one call raises InputError before anything is written."""
    with pytest.raises(InputError, match="more than once"):
        reg.add_cases([make_case(), make_case()], source="unit")
    assert reg.count_patients() == 0
    assert reg.audit_log() == []


def test_failed_transaction_rolls_back(reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the second case fails mid-transaction, the first one is not stored either."""
    from mrdguide.store import _imports

    real = _imports._insert
    calls = {"n": 0}

    def flaky(*args: Any, **kw: Any) -> list[int]:
        calls["n"] += 1  # patients, then case versions: fail after the patients are in
        if calls["n"] == 2:
            raise StoreError("simulated failure")
        return real(*args, **kw)

    monkeypatch.setattr(_imports, "_insert", flaky)
    with pytest.raises(StoreError):
        reg.add_cases([make_case(), make_case("SYN-0002")], source="unit")
    assert reg.count_patients() == 0
    assert all(v == 0 for k, v in reg.table_counts().items() if k != "audit_head")


def test_get_unknown_patient_raises_not_found(reg: Registry) -> None:
    """Unknown ids raise NotFoundError."""
    with pytest.raises(NotFoundError):
        reg.get_case("SYN-9999")


def test_list_and_iterate_in_id_order(reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """list_patients and iter_cases return every patient in id order, across batches."""
    monkeypatch.setattr(registry_module, "_BATCH", 2)
    ids = [f"SYN-{i:04d}" for i in (5, 1, 4, 2, 3)]
    reg.add_cases([make_case(i) for i in ids], source="unit")
    assert [c.patient_id for c in reg.iter_cases()] == sorted(ids)
    summaries = reg.list_patients()
    assert [s.patient_id for s in summaries] == sorted(ids)
    assert summaries[0].nci_risk == "standard"
    assert summaries[0].mrd_timepoints == ("eoi",)


def _eoc(level: float) -> MRDMeasurement:
    return MRDMeasurement(
        timepoint=Timepoint.EOC, method=MRDMethod.PCR, status=MRDStatus.POSITIVE,
        level=MRDLevel(level), sample_day=78,
    )  # fmt: skip


def test_add_mrd_refuses_overwrite_and_versions_amendments(reg: Registry) -> None:
    """add_mrd stores a draft, ignores an identical result, refuses a different one without a
    reason (carrying the stored result), and stores an amendment as version 2."""
    reg.add_cases([make_case()], source="unit")
    first = reg.add_mrd("SYN-0001", _eoc(1e-3), source="lab")
    assert first is not None
    assert (first.version, first.review_state.value) == (1, "draft")
    assert reg.add_mrd("SYN-0001", _eoc(1e-3), source="lab") is None
    with pytest.raises(ConflictError) as info:
        reg.add_mrd("SYN-0001", _eoc(2e-3), source="lab")
    assert info.value.existing is not None
    assert info.value.existing["level"] == 1e-3
    second = reg.add_mrd("SYN-0001", _eoc(2e-3), source="lab", amend_reason="recount")
    assert second is not None
    assert (second.version, second.reason) == (2, "recount")
    history = reg.mrd_history("SYN-0001", timepoint="eoc")
    assert [(h.version, h.measurement["level"]) for h in history] == [(1, 1e-3), (2, 2e-3)]
    assert [m.timepoint for m in reg.get_case("SYN-0001").mrd] == [Timepoint.EOI]
    latest = reg.get_case("SYN-0001", view="latest").mrd
    assert [m.timepoint for m in latest] == [Timepoint.EOI, Timepoint.EOC]
    assert latest[1].level == MRDLevel(2e-3)
    actions = [e.action for e in reg.audit_log()]
    assert actions == ["amend_mrd", "add_mrd", "create"]


def test_add_mrd_unknown_patient(reg: Registry) -> None:
    """add_mrd for an unknown patient raises NotFoundError."""
    with pytest.raises(NotFoundError):
        reg.add_mrd("SYN-0404", _eoc(1e-3), source="lab")


def test_save_and_list_assignments(reg: Registry) -> None:
    """Assignments keep rule-set provenance, group, inputs and a UTC timestamp; the full trace
    is rebuilt from the compact form and the stored rule file."""
    reg.add_cases([make_case()], source="unit")
    view = reg.case_view("SYN-0001")
    a = evaluate(view.case, load_ruleset("ukall2003"))
    reg.save_assignment("SYN-0001", a, view.inputs())
    [got] = reg.list_assignments("SYN-0001")
    assert got["group"] == a.risk_group
    assert got["ruleset_sha256"] == a.protocol_sha256
    expected = a.to_dict()
    expected.pop("disclaimer")
    assert got["assignment"] == expected
    assert got["inputs"] == {"case": 1, "mrd": {"eoi/bm/pcr": 1}}
    assert got["assigned_at"] == FIXED.isoformat()


def test_audit_records_actor_and_aware_utc_time(reg: Registry) -> None:
    """Audit entries carry the actor and a timezone-aware UTC timestamp."""
    reg.add_cases([make_case()], source="unit")
    [entry] = reg.audit_log()
    assert entry.actor == "tester"
    assert entry.at == FIXED


def test_default_actor_is_os_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an actor the OS user name is recorded."""
    monkeypatch.setattr("getpass.getuser", lambda: "os-user")
    with open_registry(f"sqlite:///{tmp_path / 'a.sqlite'}") as r:
        r.add_cases([make_case()], source="unit")
        assert r.audit_log()[0].actor == "os-user"
        assert r.audit_log()[0].at.tzinfo == dt.UTC


def test_open_without_create_requires_existing_registry(tmp_path: Path) -> None:
    """create=False refuses a missing file and an uninitialised database."""
    with (
        pytest.raises(StoreError, match="mrdguide init"),
        open_registry(f"sqlite:///{tmp_path / 'missing.sqlite'}", create=False),
    ):
        pass  # pragma: no cover
    assert not (tmp_path / "missing.sqlite").exists()
    (tmp_path / "empty.sqlite").touch()
    with (
        pytest.raises(StoreError, match="empty"),
        open_registry(f"sqlite:///{tmp_path / 'empty.sqlite'}", create=False),
    ):
        pass  # pragma: no cover


def test_reopen_keeps_data(tmp_path: Path) -> None:
    """Data persists across open_registry calls (create=False on an initialised file)."""
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    with open_registry(url) as r:
        r.add_cases([make_case()], source="unit")
    with open_registry(url, create=False) as r:
        assert r.count_patients() == 1
        assert "p.sqlite" in r.url
