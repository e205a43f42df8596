"""Solve jobs over HTTP: queueing, progress, cancel, resubmit, events, limits, restarts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from api.db import make_engine, make_session_factory
from api.models import Job
from api.runner import INTERRUPTED
from tests.test_api_helpers import (
    Api,
    create_scenario,
    running_api,
    settings_for,
    solved,
    tiny,
    until_stopped,
    wait_for_job,
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path)) as running:
        yield running


@pytest.fixture
def slow_api(tmp_path: Path) -> Iterator[Api]:
    with running_api(settings_for(tmp_path, workers=1, max_time_limit_s=20), solve=until_stopped) as running:
        yield running


def test_solve_is_202_with_location_and_ends_with_a_schedule(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "queued"
    done = wait_for_job(api, job["id"])
    assert done["status"] == "done"
    assert done["progress"]["objective"] is not None
    assert done["progress"]["elapsed_s"] is not None
    schedule = api.client.get(f"/v1/schedules/{done['schedule_id']}", headers=api.auth).json()
    assert schedule["document"]["status"] == "optimal"
    [session] = schedule["document"]["sessions"]
    assert session["appointment"] == "ava-ot"
    assert schedule["job_id"] == job["id"]


def test_time_limit_is_capped_and_options_default_to_the_scenario(api: Api) -> None:
    scenario_id = create_scenario(api)
    response = api.client.post(
        f"/v1/scenarios/{scenario_id}/solve", json={"time_limit_s": 600, "seed": 7}, headers=api.auth
    )
    assert response.json()["time_limit_s"] == api.settings.max_time_limit_s
    assert response.json()["seed"] == 7
    plain = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth).json()
    assert plain["time_limit_s"] == 2
    assert plain["seed"] == 0


@pytest.mark.parametrize(
    ("options", "loc"),
    [({"time_limit_s": -1}, "body.time_limit_s"), ({"seed": "x"}, "body.seed"), ({"speed": 1}, "body.speed")],
)
def test_bad_solve_options_are_422(api: Api, options: dict[str, object], loc: str) -> None:
    scenario_id = create_scenario(api)
    response = api.client.post(f"/v1/scenarios/{scenario_id}/solve", json=options, headers=api.auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_jobs_are_listed_by_scenario(api: Api) -> None:
    first, second = create_scenario(api), create_scenario(api)
    solved(api, first)
    solved(api, second)
    listed = api.client.get(f"/v1/jobs?scenario_id={first}", headers=api.auth).json()
    assert listed["total"] == 1
    assert listed["items"][0]["scenario_id"] == first
    assert api.client.get("/v1/jobs", headers=api.auth).json()["total"] == 2


def test_unknown_job_is_404(api: Api) -> None:
    for method, path in (
        ("get", "/v1/jobs/nope"),
        ("delete", "/v1/jobs/nope"),
        ("get", "/v1/jobs/nope/events"),
    ):
        response = api.client.request(method, path, headers=api.auth)
        assert response.status_code == 404
        assert response.json() == {"detail": 'no job "nope"'}


def test_cancel_a_running_job(slow_api: Api) -> None:
    scenario_id = create_scenario(slow_api)
    job = slow_api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=slow_api.auth).json()
    running = wait_for_job(slow_api, job["id"], until=lambda j: j["progress"]["solutions"] > 0)
    assert running["status"] == "running"
    assert running["progress"]["bound"] == 5.0
    response = slow_api.client.delete(f"/v1/jobs/{job['id']}", headers=slow_api.auth)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["schedule_id"] is None


def test_cancel_a_queued_job_and_resubmit_it(slow_api: Api) -> None:
    scenario_id = create_scenario(slow_api)
    first = slow_api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=slow_api.auth).json()
    second = slow_api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=slow_api.auth).json()
    wait_for_job(slow_api, first["id"], until=lambda j: j["status"] == "running")
    cancelled = slow_api.client.delete(f"/v1/jobs/{second['id']}", headers=slow_api.auth).json()
    assert cancelled["status"] == "cancelled"
    again = slow_api.client.post(f"/v1/jobs/{second['id']}/resubmit", headers=slow_api.auth)
    assert again.status_code == 202
    assert again.headers["location"] == f"/v1/jobs/{again.json()['id']}"
    assert again.json()["status"] == "queued"
    slow_api.client.delete(f"/v1/jobs/{first['id']}", headers=slow_api.auth)
    assert wait_for_job(slow_api, again.json()["id"], until=lambda j: j["status"] == "running")


def test_cancel_or_resubmit_in_the_wrong_state_is_409(api: Api) -> None:
    job = solved(api, create_scenario(api))
    response = api.client.delete(f"/v1/jobs/{job['id']}", headers=api.auth)
    assert response.status_code == 409
    assert response.json() == {"detail": "the job is already done"}
    response = api.client.post(f"/v1/jobs/{job['id']}/resubmit", headers=api.auth)
    assert response.status_code == 409


def test_events_stream_progress_until_done(api: Api) -> None:
    scenario_id = create_scenario(api)
    job = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth).json()
    with api.client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=api.auth) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    names = [block.split("\n")[0].removeprefix("event: ") for block in events]
    assert names[-1] == "done"
    assert set(names) <= {"queued", "running", "done"}
    last = json.loads(events[-1].split("\n")[1].removeprefix("data: "))
    assert last["schedule_id"] is not None


def test_many_submissions_queue_and_all_finish(tmp_path: Path) -> None:
    with running_api(settings_for(tmp_path, workers=2)) as api:
        scenario_id = create_scenario(api)
        responses = [
            api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth) for _ in range(12)
        ]
        assert {r.status_code for r in responses} == {202}
        finished = [wait_for_job(api, r.json()["id"]) for r in responses]
        assert {j["status"] for j in finished} == {"done"}
        assert len({j["schedule_id"] for j in finished}) == 12


def test_too_many_active_jobs_is_429(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, workers=1, max_queued_jobs=2, max_time_limit_s=20)
    with running_api(settings, solve=until_stopped) as api:
        scenario_id = create_scenario(api)
        codes = [api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth) for _ in range(3)]
        assert [r.status_code for r in codes] == [202, 202, 429]
        assert codes[2].headers["retry-after"] == "30"
        for response in codes[:2]:
            api.client.delete(f"/v1/jobs/{response.json()['id']}", headers=api.auth)


def test_restart_fails_interrupted_jobs_and_runs_queued_ones(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with running_api(settings) as api:
        scenario_id = create_scenario(api)
        interrupted = solved(api, scenario_id)["id"]
        waiting = solved(api, scenario_id)["id"]
        key = api.key
    engine = make_engine(settings.database_url)
    with make_session_factory(engine).begin() as session:
        session.get_one(Job, interrupted).status = "running"
        job = session.get_one(Job, waiting)
        job.status, job.schedule_id = "queued", None
    with running_api(settings, key=key) as api:
        failed = api.client.get(f"/v1/jobs/{interrupted}", headers=api.auth).json()
        assert failed["status"] == "failed"
        assert failed["error"] == INTERRUPTED
        assert wait_for_job(api, waiting)["status"] == "done"
        again = api.client.post(f"/v1/jobs/{interrupted}/resubmit", headers=api.auth)
        assert wait_for_job(api, again.json()["id"])["status"] == "done"
    with make_session_factory(engine)() as session:
        assert session.scalars(select(Job.status).where(Job.status.in_(("queued", "running")))).all() == []
    engine.dispose()


def test_a_scenario_the_solver_does_not_plan_yet_fails_its_job_with_the_reason(api: Api) -> None:
    document = tiny()
    document["clients"][0]["routines"] = [
        {"name": "feed", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 30, "at": "clinic"}
    ]
    scenario_id = create_scenario(api, document)
    response = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert response.status_code == 202
    done = wait_for_job(api, response.json()["id"])
    assert done["status"] == "failed"
    assert "clients[0].routines[0].at: the solver plans flexible routines at home" in done["error"]
