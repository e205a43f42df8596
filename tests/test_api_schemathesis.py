"""Property-based checks of every operation against the OpenAPI schema (schemathesis, bounded).

No 5xx, answers that match the schema (status codes, content types, bodies, headers), and
authentication enforced wherever the schema declares it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from api.main import create_app
from api.settings import Settings
from tests.test_api_helpers import keep_current, new_key, settings_for

pytestmark = pytest.mark.slow

CROSS_CHECKED = {("POST", "/v1/scenarios"), ("PUT", "/v1/scenarios/{scenario_id}")}
"""Operations whose body the engine also checks across fields (ids that must exist, a start on a
Monday), which a JSON Schema cannot say: a schema-valid body may rightly be refused with 422."""

SCHEMA = create_app(Settings()).openapi()
OPERATIONS = [(method.upper(), path) for path, item in SCHEMA["paths"].items() for method in item]
SECURED = [
    (method.upper(), path)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if operation.get("security")
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    application = create_app(settings_for(folder, max_time_limit_s=1), solve=keep_current)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def auth(app: FastAPI) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_key(app.state.settings, 'acme')}"}


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_schema(
    app: FastAPI, api_schema: schemathesis.BaseSchema, auth: dict[str, str], method: str, path: str
) -> None:
    operation = api_schema[path][method]
    health = TestClient(app)
    excluded = [checks.positive_data_acceptance] if (method, path) in CROSS_CHECKED else []

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=auth, excluded_checks=excluded)
        assert health.get("/healthz").status_code == 200

    check()


@pytest.mark.parametrize(("method", "path"), SECURED, ids=[f"{m} {p}" for m, p in SECURED])
def test_secured_operations_refuse_requests_without_a_valid_key(app: FastAPI, method: str, path: str) -> None:
    client = TestClient(app)
    url = re.sub(r"\{[^}]+\}", "some-id", path)
    for headers in ({}, {"Authorization": "Bearer cpk_not-a-key"}):
        response = client.request(method, url, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_only_feeds_docs_and_health_are_public() -> None:
    public = {(m, p) for m, p in OPERATIONS} - set(SECURED)
    assert public == {("GET", "/feeds/{token}.ics"), ("GET", "/healthz")}
