"""Bulk assignment storage: one transaction, all or nothing, compact and expandable."""

from __future__ import annotations

from pathlib import Path

import pytest

from mrdguide.domain import Case, Patient
from mrdguide.errors import NotFoundError
from mrdguide.protocols import RiskAssignment, evaluate, load_ruleset
from mrdguide.store import open_registry


def _cases(n: int) -> list[Case]:
    return [Case(patient=Patient(patient_id=f"SYN-{i:03d}", age_years=5.0)) for i in range(n)]


def _assess(case: Case) -> RiskAssignment:
    return evaluate(case, load_ruleset("cog-b-all"))


def test_bulk_save_stores_provenance_and_rule_file_once(tmp_path: Path) -> None:
    """save_assignments stores protocol, version, hash and group; the rule file once."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with open_registry(url, actor="test") as reg:
        cases = _cases(3)
        reg.add_cases(cases, source="t")
        n = reg.save_assignments([(c.patient_id, _assess(c), None) for c in cases])
        assert n == 3
        got = reg.list_assignments("SYN-001")
        counts = reg.table_counts()
    assert len(got) == 1
    rs = load_ruleset("cog-b-all")
    assert (got[0]["ruleset_id"], got[0]["ruleset_sha256"]) == ("cog-b-all", rs.sha256)
    assert got[0]["group"] == _assess(cases[1]).risk_group
    assert counts["rule_files"] == 1


def test_bulk_save_is_all_or_nothing(tmp_path: Path) -> None:
    """An unknown patient in the batch stores nothing and raises NotFoundError."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with open_registry(url, actor="test") as reg:
        cases = _cases(2)
        reg.add_cases(cases, source="t")
        before = reg.table_counts()
        ghost = Case(patient=Patient(patient_id="SYN-999"))
        with pytest.raises(NotFoundError, match="SYN-999"):
            reg.save_assignments([("SYN-000", _assess(cases[0]), None),
                                  ("SYN-999", _assess(ghost), None)])  # fmt: skip
        assert reg.table_counts() == before
        assert reg.list_assignments("SYN-000") == []
