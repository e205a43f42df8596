"""Shared helpers of the API tests: scenarios, a running app on a fresh database, solver doubles.

Named ``test_api_*`` to live with the API tests; it holds no tests itself.
"""

from __future__ import annotations

import copy
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.db import make_engine, make_session_factory
from api.main import create_app
from api.migrate import upgrade
from api.runner import SolveFunction
from api.security import create_tenant, issue_key
from api.settings import Settings
from scheduler.model import Scenario
from scheduler.solver.result import Progress, SolveResult
from scheduler.validate.objective import current_timetable

TINY: dict[str, Any] = {
    "name": "Ava's week",
    "horizon": {"start": "2027-01-04", "timezone": "Europe/London", "repeat_until": "2027-02-26"},
    "venues": [
        {"id": "home-a", "kind": "home", "name": "Ava's home", "lat": 51.50, "lon": -0.12},
        {
            "id": "clinic",
            "kind": "clinic",
            "name": "Clinic",
            "lat": 51.51,
            "lon": -0.11,
            "open": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]},
        },
    ],
    "clients": [{"id": "ava", "name": "Ava", "household": "a", "home": "home-a", "carers": ["dad"]}],
    "carers": [{"id": "dad", "name": "Dad"}],
    "practitioners": [{"id": "ot-bo", "name": "Bo", "role": "occupational therapist", "venues": ["clinic"]}],
    "appointments": [
        {
            "id": "ava-ot",
            "client": "ava",
            "title": "Occupational therapy",
            "duration": 45,
            "practitioners": ["ot-bo"],
            "venues": ["clinic"],
            "needs_carer": True,
            "window": {"days": ["mon", "tue"], "earliest": "09:00", "latest": "17:00"},
            "current": [{"day": "tue", "start": "10:00", "venue": "clinic"}],
        }
    ],
    "solver": {"time_limit_s": 2, "workers": 1},
}


def tiny(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the one-appointment scenario, with top-level ``changes``."""
    return {**copy.deepcopy(TINY), **changes}


def moved(document: dict[str, Any], day: str, start: str) -> dict[str, Any]:
    """``document`` with the first appointment's current booking moved."""
    changed = copy.deepcopy(document)
    changed["appointments"][0]["current"] = [{"day": day, "start": start, "venue": "clinic"}]
    return changed


def keep_current(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    cluster: str | None = None,
) -> SolveResult:
    """A solver double: the pattern is today's bookings, with whoever must come along to them
    (deterministic and instant)."""
    today = current_timetable(scenario)
    if on_progress is not None:
        on_progress(Progress(elapsed=0.01, objective=1.0, bound=1.0, solutions=1))
    return SolveResult("feasible", 1.0, 1.0, 0.01, sessions=today.sessions, companions=today.companions)


def until_stopped(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    cluster: str | None = None,
) -> SolveResult:
    """A solver double that searches until ``stop`` is set or the time limit passes."""
    started = time.monotonic()
    assert stop is not None
    while not stop.wait(0.02) and time.monotonic() - started < (time_limit or 30):
        if on_progress is not None:
            on_progress(Progress(time.monotonic() - started, 10.0, 5.0, 1))
    return SolveResult("timeout", None, None, time.monotonic() - started)


def by_name(
    scenario: Scenario,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    cluster: str | None = None,
) -> SolveResult:
    """A solver double that does what the scenario's name says, else :func:`keep_current`.

    ``segfault`` and ``abort`` crash the worker process, ``hog`` allocates memory without end,
    ``deaf`` searches without ever looking at ``stop``, ``slow`` reports progress for 1.5 s,
    ``infeasible`` and ``timeout`` end so.
    """
    if scenario.name == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if scenario.name == "abort":
        os.abort()
    if scenario.name == "hog":
        hoard = [bytearray(2**26) for _ in range(2**10)]
        raise AssertionError(f"{len(hoard)} blocks allocated past the memory limit")
    if scenario.name == "deaf":
        on_progress and on_progress(Progress(0.1, 10.0, 5.0, 1))
        time.sleep(60)
    if scenario.name == "slow":
        for step in range(30):
            on_progress and on_progress(Progress(step * 0.05, 10.0, 5.0, step + 1))
            time.sleep(0.05)
    if scenario.name == "infeasible":
        return SolveResult("infeasible", None, None, 0.01, explanation="Ava: no clinic is open on Monday")
    if scenario.name == "timeout":
        return SolveResult("timeout", None, None, time_limit or 0.0)
    return keep_current(scenario, time_limit=time_limit, on_progress=on_progress, stop=stop)


@dataclass
class Api:
    """An app on its own database, its test client and a key of tenant "acme"."""

    client: TestClient
    settings: Settings
    key: str

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header of ``key``."""
        return {"Authorization": f"Bearer {self.key}"}

    def new_key(self, tenant: str) -> str:
        """A key of ``tenant`` (created when needed)."""
        return new_key(self.settings, tenant)


def new_key(settings: Settings, tenant: str) -> str:
    """Create ``tenant`` if needed and issue it a key."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        create_tenant(session, tenant)
        secret = issue_key(session, tenant).secret
    engine.dispose()
    return secret


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings on a fresh SQLite file in ``tmp_path``."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'api.sqlite'}",
        "workers": 2,
        "max_time_limit_s": 3,
        "progress_interval_s": 0.05,
        "public_base_url": "http://feeds.test",
    }
    return Settings(**(values | overrides))


@contextmanager
def running_api(
    settings: Settings, solve: SolveFunction | None = None, key: str | None = None
) -> Iterator[Api]:
    """The app started (lifespan run) on ``settings``; ``solve`` replaces the engine's solver."""
    secret = key or new_key(settings, "acme")
    with TestClient(create_app(settings, solve=solve)) as client:
        yield Api(client, settings, secret)


def wait_for_job(
    api: Api, job_id: str, *, until: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """Poll the job until it is over (or ``until`` holds); fails after 30 s."""
    done = until or (lambda job: job["status"] in ("done", "failed", "cancelled"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.client.get(f"/v1/jobs/{job_id}", headers=api.auth).json()
        if done(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def create_scenario(api: Api, document: dict[str, Any] | None = None) -> str:
    """Submit a scenario (the tiny one by default) and return its id."""
    response = api.client.post("/v1/scenarios", json=document or tiny(), headers=api.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def solved(api: Api, scenario_id: str) -> dict[str, Any]:
    """Solve a scenario and return the finished job."""
    response = api.client.post(f"/v1/scenarios/{scenario_id}/solve", headers=api.auth)
    assert response.status_code == 202, response.text
    job = wait_for_job(api, response.json()["id"])
    assert job["status"] == "done", job
    return job


def published(api: Api, schedule_id: str) -> dict[str, Any]:
    """Publish a schedule and return the answer."""
    response = api.client.post(f"/v1/schedules/{schedule_id}/publish", headers=api.auth)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def feed_path(url: str) -> str:
    """The path of a feed URL (the test client talks to the app directly)."""
    return url.removeprefix("http://feeds.test")
