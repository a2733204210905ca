"""services.workspace and services.registry on an in-memory SQLite registry."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import pytest

from mrdguide.errors import IngestError, StoreError
from mrdguide.services import Workspace, open_workspace, registry
from mrdguide.settings import Settings

WIDE = Path(str(files("mrdguide") / "examples")) / "cohort" / "cohort_wide.csv"


def test_an_unmigrated_registry_is_refused(settings: Settings) -> None:
    """Without create=True the schema must already be current (checked once, at open)."""
    with pytest.raises(StoreError, match="mrdguide init"), open_workspace(settings):
        pass


def test_actor_precedence(ws: Workspace) -> None:
    """--actor beats MRDGUIDE_ACTOR, which beats the logged-in user."""
    assert ws.registry("cli-user").actor == "cli-user"
    assert ws.registry().actor == "svc-test"
    bare = Workspace(settings=ws.settings.with_(), engine=ws.engine)
    assert bare.registry(logged_in="web-user").actor == "svc-test"
    no_env = Workspace(settings=Settings(database_url="sqlite://"), engine=ws.engine)
    assert no_env.registry(logged_in="web-user").actor == "web-user"


def test_import_then_reimport_is_idempotent(ws: Workspace) -> None:
    """40 cases are added once; the same file again changes nothing."""
    first = registry.import_files(ws.registry(), [WIDE])
    assert (len(first.summary.added), first.n_cases) == (40, 40)
    again = registry.import_files(ws.registry(), [WIDE])
    assert (len(again.summary.unchanged), len(again.summary.added)) == (40, 0)
    info = registry.registry_info(ws)
    assert info.patients == 40
    assert info.to_dict()["revision"] == info.revision


def test_a_missing_file_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    """A missing path raises FileNotFoundError before anything is read or written."""
    with pytest.raises(FileNotFoundError, match="no such file"):
        registry.import_files(ws.registry(), [WIDE, tmp_path / "nope.csv"])
    assert ws.registry().count_patients() == 0


def test_invalid_file_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    """Validation problems raise IngestError and the registry stays empty."""
    bad = tmp_path / "bad.csv"
    bad.write_text("patient_id,age_years\nSYN-1,-3\n", encoding="utf-8")
    with pytest.raises(IngestError):
        registry.import_files(ws.registry(), [bad])
    assert ws.registry().table_counts()["patients"] == 0


def test_export_is_private_and_round_trips(loaded: Workspace, tmp_path: Path) -> None:
    """The export holds patient data: mode 0600 whatever the umask; it imports back."""
    old = os.umask(0)
    try:
        res = registry.export_cohort(loaded.registry(), tmp_path / "out" / "cohort.json")
    finally:
        os.umask(old)
    assert res.cases == 40
    assert res.path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o700
    validated = registry.validate_files([res.path])
    assert len(validated.cases) == 40
