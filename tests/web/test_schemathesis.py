"""Property-based fuzzing of ``/api/v1`` from its OpenAPI schema, in-process through ASGI.

Bounded and derandomised (at most 30 examples per operation): every answer must be a
documented status code, never a server error, with a body matching its schema. Each operation
is called with the API token of a role it serves (its ``x-mrdguide-roles``), so the fuzzing
reaches the handlers instead of stopping at 401/403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mrdguide.services import Workspace
from mrdguide.web import create_app

from ._web import web_settings

MAX_EXAMPLES = 30


@pytest.fixture
def fuzz_app(workspace: Workspace) -> Iterator[FastAPI]:
    app = create_app(workspace.settings, workspace=workspace,
                     web=web_settings(max_trial_replicates=1), warm=False)  # fmt: skip
    yield app
    app.state.mrdguide.jobs.shutdown()


def _operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/v1/")
    return [result.ok() for result in schema.get_all_operations()]


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


def _fuzzer(op: schemathesis.APIOperation, headers: dict[str, str]) -> Callable[[], None]:
    @given(case=op.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return fuzz  # type: ignore[no-any-return]


def test_api_conforms_to_its_schema(fuzz_app: FastAPI, tokens: dict[str, str]) -> None:
    """Every operation, fuzzed with the token of a role it serves (none for health)."""
    ops = _operations(fuzz_app)
    assert len(ops) >= 13
    for op in ops:
        roles = op.definition.raw.get("x-mrdguide-roles")
        _fuzzer(op, {} if not roles else {"Authorization": f"Bearer {tokens[roles[0]]}"})()
