"""The service over HTTP with bodies and ids nobody should send: never a 5xx, and it stays up.

Hand-picked bad bodies go to every operation that takes one; hypothesis then mutates a good
scenario at random places with hostile values (lone surrogates, huge and non-finite numbers,
wrong types, deep nesting, long text) and drives each through store, read, replace,
validate, solve and publish. Derandomized and bounded for CI; raise ``FUZZ_EXAMPLES`` for a
longer campaign by hand.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_api_helpers import Api, running_api, settings_for, tiny, wait_for_job

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
JSON = {"content-type": "application/json"}
SURROGATE = "\\ud800"
NESTED = "[" * 3000
BAD_BODIES: list[bytes | str] = [
    b"",
    b"   ",
    b"\xff\xfe\x00",
    "\ufeff{}",
    NESTED,
    NESTED + "]" * 3000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    f'"{SURROGATE}"',
    f'{{"name": "{SURROGATE}"}}',
    f'{{"{SURROGATE}": 1}}',
    '{"name": "a", "name": "b"}',
    "null",
    "true",
    "[]",
    "1e400",
    "NaN",
    "-Infinity",
    str(10**4000),
    '{"seed": 1e400}',
    '{"seed": 100000000000000000000000000000}',
    '{"seed": -1}',
    '{"seed": "7"}',
    '{"time_limit_s": NaN}',
    '{"time_limit_s": Infinity}',
    '{"time_limit_s": 1e-320}',
    '{"time_limit_s": null, "seed": null}',
    "{",
    '{"a": [1, 2,]}',
    json.dumps({"name": "x" * 1_500_000}),
]
BAD_IDS = ["nope", "x" * 5000, "%00", "..", "%2e%2e", "%F0%9F%98%80", "%ED%A0%80", "'; DROP TABLE jobs; --"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    with running_api(settings_for(folder, max_time_limit_s=1, workers=2)) as running:
        yield running


def lenient(api: Api) -> TestClient:
    return TestClient(api.client.app, raise_server_exceptions=False)


def assert_no_server_error(response: Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"


def assert_up(api: Api) -> None:
    health = lenient(api).get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


def stored_scenario(api: Api) -> str:
    response = api.client.post("/v1/scenarios", json=tiny(), headers=api.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_bad_bodies_are_never_a_server_error(api: Api) -> None:
    client, scenario_id = lenient(api), stored_scenario(api)
    targets = [
        ("POST", "/v1/scenarios"),
        ("PUT", f"/v1/scenarios/{scenario_id}"),
        ("POST", f"/v1/scenarios/{scenario_id}/solve"),
    ]
    for body in BAD_BODIES:
        for method, path in targets:
            response = client.request(method, path, content=body, headers=api.auth | JSON)
            assert_no_server_error(response, f"{method} {path} {str(body)[:60]!r}")
        assert_up(api)
    assert client.get(f"/v1/scenarios/{scenario_id}", headers=api.auth).status_code == 200


def test_bad_ids_and_parameters_are_never_a_server_error(api: Api) -> None:
    client = lenient(api)
    for bad in BAD_IDS:
        for method, path in [
            ("GET", f"/v1/scenarios/{bad}"),
            ("DELETE", f"/v1/scenarios/{bad}"),
            ("POST", f"/v1/scenarios/{bad}/solve"),
            ("POST", f"/v1/scenarios/{bad}/validate?schedule_id={bad}"),
            ("GET", f"/v1/jobs/{bad}"),
            ("GET", f"/v1/jobs/{bad}/events"),
            ("DELETE", f"/v1/jobs/{bad}"),
            ("POST", f"/v1/jobs/{bad}/resubmit"),
            ("GET", f"/v1/schedules/{bad}"),
            ("POST", f"/v1/schedules/{bad}/publish"),
            ("GET", f"/v1/feeds/{bad}"),
            ("POST", f"/v1/feeds/{bad}/rotate"),
            ("GET", f"/feeds/{bad}.ics"),
            ("GET", f"/v1/scenarios?limit={bad}&offset={bad}"),
            ("GET", f"/v1/jobs?scenario_id={bad}"),
            ("GET", f"/v1/feeds?revoked={bad}"),
        ]:
            assert_no_server_error(client.request(method, path, headers=api.auth), f"{method} {path[:80]}")
    for limit in ("-1", "0", "101", str(10**30), "1e3", "NaN"):
        response = client.get(f"/v1/scenarios?limit={limit}&offset={limit}", headers=api.auth)
        assert response.status_code == 422, (limit, response.text)
    assert_up(api)


HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, 1e308, -1e308, 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None, min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=4),
    st.text(max_size=20),
    st.sampled_from(["", " ", "\n", "\x00", "25:00", "9999-12-31", "0001-01-01", "Europe", "x" * 5000]),
    st.sampled_from(["2027-01-04", "09:00", "mon", "home", "clinic", "ava", "dad", "ot-bo"]),
    st.none(),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.just(json.loads("[" * 40 + '"deep"' + "]" * 40)),
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place (object key or array index) inside ``value``."""
    places = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            places += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += paths_of(item, (*prefix, index))
    return places


