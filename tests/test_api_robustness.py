"""Bodies and stored data that once crashed the service: each now has a located 4xx, never a 500."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api import publishing
from api.db import make_engine, make_session_factory
from api.documents import MAX_DEPTH
from api.logs import RedactFeedTokens, redact
from api.models import NAME_LENGTH, Scenario, scenario_name
from scheduler.calendar import render_feeds
from tests.test_api_helpers import (
    Api,
    create_scenario,
    keep_current,
    published,
    running_api,
    settings_for,
    solved,
    tiny,
)

JSON = {"content-type": "application/json"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path), solve=keep_current) as running:
        yield running


def lenient(api: Api) -> TestClient:
    """A client that answers a server error as a 500 instead of raising it."""
    return TestClient(api.client.app, raise_server_exceptions=False)


def post_raw(api: Api, path: str, body: bytes | str) -> Any:
    return lenient(api).post(path, content=body, headers=api.auth | JSON)


@pytest.mark.parametrize("body", ["[" * 2000, "[" * 2000 + "]" * 2000, '{"a":' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_json_is_422(api: Api, body: str) -> None:
    response = post_raw(api, "/v1/scenarios", body)
    assert response.status_code == 422, response.text
    assert "nested" in response.json()["detail"][0]["msg"]


def test_nesting_past_the_limit_inside_a_document_is_located(api: Api) -> None:
    document = tiny()
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    document["venues"][0]["name"] = deep
    response = post_raw(api, "/v1/scenarios", json.dumps(document))
    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["loc"].startswith("venues[0].name[0][0]")
    assert issue["msg"] == f"nested deeper than {MAX_DEPTH} levels"


def with_text(where: str, text: str) -> dict[str, Any]:
    document = tiny()
    if where == "name":
        document["name"] = text
    elif where == "description":
        document["appointments"][0]["title"] = text
    else:
        document["venues"][0]["name"] = text
    return document


@pytest.mark.parametrize(
    ("where", "loc"),
    [("name", "name"), ("description", "appointments[0].title"), ("venue", "venues[0].name")],
)
def test_a_lone_surrogate_is_a_located_422(api: Api, where: str, loc: str) -> None:
    body = json.dumps(with_text(where, "Ava \ud800 week"))
    assert "\\ud800" in body
    for response in (
        post_raw(api, "/v1/scenarios", body),
        lenient(api).put(f"/v1/scenarios/{create_scenario(api)}", content=body, headers=api.auth | JSON),
    ):
        assert response.status_code == 422, response.text
        [issue] = response.json()["detail"]
        assert issue["loc"] == loc
        assert issue["msg"].startswith('the text "Ava \\ud800 week" is not valid Unicode text')


def test_a_lone_surrogate_in_a_key_is_a_422(api: Api) -> None:
    response = post_raw(api, "/v1/scenarios", '{"name": "x", "\\udfff": 1}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith('the key "\\udfff" is not valid Unicode')


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_that_are_not_finite_are_422(api: Api, number: str) -> None:
    body = json.dumps(tiny()).replace('"lat": 51.5,', f'"lat": {number},')
    assert number in body
    response = post_raw(api, "/v1/scenarios", body)
    assert response.status_code == 422
    assert {"loc": "venues[0].lat", "msg": f"{float(number)} is not a finite number"} in response.json()[
        "detail"
    ]


def test_text_stored_before_the_check_is_still_served(api: Api) -> None:
    scenario_id = create_scenario(api)
    engine = make_engine(api.settings.database_url)
    with make_session_factory(engine).begin() as session:
        stored = with_text("venue", "Caf\ud800")
        session.execute(update(Scenario).where(Scenario.id == scenario_id).values(document=stored))
    engine.dispose()
    for path in (f"/v1/scenarios/{scenario_id}", "/v1/scenarios"):
        response = lenient(api).get(path, headers=api.auth)
        assert response.status_code == 200, response.text
    document = lenient(api).get(f"/v1/scenarios/{scenario_id}", headers=api.auth).json()["document"]
    assert document["venues"][0]["name"] == "Caf\ud800"


@pytest.mark.parametrize("seed", [2**31, 10**30])
def test_a_scenario_seed_too_large_to_store_is_a_located_422_when_solving(api: Api, seed: int) -> None:
    document = tiny(solver={"time_limit_s": 2, "seed": seed})
    response = post_raw(api, "/v1/scenarios", json.dumps(document))
    if response.status_code == 422:
        assert response.json()["detail"][0]["loc"] == "solver.seed"
        return
    scenario_id = response.json()["id"]
    solve = lenient(api).post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert solve.status_code == 422, solve.text
    assert solve.json()["detail"][0]["loc"] == "solver.seed"
    with_seed = lenient(api).post(f"/v1/scenarios/{scenario_id}/solve", json={"seed": 3}, headers=api.auth)
    assert with_seed.status_code == 202


def test_a_long_name_is_refused_or_kept_whole_in_the_document(api: Api) -> None:
    name = "n" * 900
    response = post_raw(api, "/v1/scenarios", json.dumps(tiny(name=name)))
    if response.status_code == 422:
        assert response.json()["detail"][0]["loc"] == "name"
        return
    scenario = lenient(api).get(f"/v1/scenarios/{response.json()['id']}", headers=api.auth)
    assert scenario.json()["document"]["name"] == name
    assert scenario.json()["name"] == name[:NAME_LENGTH]


def test_the_name_column_holds_the_start_of_any_name() -> None:
    assert scenario_name({"name": "n" * 900}) == "n" * NAME_LENGTH
    assert scenario_name({"name": 7}) is None


def test_feeds_are_rendered_outside_the_write_lock(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    schedule_id = solved(api, create_scenario(api))["schedule_id"]
    lock_was_free: list[bool] = []

    def render_and_try_to_write(*args: Any, **kwargs: Any) -> Any:
        other = sqlite3.connect(api.settings.database_url.removeprefix("sqlite:///"), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_was_free.append(True)
        except sqlite3.OperationalError:
            lock_was_free.append(False)
        finally:
            other.close()
        return render_feeds(*args, **kwargs)

    monkeypatch.setattr(publishing, "render_feeds", render_and_try_to_write)
    assert published(api, schedule_id)["feeds"]
    assert lock_was_free == [True]


def test_a_publish_that_came_in_between_is_rendered_again(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario_id = create_scenario(api)
    schedule_id = solved(api, scenario_id)["schedule_id"]
    first = published(api, schedule_id)
    calls: list[object] = []

    def render_while_another_publishes(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["revisions"])
        if len(calls) == 1:
            engine = make_engine(api.settings.database_url)
            with make_session_factory(engine).begin() as session:
                session.execute(
                    update(Scenario).where(Scenario.id == scenario_id).values(calendar_state=None)
                )
            engine.dispose()
        return render_feeds(*args, **kwargs)

    monkeypatch.setattr(publishing, "render_feeds", render_while_another_publishes)
    again = published(api, schedule_id)
    assert len(calls) == 2
    assert calls[0] is not None
    assert calls[1] is None
    assert {f["key"] for f in again["feeds"]} == {f["key"] for f in first["feeds"]}


TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


@pytest.mark.parametrize(
    "path",
    [
        f"/feeds/{TOKEN}.ics?x=1",
        f"//feeds/{TOKEN}.ics",
        f"/./feeds/{TOKEN}.ics",
        f"/v1/../feeds/{TOKEN}.ics",
        f"http%3A//feeds.test%3A80/feeds/{TOKEN}.ics",
        f"/feeds/{TOKEN[:10]}.ics",
        f"/v1/scenarios?api_key=cpk_{TOKEN}",
        "/v1/scenarios?limit=5&access_token=cpk_short",
        f"/healthz?x={TOKEN}",
        "/healthz?password=hunter2",
        f"/v1/feeds/{TOKEN}",
    ],
)
def test_the_access_log_redacts_every_token(path: str) -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert RedactFeedTokens().filter(record)
    message = record.getMessage()
    for secret in (TOKEN, TOKEN[:10], "cpk_short", "hunter2"):
        assert secret not in message
    assert "<redacted>" in message


def test_the_access_log_keeps_the_service_ids() -> None:
    line = "GET /v1/scenarios/622ff5b5-1234-4abc-8def-0123456789ab/solve?limit=20 HTTP/1.1"
    assert redact(line) == line
    assert redact("GET /v1/feeds/abc") == "GET /v1/feeds/abc"


def test_api_answers_are_not_stored_by_caches(api: Api) -> None:
    scenario_id = create_scenario(api)
    for path in (f"/v1/scenarios/{scenario_id}", "/v1/scenarios", "/v1/jobs", "/v1/scenarios/nope"):
        assert api.client.get(path, headers=api.auth).headers["cache-control"] == "no-store"
    assert api.client.get("/v1/scenarios").headers["cache-control"] == "no-store"
    assert api.client.get("/v1/scenarios?limit=0", headers=api.auth).headers["cache-control"] == "no-store"
    feeds = published(api, solved(api, scenario_id)["schedule_id"])["feeds"]
    feed = api.client.get(feeds[0]["url"].removeprefix("http://feeds.test"))
    assert feed.headers["cache-control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/v1/scenarios/some-id", "DELETE, GET, PUT"),
        ("DELETE", "/v1/scenarios", "GET, POST"),
        ("POST", "/v1/jobs/some-id", "DELETE, GET"),
        ("PUT", "/feeds/token.ics", "GET, HEAD"),
    ],
)
def test_a_405_lists_every_allowed_method(api: Api, method: str, path: str, allowed: str) -> None:
    response = api.client.request(method, path, headers=api.auth)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
