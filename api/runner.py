"""Solving in the background: a bounded pool of worker threads fed from the jobs table.

A job is a row first: submitting one writes it as ``queued`` and hands its id to the pool;
a worker claims it (``queued`` -> ``running`` in one conditional update, so a job cancelled
meanwhile is skipped), solves with a capped time limit, and writes the schedule and the
job's outcome in one transaction. CP-SAT releases the GIL, so threads run solves in parallel.

At start-up, jobs left ``running`` by a stopped or crashed process are marked ``failed``
with the reason, and jobs still ``queued`` are handed to the pool again: none is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import Job, Schedule, utcnow
from api.settings import Settings
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.solver.result import Progress, SolveResult

log = logging.getLogger("api.runner")

INTERRUPTED = "interrupted: the service stopped while this job was running; submit it again"
CANCEL_WAIT_S = 10.0


class SolveFunction(Protocol):
    """The engine's :func:`scheduler.solver.solve`."""

    def __call__(
        self,
        scenario: Scenario,
        *,
        time_limit: float | None = None,
        workers: int | None = None,
        seed: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
    ) -> SolveResult:
        """Solve ``scenario``."""
        ...


def engine_solve() -> SolveFunction:
    """The engine's solver, imported when the first job runs."""
    from scheduler.solver import solve

    return solve


class JobRunner:
    """Runs queued jobs on at most ``settings.workers`` threads."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], solve: SolveFunction | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self._solve = solve
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="solve")
        self._lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}
        self._finished: dict[str, threading.Event] = {}
        self._closing = threading.Event()

    def start(self) -> None:
        """Fail the jobs a previous process left running and queue again the ones it left queued."""
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.status == "running")
                .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
            )
            queued = session.scalars(
                select(Job.id).where(Job.status == "queued").order_by(Job.created_at)
            ).all()
        for job_id in queued:
            self.submit(job_id)
        if queued:
            log.info("queued again %d job(s) left by the previous run", len(queued))

    def submit(self, job_id: str) -> None:
        """Hand a committed ``queued`` job to the pool; it waits there for a free worker."""
        self._pool.submit(self._run, job_id)

    def cancel(self, job_id: str, *, wait: bool = True) -> bool:
        """Stop a running job's search (and wait for it to be recorded); False if not running here."""
        with self._lock:
            stop = self._stops.get(job_id)
            finished = self._finished.get(job_id)
        if stop is None or finished is None:
            return False
        stop.set()
        if wait:
            finished.wait(CANCEL_WAIT_S)
        return True

    def shutdown(self) -> None:
        """Stop every running search, record those jobs as interrupted, and drop the waiting ones.

        Jobs that never started stay ``queued`` in the database and run after the next start.
        """
        self._closing.set()
        with self._lock:
            stops = list(self._stops.values())
        for stop in stops:
            stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job_id: str) -> None:
        if self._closing.is_set():
            return
        stop, finished = threading.Event(), threading.Event()
        with self._lock:
            self._stops[job_id], self._finished[job_id] = stop, finished
        try:
            if self._claim(job_id):
                self._solve_job(job_id, stop)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._finish(job_id, status="failed", error=f"the solve failed: {type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                del self._stops[job_id], self._finished[job_id]
            finished.set()

    def _claim(self, job_id: str) -> bool:
        """Move the job from queued to running; False when it is no longer queued."""
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="running", started_at=utcnow())
            )
        return bool(getattr(claimed, "rowcount", 0))

    def _solve_job(self, job_id: str, stop: threading.Event) -> None:
        with self.sessions() as session:
            job = session.get_one(Job, job_id)
            document, time_limit, seed = job.document, job.time_limit_s, job.seed
        scenario = load_scenario(document)
        progress = ProgressRecorder(self.sessions, job_id, self.settings.progress_interval_s)
        solve = self._solve or engine_solve()
        result = solve(
            scenario,
            time_limit=time_limit,
            workers=self.settings.threads_per_solve(),
            seed=seed,
            on_progress=progress,
            stop=stop,
        )
        if self._closing.is_set():
            self._finish(job_id, status="failed", error=INTERRUPTED)
        elif stop.is_set():
            self._finish(job_id, status="cancelled", error=None)
        else:
            self._record(job_id, scenario, document, result)

    def _record(self, job_id: str, scenario: Scenario, document: dict[str, Any], result: SolveResult) -> None:
        """Write the schedule and mark the job done, in one transaction."""
        schedule_doc = result.to_doc(scenario).model_dump(mode="json", by_alias=True)
        with self.sessions.begin() as session:
            job = session.get_one(Job, job_id)
            schedule = Schedule(
                tenant_id=job.tenant_id,
                scenario_id=job.scenario_id,
                job_id=job.id,
                scenario_version=job.scenario_version,
                status=result.status,
                document=schedule_doc,
                scenario_document=document,
            )
            session.add(schedule)
            session.flush()
            job.status = "done"
            job.schedule_id = schedule.id
            job.objective, job.bound = result.objective, result.bound
            job.elapsed_s = round(result.runtime, 3)
            job.finished_at = utcnow()

    def _finish(self, job_id: str, *, status: str, error: str | None) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(Job).where(Job.id == job_id).values(status=status, error=error, finished_at=utcnow())
            )


class ProgressRecorder:
    """The solver's ``on_progress``: saves the best objective, bound and time at most every ``interval``."""

    def __init__(self, sessions: sessionmaker[Session], job_id: str, interval: float) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.interval = interval
        self._last_write = 0.0

    def __call__(self, progress: Progress) -> None:
        """Record ``progress`` unless the last record is more recent than the interval."""
        now = time.monotonic()
        if now - self._last_write < self.interval:
            return
        self._last_write = now
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == "running")
                .values(
                    objective=progress.objective,
                    bound=progress.bound,
                    elapsed_s=round(progress.elapsed, 3),
                    solutions=progress.solutions,
                )
            )
