"""Solve jobs: submit (202 and a Location), watch (JSON or Server-Sent Events), cancel, resubmit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.deps import PageDep, ReadSessionDep, RunnerDep, SessionDep, SettingsDep, TenantDep
from api.models import ACTIVE_STATUSES, TERMINAL_STATUSES, Job, JobStatus, Scenario, Tenant, utcnow
from api.routes.common import CONFLICT, INVALID, NOT_FOUND, TOO_LARGE, UNAUTHORIZED, owned
from api.runner import JobRunner
from api.schemas import MAX_SEED, JobProgress, JobPublic, Page, Problem, SolveRequest
from api.settings import Settings
from scheduler.contract.scenario import ScenarioDoc
from scheduler.errors import InputIssue, ScenarioError

router = APIRouter(tags=["jobs"], responses=UNAUTHORIZED)

HEARTBEAT_S = 15.0
RESUBMITTABLE: tuple[JobStatus, ...] = ("failed", "cancelled")
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": Problem, "description": "Too many jobs queued or running; retry later."}
}
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "A stream of the job's states."}
}
ACCEPTED_HEADERS = {"Location": {"description": "The job's URL.", "schema": {"type": "string"}}}


def job_public(job: Job) -> JobPublic:
    """The API's view of a job row."""
    return JobPublic(
        id=job.id,
        scenario_id=job.scenario_id,
        scenario_version=job.scenario_version,
        status=job.status,
        time_limit_s=job.time_limit_s,
        seed=job.seed,
        progress=JobProgress(
            objective=job.objective, bound=job.bound, elapsed_s=job.elapsed_s, solutions=job.solutions
        ),
        schedule_id=job.schedule_id,
        outcome=job.outcome,
        explanation=job.explanation,
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _check_capacity(session: Session, tenant: Tenant, settings: Settings) -> None:
    active = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.tenant_id == tenant.id, Job.status.in_(ACTIVE_STATUSES))
    )
    if (active or 0) >= settings.max_queued_jobs:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"{active} jobs are queued or running, the most allowed; retry when some have finished",
            headers={"Retry-After": "30"},
        )


def _enqueue(session: Session, runner: JobRunner, response: Response, job: Job) -> JobPublic:
    """Commit a new queued job, hand it to the pool, and point the response at it."""
    session.add(job)
    session.commit()
    runner.submit(job.id)
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_public(job)


@router.post(
    "/v1/scenarios/{scenario_id}/solve",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobPublic,
    responses={202: {"headers": ACCEPTED_HEADERS}} | NOT_FOUND | INVALID | TOO_LARGE | TOO_MANY,
)
def solve_scenario(
    scenario_id: str,
    session: SessionDep,
    tenant: TenantDep,
    settings: SettingsDep,
    runner: RunnerDep,
    response: Response,
    options: Annotated[SolveRequest | None, Body()] = None,
) -> JobPublic:
    """Queue a solve of the scenario as it is now; the time limit is capped by the server's maximum."""
    scenario = owned(session, Scenario, scenario_id, tenant, "scenario")
    _check_capacity(session, tenant, settings)
    solver = ScenarioDoc.model_validate(scenario.document).solver
    options = options or SolveRequest()
    if options.seed is None and not 0 <= solver.seed <= MAX_SEED:
        message = f"the scenario's seed {solver.seed} is outside 0..{MAX_SEED}; send a seed in the body"
        raise ScenarioError([InputIssue("solver.seed", message)])
    job = Job(
        tenant_id=tenant.id,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        document=scenario.document,
        status="queued",
        time_limit_s=min(options.time_limit_s or solver.time_limit_s, settings.max_time_limit_s),
        seed=solver.seed if options.seed is None else options.seed,
    )
    return _enqueue(session, runner, response, job)


@router.get("/v1/jobs", response_model=Page[JobPublic], responses=INVALID)
def list_jobs(
    session: ReadSessionDep,
    tenant: TenantDep,
    page: PageDep,
    scenario_id: Annotated[str | None, Query(description="Only this scenario's jobs.")] = None,
) -> dict[str, Any]:
    """Your organisation's jobs, newest first."""
    limit, offset = page
    where = [Job.tenant_id == tenant.id]
    if scenario_id is not None:
        where.append(Job.scenario_id == scenario_id)
    total = session.scalar(select(func.count()).select_from(Job).where(*where))
    jobs = session.scalars(
        select(Job).where(*where).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
    ).all()
    return {"items": [job_public(j) for j in jobs], "total": total or 0, "limit": limit, "offset": offset}


