"""Services run on an in-memory SQLite registry (one shared connection per test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from mrdguide.services import Workspace, open_workspace
from mrdguide.settings import Settings

EXAMPLES = Path(str(files("mrdguide") / "examples"))
WIDE = EXAMPLES / "cohort" / "cohort_wide.csv"
FIXED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture
def settings() -> Settings:
    """Settings that name an in-memory registry and a fixed actor."""
    return Settings.from_env({"MRDGUIDE_DATABASE_URL": "sqlite://", "MRDGUIDE_ACTOR": "svc-test"})


@pytest.fixture
def ws(settings: Settings) -> Iterator[Workspace]:
    """A migrated, empty in-memory registry."""
    with open_workspace(settings, create=True, clock=lambda: FIXED) as w:
        yield w


@pytest.fixture
def loaded(ws: Workspace) -> Workspace:
    """The workspace with the shipped 40-patient synthetic cohort imported."""
    from mrdguide.services import registry

    registry.import_files(ws.registry(), [WIDE])
    return ws
