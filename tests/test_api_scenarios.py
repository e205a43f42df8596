"""Scenarios over HTTP: create, read, list, replace, delete, validate; authentication and errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_api_helpers import Api, create_scenario, running_api, settings_for, solved, tiny


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path)) as running:
        yield running


def test_create_returns_201_with_location_and_document(api: Api) -> None:
    response = api.client.post("/v1/scenarios", json=tiny(), headers=api.auth)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/scenarios/{body['id']}"
    assert body["name"] == "Ava's week"
    assert body["version"] == 1
    assert body["document"] == tiny()


def test_get_returns_the_document_as_sent(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth)
    assert response.status_code == 200
    assert response.json()["document"] == tiny()


def test_list_is_paged_newest_first(api: Api) -> None:
    ids = [create_scenario(api, tiny(name=f"s{i}")) for i in range(3)]
    first = api.client.get("/v1/scenarios?limit=2", headers=api.auth).json()
    second = api.client.get("/v1/scenarios?limit=2&offset=2", headers=api.auth).json()
    assert first["total"] == 3
    assert [s["id"] for s in first["items"] + second["items"]] == ids[::-1]
    assert "document" not in first["items"][0]


@pytest.mark.parametrize(
    ("query", "loc"),
    [("limit=0", "query.limit"), ("limit=101", "query.limit"), ("offset=-1", "query.offset")],
)
def test_bad_paging_is_422_with_location(api: Api, query: str, loc: str) -> None:
    response = api.client.get(f"/v1/scenarios?{query}", headers=api.auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_put_replaces_and_bumps_version(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.put(f"/v1/scenarios/{scenario_id}", json=tiny(name="renamed"), headers=api.auth)
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()["name"] == "renamed"


def test_delete_removes_scenario_and_its_jobs(api: Api) -> None:
    scenario_id = create_scenario(api)
    job = solved(api, scenario_id)
    assert api.client.delete(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 204
    assert api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 404
    assert api.client.get(f"/v1/jobs/{job['id']}", headers=api.auth).status_code == 404
    assert api.client.get(f"/v1/schedules/{job['schedule_id']}", headers=api.auth).status_code == 404


def test_bad_time_is_located(api: Api) -> None:
    document = tiny()
    document["clients"][0]["routines"] = [
        {"name": "school", "days": ["mon"], "start": "25:00", "end": "15:00"}
    ]
    response = api.client.post("/v1/scenarios", json=document, headers=api.auth)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"loc": "clients[0].routines[0].start", "msg": '"25:00" is not a time of day'} in detail


def test_unknown_field_is_an_error_with_a_suggestion(api: Api) -> None:
    document = tiny()
    document["clients"][0]["limits"] = {"max_sesions_per_day": 2}
    response = api.client.post("/v1/scenarios", json=document, headers=api.auth)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == "clients[0].limits.max_sesions_per_day"
    assert 'did you mean "max_sessions_per_day"' in item["msg"]


def test_cross_reference_errors_are_located(api: Api) -> None:
    document = tiny()
    document["appointments"][0]["practitioners"] = ["ot-bob"]
    response = api.client.post("/v1/scenarios", json=document, headers=api.auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == "appointments[0].practitioners[0]"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "expected a JSON object, got an array"),
        (b"", "the document is empty"),
        (b'{"a": 1, "a": 2}', 'the key "a" appears twice'),
    ],
)
def test_malformed_bodies_are_422(api: Api, body: bytes, message: str) -> None:
    response = api.client.post(
        "/v1/scenarios", content=body, headers=api.auth | {"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]


def test_put_with_bad_document_changes_nothing(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.put(f"/v1/scenarios/{scenario_id}", json={"horizon": {}}, headers=api.auth)
    assert response.status_code == 422
    stored = api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()
    assert stored["version"] == 1
    assert stored["document"] == tiny()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/scenarios/nope"),
        ("put", "/v1/scenarios/nope"),
        ("delete", "/v1/scenarios/nope"),
        ("post", "/v1/scenarios/nope/solve"),
        ("post", "/v1/scenarios/nope/validate"),
    ],
)
def test_unknown_ids_are_404(api: Api, method: str, path: str) -> None:
    kwargs = {"json": tiny()} if method == "put" else {}
    response = api.client.request(method, path, headers=api.auth, **kwargs)
    assert response.status_code == 404
    assert response.json() == {"detail": 'no scenario "nope"'}


def test_missing_key_is_401_with_challenge(api: Api) -> None:
    response = api.client.get("/v1/scenarios")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "API key is required" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer cpk_wrong", "Basic dXNlcjpwYXNz", "Bearer"])
def test_wrong_key_is_401(api: Api, header: str) -> None:
    response = api.client.get("/v1/scenarios", headers={"Authorization": header})
    assert response.status_code == 401
    assert "www-authenticate" in response.headers


def test_revoked_key_is_401(api: Api) -> None:
    from api.db import make_engine, make_session_factory
    from api.security import revoke_key

    engine = make_engine(api.settings.database_url)
    with make_session_factory(engine).begin() as session:
        assert revoke_key(session, api.key[:12]) == 1
    engine.dispose()
    response = api.client.get("/v1/scenarios", headers=api.auth)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_tenants_see_only_their_own(api: Api) -> None:
    scenario_id = create_scenario(api)
    job = solved(api, scenario_id)
    other = {"Authorization": f"Bearer {api.new_key('globex')}"}
    assert api.client.get("/v1/scenarios", headers=other).json()["total"] == 0
    for path in (
        f"/v1/scenarios/{scenario_id}",
        f"/v1/jobs/{job['id']}",
        f"/v1/schedules/{job['schedule_id']}",
    ):
        assert api.client.get(path, headers=other).status_code == 404
    assert api.client.put(f"/v1/scenarios/{scenario_id}", json=tiny(), headers=other).status_code == 404
    assert api.client.delete(f"/v1/scenarios/{scenario_id}", headers=other).status_code == 404
    assert api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=other).status_code == 404
    assert api.client.post(f"/v1/schedules/{job['schedule_id']}/publish", headers=other).status_code == 404
    assert api.client.get("/v1/jobs", headers=other).json()["total"] == 0
    assert api.client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 200


def test_body_over_the_limit_is_413(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path, max_body_bytes=4096)) as api:
        big = tiny(description="x" * 5000)
        response = api.client.post("/v1/scenarios", json=big, headers=api.auth)
        assert response.status_code == 413
        assert "larger than 4096 bytes" in response.json()["detail"]


def test_streamed_body_over_the_limit_is_413(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path, max_body_bytes=4096)) as api:

        def chunks() -> Iterator[bytes]:
            yield b'{"description": "'
            for _ in range(10):
                yield b"x" * 1000
            yield b'"}'

        response = api.client.post("/v1/scenarios", content=chunks(), headers=api.auth)
        assert response.status_code == 413
        assert api.client.get("/v1/scenarios", headers=api.auth).json()["total"] == 0


def test_validate_reports_todays_bookings(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.post(f"/v1/scenarios/{scenario_id}/validate", headers=api.auth)
    assert response.status_code == 200
    report = response.json()
    assert report["evaluation"] is None
    assert report["current_violations"] == []
    assert report["before"]["kpis"]["ava"]["appointment_days"] == 1


def test_validate_checks_a_schedule(api: Api) -> None:
    scenario_id = create_scenario(api)
    job = solved(api, scenario_id)
    response = api.client.post(
        f"/v1/scenarios/{scenario_id}/validate?schedule_id={job['schedule_id']}", headers=api.auth
    )
    assert response.status_code == 200
    report = response.json()
    assert report["ok"] is True
    assert report["violations"] == []
    assert report["evaluation"] is not None


def test_validate_with_another_scenarios_schedule_is_404(api: Api) -> None:
    job = solved(api, create_scenario(api))
    other = create_scenario(api)
    response = api.client.post(
        f"/v1/scenarios/{other}/validate?schedule_id={job['schedule_id']}", headers=api.auth
    )
    assert response.status_code == 404
    assert "has no schedule" in response.json()["detail"]


def test_docs_and_schema_are_served(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert "ScenarioDoc" in schema["components"]["schemas"]
    body = schema["paths"]["/v1/scenarios"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ScenarioDoc"}
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert api.client.get("/docs").status_code == 200
