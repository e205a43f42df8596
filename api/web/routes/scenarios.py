"""Scenario pages: the list, upload, start from scratch, the editor, download, and the overview."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from api.deps import ReadSessionDep, RunnerDep, SessionDep
from api.models import Job, Scenario, Schedule
from api.routes import scenarios as scenarios_api
from api.web.deps import CSRF_CHECKED, FormDep, PageError, UserDep, api_call, mine, render
from api.web.forms import FormData, add_item, blank_scenario, parse_form, scenario_form
from api.web.session import WebUser
from scheduler.contract.errors import parse_json
from scheduler.errors import InputIssue, ScenarioError
from scheduler.loader import load_scenario

router = APIRouter(include_in_schema=False)
UPLOAD_FIELD = "document"


def _list_page(
    request: Request, session: ReadSessionDep, user: WebUser, upload_errors: list[str], status: int = 200
) -> HTMLResponse:
    rows = session.scalars(
        select(Scenario).where(Scenario.tenant_id == user.tenant.id).order_by(Scenario.created_at.desc())
    ).all()
    return render(
        request, "scenarios.html", {"scenarios": rows, "upload_errors": upload_errors}, user, status
    )


@router.get("/scenarios")
def list_page(request: Request, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """The organisation's scenarios, with upload and start-from-scratch."""
    return _list_page(request, session, user, [])


def _editor(
    request: Request,
    user: WebUser,
    document: Any,
    action: str,
    issues: tuple[InputIssue, ...] = (),
    open_paths: tuple[str, ...] = (),
    scenario: Scenario | None = None,
    status: int = 200,
) -> HTMLResponse:
    form = scenario_form(document, issues, open_paths)
    context = {
        "form": form,
        "action": action,
        "scenario": scenario,
        "focus": open_paths[0] if open_paths else None,
    }
    return render(request, "editor.html", context, user, status)


@router.post("/scenarios/upload")
def upload(request: Request, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    """Store an uploaded scenario document, or show it in the editor with every problem in place."""
    filename, body = form.files.get(UPLOAD_FIELD, ("", b""))
    if not body:
        return _list_page(request, session, user, ["Choose a scenario file (JSON) to upload."], 422)
    try:
        document = parse_json(body, ScenarioError)
    except ScenarioError as exc:
        return _list_page(request, session, user, [f"{filename}: {i}" for i in exc.issues], 422)
    if not isinstance(document, dict):
        return _list_page(request, session, user, [f"{filename}: expected a JSON object"], 422)
    return _save(request, session, user, document, None)


@router.get("/scenarios/new")
def new_page(request: Request, user: UserDep) -> HTMLResponse:
    """The editor on a small scenario to start from."""
    today = date.today()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return _editor(request, user, blank_scenario(monday), "/scenarios/new")


@router.post("/scenarios/new")
def create(request: Request, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    """Save the editor's new scenario when it is valid."""
    return _submit(request, session, user, form, None)


def scenario_page(
    request: Request,
    session: ReadSessionDep,
    user: WebUser,
    scenario: Scenario,
    *,
    time_limit: object = None,
    solve_error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The overview page of ``scenario``, with the solve form showing ``time_limit`` and ``solve_error``."""
    jobs = session.scalars(
        select(Job).where(Job.scenario_id == scenario.id).order_by(Job.created_at.desc()).limit(10)
    ).all()
    schedules = session.scalars(
        select(Schedule)
        .where(Schedule.scenario_id == scenario.id)
        .order_by(Schedule.created_at.desc())
        .limit(20)
    ).all()
    counts = {
        key: len(scenario.document.get(key, []))
        for key in ("clients", "carers", "practitioners", "venues", "appointments")
    }
    if time_limit is None:
        time_limit = scenario.document.get("solver", {}).get("time_limit_s", 30)
    context = {
        "scenario": scenario,
        "jobs": jobs,
        "schedules": schedules,
        "counts": counts,
        "time_limit": time_limit,
        "solve_error": solve_error,
        "saved": request.query_params.get("saved"),
    }
    return render(request, "scenario.html", context, user, status)


@router.get("/scenarios/{scenario_id}")
def overview(request: Request, scenario_id: str, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """A scenario at a glance: its people and appointments, solves, schedules and what to do next."""
    return scenario_page(request, session, user, mine(session, Scenario, scenario_id, user, "scenario"))


@router.get("/scenarios/{scenario_id}/edit")
def edit_page(request: Request, scenario_id: str, session: ReadSessionDep, user: UserDep) -> HTMLResponse:
    """The editor on a scenario's document."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    return _editor(request, user, scenario.document, f"/scenarios/{scenario.id}/edit", scenario=scenario)


@router.post("/scenarios/{scenario_id}/edit")
def edit(request: Request, scenario_id: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    """Save the edited document as the scenario's next version when it is valid."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    return _submit(request, session, user, form, scenario)


def _submit(
    request: Request, session: SessionDep, user: WebUser, form: FormData, scenario: Scenario | None
) -> Response:
    action = form.get("action", "save")
    document = parse_form(form)
    target = f"/scenarios/{scenario.id}/edit" if scenario else "/scenarios/new"
    if action.startswith("add:"):
        try:
            added = add_item(document, action.removeprefix("add:"))
        except ValueError as exc:
            raise PageError(422, str(exc)) from None
        return _editor(request, user, document, target, open_paths=(added,), scenario=scenario)
    return _save(request, session, user, document, scenario)


def _save(
    request: Request, session: SessionDep, user: WebUser, document: dict[str, Any], scenario: Scenario | None
) -> Response:
    """Check ``document`` whole and store it (new, or as ``scenario``'s next version)."""
    target = f"/scenarios/{scenario.id}/edit" if scenario else "/scenarios/new"
    try:
        load_scenario(document)
    except ScenarioError as exc:
        return _editor(request, user, document, target, issues=exc.issues, scenario=scenario, status=422)
    if scenario is None:
        saved = api_call(
            scenarios_api.create_scenario,
            tenant=user.tenant,
            document=document,
            session=session,
            response=Response(),
        )
    else:
        saved = api_call(
            scenarios_api.replace_scenario,
            tenant=user.tenant,
            scenario_id=scenario.id,
            document=document,
            session=session,
        )
    return RedirectResponse(f"/scenarios/{saved.id}?saved={saved.version}", status_code=303)


@router.get("/scenarios/{scenario_id}/download")
def download(scenario_id: str, session: ReadSessionDep, user: UserDep) -> Response:
    """The scenario's document as a JSON file."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (scenario.name or "scenario"))[:60]
    return Response(
        json.dumps(scenario.document, indent=2, ensure_ascii=False) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )


@router.post("/scenarios/{scenario_id}/delete", dependencies=[CSRF_CHECKED])
def delete(scenario_id: str, session: SessionDep, user: UserDep, runner: RunnerDep) -> RedirectResponse:
    """Delete a scenario with its solves, schedules and feeds."""
    mine(session, Scenario, scenario_id, user, "scenario")
    api_call(
        scenarios_api.delete_scenario,
        scenario_id=scenario_id,
        session=session,
        tenant=user.tenant,
        runner=runner,
    )
    return RedirectResponse("/scenarios", status_code=303)
