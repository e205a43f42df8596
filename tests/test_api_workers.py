"""Solves run in worker processes: a crash, a memory hog or a deaf search ends that job only, with
a reason; every job ends with an outcome of its own; a busy database fails no job."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from api import db
from api.db import make_engine, make_session_factory
from api.migrate import upgrade
from api.models import Job
from tests.test_api_helpers import (
    Api,
    by_name,
    create_scenario,
    running_api,
    settings_for,
    tiny,
    wait_for_job,
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    settings = settings_for(tmp_path, solve_memory_mb=768, max_time_limit_s=20)
    with running_api(settings, solve=by_name) as running:
        yield running


def submit(api: Api, name: str) -> str:
    scenario_id = create_scenario(api, tiny(name=name))
    response = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(("name", "signal_name"), [("segfault", "SIGSEGV"), ("abort", "SIGABRT")])
def test_a_crashing_solve_fails_its_job_only(api: Api, name: str, signal_name: str) -> None:
    crashing, healthy = submit(api, name), submit(api, "fine")
    failed = wait_for_job(api, crashing)
    assert failed["status"] == "failed"
    assert failed["outcome"] == "failed"
    assert failed["error"].startswith(f"the solver process crashed ({signal_name}")
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert wait_for_job(api, healthy)["status"] == "done"
    assert wait_for_job(api, submit(api, "fine"))["outcome"] == "feasible"


def test_a_solve_over_its_memory_limit_fails_with_the_reason(api: Api) -> None:
    failed = wait_for_job(api, submit(api, "hog"))
    assert failed["status"] == "failed"
    assert failed["error"] == "the solve ran out of memory (the limit is 768 MiB)"
    assert api.client.get("/healthz").status_code == 200


def test_an_infeasible_solve_says_so_in_the_job(api: Api) -> None:
    job = wait_for_job(api, submit(api, "infeasible"))
    assert (job["status"], job["outcome"], job["error"]) == ("done", "infeasible", None)
    assert job["explanation"] == "Ava: no clinic is open on Monday"
    schedule = api.client.get(f"/v1/schedules/{job['schedule_id']}", headers=api.auth).json()
    assert schedule["document"]["status"] == "infeasible"


def test_a_timed_out_solve_says_so_in_the_job(api: Api) -> None:
    job = wait_for_job(api, submit(api, "timeout"))
    assert (job["status"], job["outcome"]) == ("done", "timeout")
    assert job["explanation"] == "no pattern was found within the time limit of 2 s; allow more time"


def test_a_search_that_ignores_stop_is_cancelled_within_two_seconds(api: Api) -> None:
    job_id = submit(api, "deaf")
    wait_for_job(api, job_id, until=lambda job: job["progress"]["solutions"] > 0)
    started = time.monotonic()
    response = api.client.delete(f"/v1/jobs/{job_id}", headers=api.auth)
    assert time.monotonic() - started < 2.5
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("cancelled", "cancelled")
    assert wait_for_job(api, submit(api, "fine"))["status"] == "done"


def test_a_locked_database_fails_no_job_and_answers_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    settings = settings_for(tmp_path, workers=1)
    with running_api(settings, solve=by_name) as api:
        job_id = submit(api, "fine")
        wait_for_job(api, job_id)
        scenario_id = create_scenario(api)
        blocker = sqlite3.connect(str(tmp_path / "api.sqlite"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            locked = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
            assert locked.status_code == 503, locked.text
            assert locked.headers["retry-after"] == "1"
            assert locked.json() == {"detail": "the database is busy; retry in a moment"}
        finally:
            blocker.execute("ROLLBACK")
        job_id = submit(api, "slow")
        wait_for_job(api, job_id, until=lambda job: job["progress"]["solutions"] > 0)
        blocker.execute("BEGIN IMMEDIATE")
        time.sleep(2.0)
        blocker.execute("ROLLBACK")
        blocker.close()
        job = wait_for_job(api, job_id)
        assert job["status"] == "done"
        assert job["progress"]["solutions"] > 1


def test_cancel_ends_a_running_job_that_no_worker_holds(api: Api) -> None:
    job_id = submit(api, "fine")
    wait_for_job(api, job_id)
    engine = make_engine(api.settings.database_url)
    with make_session_factory(engine).begin() as session:
        job = session.get_one(Job, job_id)
        job.status, job.outcome, job.finished_at = "running", None, None
    engine.dispose()
    response = api.client.delete(f"/v1/jobs/{job_id}", headers=api.auth)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("cancelled", "cancelled")
    assert api.client.post(f"/v1/jobs/{job_id}/resubmit", headers=api.auth).status_code == 202


def test_the_migration_fills_in_the_outcome_of_finished_jobs(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0001")
    now = "2026-12-01 10:00:00"
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO tenants VALUES ('t', 'acme', '{now}')"))
        connection.execute(
            text(f"INSERT INTO scenarios VALUES ('s', 't', 'x', '{{}}', 1, NULL, '{now}', '{now}')")
        )
        for job_id, status, schedule_id in [
            ("j1", "done", "d1"),
            ("j2", "done", "d2"),
            ("j3", "failed", None),
            ("j4", "cancelled", None),
            ("j5", "running", None),
        ]:
            connection.execute(
                text(
                    "INSERT INTO jobs (id, tenant_id, scenario_id, scenario_version, document, status,"
                    " time_limit_s, seed, solutions, schedule_id, created_at)"
                    f" VALUES ('{job_id}', 't', 's', 1, '{{}}', '{status}', 1, 0, 0, :schedule, '{now}')"
                ),
                {"schedule": schedule_id},
            )
        for schedule_id, job_id, status in [("d1", "j1", "optimal"), ("d2", "j2", "infeasible")]:
            connection.execute(
                text(
                    f"INSERT INTO schedules VALUES ('{schedule_id}', 't', 's', '{job_id}', 1, '{status}',"
                    f" '{{}}', '{{}}', '{now}', NULL)"
                )
            )
    upgrade(engine)
    with engine.connect() as connection:
        outcomes = dict(connection.execute(text("SELECT id, outcome FROM jobs")).all())
    engine.dispose()
    assert outcomes == {"j1": "optimal", "j2": "infeasible", "j3": "failed", "j4": "cancelled", "j5": None}