PLACES = paths_of(tiny())
REACHED: Counter[str] = Counter()
"""How far the hostile scenarios got (printed with ``-s``, for a campaign's report)."""


def near_misses(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same kind as ``value`` that a coordinator might well send: edited text,
    numbers scaled far out, entries repeated or emptied."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int | float):
        scaled = st.integers(-12, 30).map(
            lambda power: value * 10**power if power >= 0 else value / 10**-power
        )
        return st.one_of(scaled, st.sampled_from([0, -value, value + 0.5, 2**31, 2**53 + 1]))
    if isinstance(value, str):
        edits = [value + "\n" + value, value * 300, value + "\u00e9\U0001f600", " " + value, value.upper()]
        return st.sampled_from(edits)
    if isinstance(value, list):
        return st.sampled_from([[], value * 3, value[:1] * 2])
    return st.just({})


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """The tiny scenario with one to three places replaced by near misses or hostile values (or removed)."""
    document = copy.deepcopy(tiny())
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(PLACES))
        parent: Any = document
        try:
            for key in place[:-1]:
                parent = parent[key]
            choice = draw(st.integers(0, 9))
            if choice == 0 and isinstance(parent, dict):
                parent.pop(place[-1], None)
            elif choice <= 5:
                parent[place[-1]] = draw(near_misses(parent[place[-1]]))
            else:
                parent[place[-1]] = draw(HOSTILE)
        except (KeyError, IndexError, TypeError):
            continue
    return document


def drive(api: Api, document: dict[str, Any]) -> None:
    """Store ``document`` and, when accepted, read, replace, validate, solve and publish it."""
    client = lenient(api)
    body = json.dumps(document, allow_nan=True)
    created = client.post("/v1/scenarios", content=body, headers=api.auth | JSON)
    assert_no_server_error(created, "POST /v1/scenarios")
    REACHED["cases"] += 1
    if created.status_code != 201:
        assert created.status_code == 422, created.text
        return
    REACHED["stored"] += 1
    scenario_id = created.json()["id"]
    for method, path in (
        ("GET", f"/v1/scenarios/{scenario_id}"),
        ("GET", "/v1/scenarios"),
        ("PUT", f"/v1/scenarios/{scenario_id}"),
        ("POST", f"/v1/scenarios/{scenario_id}/validate"),
    ):
        content = body if method == "PUT" else None
        response = client.request(method, path, content=content, headers=api.auth | JSON)
        assert_no_server_error(response, f"{method} {path}")
    submitted = client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert_no_server_error(submitted, "solve")
    if submitted.status_code != 202:
        return
    job = wait_for_job(api, submitted.json()["id"])
    assert job["status"] in ("done", "failed"), job
    REACHED[f"job {job['status']} {job['outcome']}"] += 1
    for path in (f"/v1/jobs/{job['id']}", f"/v1/jobs?scenario_id={scenario_id}"):
        assert_no_server_error(client.get(path, headers=api.auth), path)
    if job["schedule_id"] is not None:
        schedule_id = job["schedule_id"]
        assert_no_server_error(client.get(f"/v1/schedules/{schedule_id}", headers=api.auth), "schedule")
        validate = f"/v1/scenarios/{scenario_id}/validate?schedule_id={schedule_id}"
        validated = client.post(validate, headers=api.auth)
        assert_no_server_error(validated, "validate with schedule")
        publish = client.post(f"/v1/schedules/{schedule_id}/publish", headers=api.auth)
        assert_no_server_error(publish, "publish")
        REACHED[f"publish {publish.status_code}"] += 1
        if publish.status_code == 200:
            for feed in publish.json()["feeds"]:
                got = client.get(feed["url"].removeprefix("http://feeds.test"))
                assert_no_server_error(got, "feed")
    assert_no_server_error(client.delete(f"/v1/scenarios/{scenario_id}", headers=api.auth), "delete")


def test_hostile_scenarios_are_never_a_server_error(api: Api) -> None:
    @given(document=mutated_scenarios())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(document: dict[str, Any]) -> None:
        drive(api, document)

    check()
    assert_up(api)
    print("hostile scenarios:", dict(sorted(REACHED.items())))
