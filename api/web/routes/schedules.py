"""What a schedule shows: the week before and after, the whole picture, and two schedules compared."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.deps import ReadSessionDep
from api.models import Scenario, Schedule
from api.routes.picture import picture_of
from api.web.deps import PageError, UserDep, api_call, mine, render
from api.web.session import WebUser
from api.web.week import SUBJECT_KINDS, Placed, subjects, views, week_grid
from scheduler.analysis.frames import pattern_timetable
from scheduler.clock import parse_time
from scheduler.contract.scenario import ALL_DAYS
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import KPI_KEYS
from scheduler.validate.objective import current_timetable
from scheduler.validate.plans import Timetable

router = APIRouter(include_in_schema=False)
PATTERNS = ("optimal", "feasible")


def _schedule_of(
    session: ReadSessionDep, user: WebUser, scenario: Scenario, schedule_id: str | None
) -> Schedule | None:
    if not schedule_id:
        return None
    schedule = mine(session, Schedule, schedule_id, user, "schedule")
    if schedule.scenario_id != scenario.id:
        raise PageError(404, f'scenario "{scenario.id}" has no schedule "{schedule_id}"')
    return schedule


def _schedules(session: ReadSessionDep, scenario: Scenario) -> list[Schedule]:
    return list(
        session.scalars(
            select(Schedule).where(Schedule.scenario_id == scenario.id).order_by(Schedule.created_at.desc())
        ).all()
    )


@router.get("/scenarios/{scenario_id}/week")
def week_page(
    request: Request,
    scenario_id: str,
    session: ReadSessionDep,
    user: UserDep,
    schedule: str | None = None,
    kind: str = "household",
    subject: str | None = None,
    pick: str | None = None,
) -> HTMLResponse:
    """Today's bookings and a schedule's pattern, side by side, for one household, person or venue.

    The subject is ``kind`` and ``subject``, or ``pick`` as ``kind:subject`` (the page's chooser).
    """
    if pick:
        kind, _, subject = pick.partition(":")
    scenario_row = mine(session, Scenario, scenario_id, user, "scenario")
    chosen = _schedule_of(session, user, scenario_row, schedule)
    if kind not in SUBJECT_KINDS:
        raise PageError(404, f'no kind of subject "{kind}"; one of {", ".join(SUBJECT_KINDS)}')
    document = chosen.scenario_document if chosen else scenario_row.document
    scenario = load_scenario(document)
    choices = subjects(scenario)
    if not choices[kind]:
        raise PageError(404, f"this scenario has no {kind}")
    subject = subject or choices[kind][0][0]
    names = dict(choices[kind])
    if subject not in names:
        raise PageError(404, f'no {kind} "{subject}" in this scenario')
    today = current_timetable(scenario)
    pattern: tuple[Timetable, list[Placed]] | None = None
    if chosen is not None and chosen.status in PATTERNS:
        doc = read_schedule(chosen.document)
        placed = [
            Placed(
                scenario.client_index[r.client],
                r.name,
                r.week - 1,
                ALL_DAYS.index(r.day),
                parse_time(r.start),
                parse_time(r.end),
            )
            for r in doc.routines
        ]
        pattern = (pattern_timetable(scenario, doc), placed)
    rows = []
    for view_kind, view_id, view_name in views(scenario, kind, subject):
        grids = [("Today's bookings", week_grid(scenario, today, view_kind, view_id))]
        if pattern is not None:
            grids.append(("New pattern", week_grid(scenario, pattern[0], view_kind, view_id, pattern[1])))
        rows.append((view_name, grids))
    context = {
        "scenario": scenario_row,
        "schedule": chosen,
        "schedules": [s for s in _schedules(session, scenario_row) if s.status in PATTERNS],
        "kind": kind,
        "subject": subject,
        "subject_name": names[subject],
        "choices": choices,
        "rows": rows,
    }
    return render(request, "week.html", context, user)


@router.get("/scenarios/{scenario_id}/report")
def report_page(
    request: Request,
    scenario_id: str,
    session: ReadSessionDep,
    user: UserDep,
    schedule: str | None = None,
    household: str | None = None,
) -> HTMLResponse:
    """The whole picture (the API's ``/picture``) as a page."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    picture = api_call(
        picture_of,
        session=session,
        tenant=user.tenant,
        scenario_id=scenario.id,
        schedule_id=schedule or None,
        household=household or None,
    )
    households = sorted({c.get("household") or c.get("id") for c in scenario.document.get("clients", [])})
    context = {
        "scenario": scenario,
        "schedule": _schedule_of(session, user, scenario, schedule),
        "schedules": [s for s in _schedules(session, scenario) if s.status in PATTERNS],
        "picture": picture,
        "household": household,
        "households": households,
    }
    return render(request, "report.html", context, user)


def _figures(schedule: Schedule) -> dict[str, Any]:
    doc = schedule.document
    objective = doc.get("objective", {})
    kpis: dict[str, float] = dict.fromkeys(KPI_KEYS, 0.0)
    for figures in doc.get("kpis", {}).values():
        for key in KPI_KEYS:
            kpis[key] += float(figures.get(key, 0) or 0)
    return {
        "total": objective.get("total"),
        "bound": objective.get("bound"),
        "components": objective.get("components", {}),
        "kpis": kpis,
        "sessions": doc.get("sessions", []),
    }


@router.get("/scenarios/{scenario_id}/compare")
def compare_page(
    request: Request,
    scenario_id: str,
    session: ReadSessionDep,
    user: UserDep,
    a: str | None = None,
    b: str | None = None,
) -> HTMLResponse:
    """Two schedules of a scenario side by side, with the figures that changed."""
    scenario = mine(session, Scenario, scenario_id, user, "scenario")
    schedules = _schedules(session, scenario)
    first = _schedule_of(session, user, scenario, a) or (schedules[1] if len(schedules) > 1 else None)
    second = _schedule_of(session, user, scenario, b) or (schedules[0] if schedules else None)
    rows: list[dict[str, Any]] = []
    sessions: list[tuple[Any, Any]] = []
    if first is not None and second is not None:
        fa, fb = _figures(first), _figures(second)
        rows.append({"name": "objective (lower is better)", "a": fa["total"], "b": fb["total"]})
        for key in sorted(set(fa["components"]) | set(fb["components"])):
            rows.append(
                {"name": f"objective: {key}", "a": fa["components"].get(key), "b": fb["components"].get(key)}
            )
        rows += [
            {"name": key.replace("_", " "), "a": fa["kpis"][key], "b": fb["kpis"][key]} for key in KPI_KEYS
        ]

        def key_of(s: dict[str, Any]) -> tuple[str, int]:
            return (s["appointment"], s["occurrence"])

        left = {key_of(s): s for s in fa["sessions"]}
        right = {key_of(s): s for s in fb["sessions"]}
        sessions = [(left.get(k), right.get(k)) for k in sorted(left.keys() | right.keys())]
    context = {
        "scenario": scenario,
        "schedules": schedules,
        "first": first,
        "second": second,
        "rows": rows,
        "sessions": sessions,
    }
    return render(request, "compare.html", context, user)
