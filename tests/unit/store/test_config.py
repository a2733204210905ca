"""Database URL resolution: --db > MRDGUIDE_DATABASE_URL > SQLite in the user data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from mrdguide.errors import StoreError
from mrdguide.store.config import (
    ENV_VAR,
    default_database_url,
    redact_url,
    resolve_database_url,
    sqlite_path,
)


def test_explicit_url_wins_over_environment() -> None:
    """An explicit URL is used even when the environment variable is set."""
    env = {ENV_VAR: "sqlite:///from-env.sqlite"}
    assert resolve_database_url("sqlite:///explicit.sqlite", env=env) == "sqlite:///explicit.sqlite"


def test_environment_wins_over_default() -> None:
    """Without an explicit URL the environment variable is used."""
    env = {ENV_VAR: "postgresql+psycopg://u:p@localhost/db"}
    assert resolve_database_url(None, env=env) == "postgresql+psycopg://u:p@localhost/db"


def test_default_is_sqlite_in_user_data_dir() -> None:
    """With nothing set, the registry is an SQLite file named registry.sqlite."""
    url = resolve_database_url(None, env={})
    assert url == default_database_url()
    path = sqlite_path(url)
    assert path is not None
    assert path.name == "registry.sqlite"
    assert "mrdguide" in str(path)


def test_bare_path_is_treated_as_sqlite_file(tmp_path: Path) -> None:
    """A plain file path becomes an SQLite URL."""
    url = resolve_database_url(str(tmp_path / "reg.sqlite"), env={})
    assert url.startswith("sqlite:///")
    assert sqlite_path(url) == tmp_path / "reg.sqlite"


def test_invalid_url_raises_store_error() -> None:
    """An unparseable URL raises StoreError."""
    with pytest.raises(StoreError, match="Invalid database URL"):
        resolve_database_url("nonsense://::", env={})


def test_memory_and_server_urls_have_no_file() -> None:
    """In-memory SQLite and server URLs have no file path."""
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None


def test_redact_hides_password() -> None:
    """Passwords never appear in printed URLs."""
    shown = redact_url("postgresql+psycopg://user:secret@host/db")
    assert "secret" not in shown
    assert "***" in shown
