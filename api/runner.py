"""Solving in the background: a bounded pool of workers fed from the jobs table.

A job is a row first: submitting one writes it as ``queued`` and hands its id to the pool;
a worker claims it (``queued`` -> ``running`` in one conditional update, so a job cancelled
meanwhile is skipped) and solves it in a process of its own (:mod:`api.worker`) with a
capped time limit and a capped address space. The worker thread relays the process's
progress to the job's row, stops the process when the job is cancelled (killing it when it
does not stop in time), and writes the schedule and the job's outcome in one transaction.
A process that crashes or runs out of memory fails its job with the reason, and nothing else.

Every job reaches a terminal state: progress that cannot be saved (the database busy) is
skipped, and the final write is retried. At start-up, jobs left ``running`` by a stopped or
crashed service are marked ``failed`` with the reason, and jobs still ``queued`` are handed
to the pool again: none is lost.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.models import Job, JobOutcome, JobStatus, Schedule, utcnow
from api.settings import Settings
from api.worker import Answer, Failure, Message, SolveFunction, Task, describe_exit, run, solve_context
from scheduler.solver.result import Progress

__all__ = ["CANCEL_WAIT_S", "INTERRUPTED", "JobRunner", "ProgressRecorder", "SolveFunction"]

log = logging.getLogger("api.runner")

INTERRUPTED = "interrupted: the service stopped while this job was running; submit it again"
STOP_GRACE_S = 1.0
"""How long a worker process may take to stop after it is asked to, before it is killed."""
CANCEL_WAIT_S = 2.0
"""How long a cancel request waits for the job to be recorded as cancelled."""
OVERRUN_S = 60.0
"""Seconds a worker process may run past its time limit (loading, writing up) before it is killed."""
POLL_S = 0.1
WRITE_RETRY_DELAYS_S = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Waits between attempts at a job's final write while the database is busy (about 30 s in all)."""