@router.get("/v1/jobs/{job_id}", response_model=JobPublic, responses=NOT_FOUND)
def get_job(job_id: str, session: ReadSessionDep, tenant: TenantDep) -> JobPublic:
    """A job's status, its progress (best objective, bound, elapsed) and, when done, its schedule's id."""
    return job_public(owned(session, Job, job_id, tenant, "job"))


@router.delete("/v1/jobs/{job_id}", response_model=JobPublic, responses=NOT_FOUND | CONFLICT)
def cancel_job(job_id: str, session: SessionDep, tenant: TenantDep, runner: RunnerDep) -> JobPublic:
    """Cancel a queued or running job; it ends ``cancelled`` with no schedule. 409 when already over.

    A running job's search is stopped (its process killed if it does not stop at once); the
    answer comes when the job is recorded as cancelled, within about two seconds.
    """
    job = owned(session, Job, job_id, tenant, "job")
    if job.status in TERMINAL_STATUSES:
        raise HTTPException(status.HTTP_409_CONFLICT, f"the job is already {job.status}")
    if not _mark_cancelled(session, job.id, "queued") and not runner.cancel(job.id):
        # No worker holds it: it ended without its outcome written (the database was busy).
        _mark_cancelled(session, job.id, "running")
    session.refresh(job)
    return job_public(job)


def _mark_cancelled(session: Session, job_id: str, current: JobStatus) -> bool:
    """Record the job as cancelled if it is still ``current``; whether it was."""
    cancelled = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == current)
        .values(status="cancelled", outcome="cancelled", finished_at=utcnow())
    )
    session.commit()
    return bool(getattr(cancelled, "rowcount", 0))


@router.post(
    "/v1/jobs/{job_id}/resubmit",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobPublic,
    responses={202: {"headers": ACCEPTED_HEADERS}} | NOT_FOUND | CONFLICT | TOO_MANY,
)
def resubmit_job(
    job_id: str,
    session: SessionDep,
    tenant: TenantDep,
    settings: SettingsDep,
    runner: RunnerDep,
    response: Response,
) -> JobPublic:
    """Queue a new job with the same scenario copy and options as a failed or cancelled one."""
    old = owned(session, Job, job_id, tenant, "job")
    if old.status not in RESUBMITTABLE:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"only a failed or cancelled job can be resubmitted, not a {old.status} one",
        )
    _check_capacity(session, tenant, settings)
    job = Job(
        tenant_id=tenant.id,
        scenario_id=old.scenario_id,
        scenario_version=old.scenario_version,
        document=old.document,
        status="queued",
        time_limit_s=min(old.time_limit_s, settings.max_time_limit_s),
        seed=old.seed,
    )
    return _enqueue(session, runner, response, job)


@router.get(
    "/v1/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses=EVENT_STREAM | NOT_FOUND,
)
def job_events(
    job_id: str, request: Request, session: ReadSessionDep, tenant: TenantDep, settings: SettingsDep
) -> StreamingResponse:
    """Server-Sent Events: an event named after the status at every change; ends when the job is over."""
    owned(session, Job, job_id, tenant, "job")
    stream = _job_stream(
        request, request.app.state.database.read_sessions, job_id, settings.progress_interval_s
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _read_job(sessions: sessionmaker[Session], job_id: str) -> JobPublic | None:
    with sessions() as session:
        job = session.get(Job, job_id)
        return None if job is None else job_public(job)


async def _job_stream(
    request: Request, sessions: sessionmaker[Session], job_id: str, interval: float
) -> AsyncIterator[str]:
    """Poll the job and send each new state as an event, with a comment as heartbeat when idle."""
    last: str | None = None
    quiet = 0.0
    yield f"retry: {int(interval * 1000)}\n\n"
    while not await request.is_disconnected():
        job = await run_in_threadpool(_read_job, sessions, job_id)
        if job is None:
            yield 'event: deleted\ndata: {"detail": "the job no longer exists"}\n\n'
            return
        data = job.model_dump_json()
        if data != last:
            last, quiet = data, 0.0
            yield f"event: {job.status}\ndata: {data}\n\n"
            if job.status in TERMINAL_STATUSES:
                return
        elif quiet >= HEARTBEAT_S:
            quiet = 0.0
            yield ": still working\n\n"
        await asyncio.sleep(interval)
        quiet += interval
