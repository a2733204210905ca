"""``mrdguide serve``, ``user add --password-stdin`` and ``token create`` (the CLI contract)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.services import open_workspace
from mrdguide.services.web_auth import token_user
from mrdguide.settings import Settings


def test_serve_refuses_a_registry_without_the_current_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    (tmp_path / "empty.sqlite").write_bytes(b"")
    code = main(["serve", "--db", url, "--port", "1"], env={})
    err = capsys.readouterr().err
    assert code == 1
    assert "mrdguide init" in " ".join(err.split())


def test_serve_starts_uvicorn_on_the_given_address(
    registry_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **kw: object) -> None:
        seen.update(kw, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    code = main(["serve", "--db", registry_url, "--host", "127.0.0.1", "--port", "8123"], env={})
    assert code == 0
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert type(seen["app"]).__name__ == "FastAPI"


def test_user_add_reads_the_password_on_stdin_and_token_create_prints_it_last(
    registry_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-password\n"))
    code = main(["user", "add", "nurse1", "--role", "clinician", "--password-stdin",
                 "--db", registry_url], env={})  # fmt: skip
    assert code == 0
    capsys.readouterr()
    assert main(["token", "create", "nurse1", "--db", registry_url], env={}) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    with open_workspace(Settings(database_url=registry_url), url=registry_url) as ws:
        user = token_user(ws.registry(actor="t"), token)
        assert user is not None and user.username == "nurse1"
        assert ws.registry(actor="t").users.password_hash("nurse1") != "a-long-enough-password"


def test_user_add_with_a_bad_role_is_refused(registry_url: str) -> None:
    code = main(["user", "add", "x", "--role", "boss", "--db", registry_url], env={})
    assert code == 3
