"""Solving: submit from the scenario page, watch the progress (htmx polling), cancel."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from api.deps import ReadSessionDep, RunnerDep, SessionDep, SettingsDep
from api.models import Job, Scenario, Schedule
from api.routes import jobs as jobs_api
from api.schemas import TERMINAL_STATUSES, SolveRequest
from api.web.deps import CSRF_CHECKED, FormDep, UserDep, api_call, mine, render
from api.web.routes.scenarios import scenario_page

router = APIRouter(include_in_schema=False)


@router.post("/scenarios/{scenario_id}/solve")
def solve(
    request: Request,
    scenario_id: str,
    session: SessionDep,
    user: UserDep,
    form: FormDep,
    settings: SettingsDep,
    runner: RunnerDep,
) -> Response:
    """Queue a solve of the scenario as it is now and go to its progress page."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    try:
        options = SolveRequest(time_limit_s=form.get("time_limit_s") or None)
    except ValidationError as exc:
        error = "; ".join(e["msg"][:1].lower() + e["msg"][1:] for e in exc.errors())
        return scenario_page(
            request,
            session,
            user,
            scenario,
            time_limit=form.get("time_limit_s", ""),
            solve_error=error,
            status=422,
        )
    job = api_call(
        jobs_api.solve_scenario,
        scenario_id=scenario.id,
        session=session,
        tenant=user.tenant,
        settings=settings,
        runner=runner,
        response=Response(),
        options=options,
    )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _job_context(session: ReadSessionDep, job: Job) -> dict[str, object]:
    schedule = session.get(Schedule, job.schedule_id) if job.schedule_id else None
    gap = None
    if job.objective is not None and job.bound is not None and job.objective:
        gap = max(0.0, (job.objective - job.bound) / abs(job.objective))
    return {"job": job, "schedule": schedule, "gap": gap, "over": job.status in TERMINAL_STATUSES}


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """A solve's live progress (best objective, bound, gap, elapsed) and its outcome."""
    job = mine(session, Job, job_id, user, "job")
    scenario = mine(session, Scenario, job.scenario_id, user, "scenario")
    return render(request, "job.html", {**_job_context(session, job), "scenario": scenario}, user)


@router.get("/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: str, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """The progress panel alone, polled by htmx until the job is over."""
    job = mine(session, Job, job_id, user, "job")
    return render(request, "job_progress.html", _job_context(session, job), user)


@router.post("/jobs/{job_id}/cancel", dependencies=[CSRF_CHECKED])
def cancel(request: Request, job_id: str, session: SessionDep, user: UserDep, runner: RunnerDep) -> Response:
    """Cancel a queued or running solve."""
    job = mine(session, Job, job_id, user, "job")
    if job.status not in TERMINAL_STATUSES:
        api_call(jobs_api.cancel_job, job_id=job.id, session=session, tenant=user.tenant, runner=runner)
    if request.headers.get("HX-Request"):
        session.refresh(job)
        return render(request, "job_progress.html", _job_context(session, job), user)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