class JobRunner:
    """Runs queued jobs, at most ``settings.workers`` at once, each in its own process."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], solve: SolveFunction | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self._solve = solve
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="solve")
        self._lock = threading.Lock()
        self._stops: dict[str, Event] = {}
        self._finished: dict[str, threading.Event] = {}
        self._closing = threading.Event()
        self._context = solve_context()

    def start(self) -> None:
        """Fail the jobs a previous process left running and queue again the ones it left queued."""
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.status == "running")
                .values(status="failed", outcome="failed", error=INTERRUPTED, finished_at=utcnow())
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
        stop, finished = self._context.Event(), threading.Event()
        with self._lock:
            self._stops[job_id], self._finished[job_id] = stop, finished
        try:
            if self._claim(job_id):
                self._solve_job(job_id, stop)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            reason = f"the solve failed: {type(exc).__name__}: {exc}"
            self._retrying(job_id, lambda: self._finish(job_id, "failed", error=reason))
        finally:
            with self._lock:
                del self._stops[job_id], self._finished[job_id]
            finished.set()

    def _claim(self, job_id: str) -> bool:
        """Move the job from queued to running; False when it is no longer queued."""

        def claim() -> bool:
            with self.sessions.begin() as session:
                claimed = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == "queued")
                    .values(status="running", started_at=utcnow())
                )
            return bool(getattr(claimed, "rowcount", 0))

        return self._retrying(job_id, claim)

    def _solve_job(self, job_id: str, stop: Event) -> None:
        with self.sessions() as session:
            job = session.get_one(Job, job_id)
            task = Task(
                document=job.document,
                time_limit=job.time_limit_s,
                workers=self.settings.threads_per_solve(),
                seed=job.seed,
                memory_limit_bytes=self.settings.solve_memory_mb * 2**20,
                cluster=self.settings.cluster,
                solve=self._solve,
            )
        progress = ProgressRecorder(self.sessions, job_id, self.settings.progress_interval_s)
        outcome = self._run_process(task, stop, progress)
        if self._closing.is_set():
            self._retrying(job_id, lambda: self._finish(job_id, "failed", error=INTERRUPTED))
        elif stop.is_set() or outcome is None:
            self._retrying(job_id, lambda: self._finish(job_id, "cancelled"))
        elif isinstance(outcome, Failure):
            reason = outcome.reason
            log.warning("job %s failed: %s", job_id, reason)
            self._retrying(job_id, lambda: self._finish(job_id, "failed", error=reason))
        else:
            answer = outcome
            self._retrying(job_id, lambda: self._record(job_id, answer))

    def _run_process(
        self, task: Task, stop: Event, on_progress: Callable[[Progress], None]
    ) -> Answer | Failure | None:
        """Solve ``task`` in a worker process; None when it was stopped before it answered."""
        messages: Queue[Message] = self._context.Queue()
        process = self._context.Process(target=run, args=(task, messages, stop), daemon=True)
        process.start()
        overrun = time.monotonic() + task.time_limit + OVERRUN_S
        stopped_at: float | None = None
        answer: Answer | Failure | None = None
        try:
            while answer is None:
                try:
                    message: Message | None = messages.get(timeout=POLL_S)
                except queue.Empty:
                    message = None
                if isinstance(message, Progress):
                    on_progress(message)
                elif message is not None:
                    answer = message
                    break
                now = time.monotonic()
                if stop.is_set():
                    stopped_at = stopped_at or now
                    if now - stopped_at > STOP_GRACE_S:
                        break
                if message is None and not process.is_alive():
                    answer = _last_word(messages, process.exitcode, task)
                elif now > overrun:
                    answer = Failure(f"the solve ran {OVERRUN_S:.0f} s past its time limit and was stopped")
            return answer
        finally:
            if not isinstance(answer, Answer):
                process.kill()
            process.join(STOP_GRACE_S)
            if process.is_alive():
                process.kill()
                process.join()
            messages.close()
            messages.cancel_join_thread()

    def _retrying(self, job_id: str, write: Callable[[], bool | None]) -> bool:
        """``write()``, tried again while the database fails (busy or locked), a last time raising."""
        for delay in WRITE_RETRY_DELAYS_S:
            try:
                return bool(write())
            except SQLAlchemyError as exc:
                log.warning("job %s: a write failed (%s); trying again in %.2f s", job_id, exc, delay)
                time.sleep(delay)
        return bool(write())

    def _record(self, job_id: str, answer: Answer) -> None:
        """Write the schedule and mark the job done with its outcome, in one transaction."""
        with self.sessions.begin() as session:
            job = session.get_one(Job, job_id)
            schedule = Schedule(
                tenant_id=job.tenant_id,
                scenario_id=job.scenario_id,
                job_id=job.id,
                scenario_version=job.scenario_version,
                status=answer.status,
                document=answer.schedule,
                scenario_document=job.document,
            )
            session.add(schedule)
            session.flush()
            job.status = "done"
            job.outcome = answer.status
            job.explanation = _explanation(answer, job.time_limit_s)
            job.schedule_id = schedule.id
            job.objective, job.bound = answer.objective, answer.bound
            job.elapsed_s = round(answer.runtime, 3)
            job.finished_at = utcnow()

    def _finish(self, job_id: str, status: JobStatus, *, error: str | None = None) -> None:
        outcome: JobOutcome = "cancelled" if status == "cancelled" else "failed"
        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=status, outcome=outcome, error=error, finished_at=utcnow())
            )


def _last_word(messages: Queue[Message], exitcode: int | None, task: Task) -> Answer | Failure:
    """The answer a process sent just before it ended, or why it ended without one."""
    try:
        while True:
            message = messages.get(timeout=POLL_S)
            if not isinstance(message, Progress):
                return message
    except Exception:  # nothing more (queue.Empty), or a message cut short by the crash
        return Failure(describe_exit(exitcode, task.memory_limit_bytes))


def _explanation(answer: Answer, time_limit: float) -> str | None:
    """Why a finished solve has no pattern; None when it has one."""
    if answer.status == "infeasible":
        return answer.explanation or "no pattern meets every rule of the scenario"
    if answer.status == "timeout":
        found = f"no pattern was found within the time limit of {time_limit:g} s; allow more time"
        return f"{found}: {answer.explanation}" if answer.explanation else found
    return None


class ProgressRecorder:
    """Saves the best objective, bound and time of a running job at most every ``interval``.

    A save that fails (the database busy) is skipped: the next report, or the final write,
    brings the row up to date.
    """

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
        try:
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
        except SQLAlchemyError as exc:
            log.warning("job %s: progress not saved (%s)", self.job_id, exc)
