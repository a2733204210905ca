"""Shared test configuration: a global-RNG guard and Hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _global_rng_guard() -> Iterator[None]:
    """Fail any test that draws from numpy's global RNG: tests must use default_rng(seed)."""
    state = np.random.get_state()  # noqa: NPY002 - inspecting the legacy global RNG on purpose
    yield
    after = np.random.get_state()  # noqa: NPY002
    same = state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    np.random.set_state(state)  # noqa: NPY002
    assert same, "test used numpy's global RNG; use np.random.default_rng(seed) instead"


#: PostgreSQL server for the integration tests (``.ci/run`` starts one; see ``make postgres-help``).
PG_URL = os.environ.get("MRDGUIDE_TEST_POSTGRES_URL")
#: Set by ``.ci/run``: a missing PostgreSQL server fails the PostgreSQL tests instead of skipping
#: them, so CI always runs them.
PG_REQUIRED = os.environ.get("MRDGUIDE_REQUIRE_POSTGRES") == "1"


def require_postgres() -> str:
    """The test server's URL; skips locally without one, fails in CI without one."""
    if PG_URL:
        return PG_URL
    msg = (
        "MRDGUIDE_TEST_POSTGRES_URL is not set (e.g. postgresql+psycopg://u:p@host/db); "
        "see `make postgres-help`"
    )
    if PG_REQUIRED:
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema (dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = require_postgres()
    schema = f"mrdguide_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


#: Debian's Chromium, driven by Playwright (``playwright install`` cannot download here).
CHROMIUM = os.environ.get("PW_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium; a missing browser fails (``make test`` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (make test does this)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}
