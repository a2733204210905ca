"""Fixtures of the web tests: a registry with the shipped 40-patient cohort, users and API
tokens for every role, and the app over a private copy of that registry for each test.

The template registry is built once per session (password hashing is slow on purpose); each
test gets a copy of the SQLite file, so tests never see each other's writes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mrdguide.domain import Role
from mrdguide.services import Workspace, open_workspace
from mrdguide.services.registry import import_files
from mrdguide.services.users import add_user, create_token
from mrdguide.settings import Settings
from mrdguide.web import create_app

from ._web import COHORT, password_of, web_settings


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """argon2id with small memory and time costs for the tests (the same code path; the
    production costs make each sign-in take ~0.1–0.5 s on purpose)."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("mrdguide.services.users._hasher", lambda: cheap)
        yield


@dataclass(frozen=True)
class Template:
    """The session's template registry and its API tokens by user."""

    path: Path
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory, _cheap_argon2: None) -> Template:
    """A registry with the example cohort, users ``lab``, ``lab2``, ``reviewer``, ``reviewer2``,
    ``clinician``, ``statistician``, ``admin`` and a token for each."""
    path = tmp_path_factory.mktemp("web-template") / "registry.sqlite"
    url = f"sqlite:///{path}"
    tokens: dict[str, str] = {}
    with open_workspace(Settings(database_url=url), url=url, create=True) as ws:
        reg = ws.registry(actor="test-setup")
        import_files(reg, [COHORT])
        names = [r.value for r in Role] + ["lab2", "reviewer2"]
        for name in names:
            role = name.rstrip("2")
            add_user(reg, name, role, password=password_of(name))
            tokens[name] = create_token(reg, name)
    return Template(path=path, tokens=tokens)


@pytest.fixture
def registry_url(template: Template, tmp_path: Path) -> str:
    """A private copy of the template registry."""
    dest = tmp_path / "registry.sqlite"
    for suffix in ("", "-wal", "-shm"):
        src = template.path.with_name(template.path.name + suffix)
        if src.exists():
            shutil.copy(src, dest.with_name(dest.name + suffix))
    return f"sqlite:///{dest}"


@pytest.fixture
def workspace(registry_url: str) -> Iterator[Workspace]:
    """The open workspace of this test's registry."""
    with open_workspace(Settings(database_url=registry_url), url=registry_url) as ws:
        yield ws


@pytest.fixture
def app(workspace: Workspace) -> FastAPI:
    """The app on this test's registry."""
    return create_app(workspace.settings, workspace=workspace, web=web_settings(), warm=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTPS test client (the cookies are ``Secure``)."""
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def tokens(template: Template) -> dict[str, str]:
    """API token of each test user."""
    return template.tokens
