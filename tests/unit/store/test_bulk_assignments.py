"""Bulk assignment storage: one transaction, all or nothing, engine output accepted as is."""

from __future__ import annotations

from pathlib import Path

import pytest

from mrdguide.domain import Case, Patient
from mrdguide.errors import NotFoundError
from mrdguide.store import open_registry


def _cases(n: int) -> list[Case]:
    return [Case(patient=Patient(patient_id=f"SYN-{i:03d}", age_years=5.0)) for i in range(n)]


def _assignment(pid: str, group: str) -> dict[str, object]:
    # The shape of protocols.RiskAssignment.to_dict().
    return {
        "case": pid,
        "protocol": "toy",
        "protocol_version": "1.0.0",
        "protocol_sha256": "ab" * 32,
        "risk_group": group,
        "trace": [],
        "fired_rules": [],
    }


def test_bulk_save_reads_engine_keys(tmp_path: Path) -> None:
    """save_assignments stores protocol, version, hash and group from RiskAssignment dicts."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with open_registry(url, actor="test") as reg:
        reg.add_cases(_cases(3), source="t")
        n = reg.save_assignments(
            [(f"SYN-{i:03d}", _assignment(f"SYN-{i:03d}", "hr")) for i in range(3)]
        )
        assert n == 3
        got = reg.list_assignments("SYN-001")
    assert len(got) == 1
    assert got[0]["ruleset_id"] == "toy" and got[0]["group"] == "hr"
    assert got[0]["ruleset_version"] == "1.0.0"


def test_bulk_save_is_all_or_nothing(tmp_path: Path) -> None:
    """An unknown patient in the batch stores nothing and raises NotFoundError."""
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with open_registry(url, actor="test") as reg:
        reg.add_cases(_cases(2), source="t")
        before = reg.table_counts()
        with pytest.raises(NotFoundError, match="SYN-999"):
            reg.save_assignments(
                [
                    ("SYN-000", _assignment("SYN-000", "sr")),
                    ("SYN-999", _assignment("SYN-999", "sr")),
                ]
            )
        assert reg.table_counts() == before
        assert reg.list_assignments("SYN-000") == []
