"""Schedules: the answers of finished solves, and publishing one as calendar feeds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from sqlalchemy import func, select

from api.deps import FeedFilesDep, PageDep, ReadSessionDep, SettingsDep, TenantDep
from api.models import Scenario, Schedule
from api.publishing import render, store
from api.routes.common import BUSY, CONFLICT, INVALID, NOT_FOUND, UNAUTHORIZED, owned
from api.routes.feeds import issued_feed
from api.schemas import Page, PublishOptions, PublishResult, SchedulePublic
from scheduler.calendar import FeedError

router = APIRouter(prefix="/v1/schedules", tags=["schedules"], responses=UNAUTHORIZED)

PUBLISH_ATTEMPTS = 3
"""Renderings of one publish request when other publishes of the scenario keep coming in between."""


@router.get("", response_model=Page[SchedulePublic], responses=INVALID)
def list_schedules(
    session: ReadSessionDep,
    tenant: TenantDep,
    page: PageDep,
    scenario_id: Annotated[str | None, Query(description="Only this scenario's schedules.")] = None,
) -> dict[str, Any]:
    """Your organisation's schedules, newest first."""
    limit, offset = page
    where = [Schedule.tenant_id == tenant.id]
    if scenario_id is not None:
        where.append(Schedule.scenario_id == scenario_id)
    total = session.scalar(select(func.count()).select_from(Schedule).where(*where))
    items = session.scalars(
        select(Schedule)
        .where(*where)
        .order_by(Schedule.created_at.desc(), Schedule.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}


@router.get("/{schedule_id}", response_model=SchedulePublic, responses=NOT_FOUND)
def get_schedule(schedule_id: str, session: ReadSessionDep, tenant: TenantDep) -> Schedule:
    """A schedule: the contract's schedule document with the ids it belongs to."""
    return owned(session, Schedule, schedule_id, tenant, "schedule")


@router.post(
    "/{schedule_id}/publish",
    response_model=PublishResult,
    responses=NOT_FOUND | CONFLICT | BUSY | INVALID,
)
def publish_schedule(
    schedule_id: str,
    request: Request,
    tenant: TenantDep,
    settings: SettingsDep,
    files: FeedFilesDep,
    options: Annotated[PublishOptions | None, Body()] = None,
) -> PublishResult:
    """Publish the schedule to its scenario's feeds: one per household, client, carer, practitioner, venue.

    The body's options add journeys and reminders to the family feeds; without a body the
    feeds show the sessions only. A feed issued before keeps its URL and now serves this
    schedule (``url`` is null for it: the URL is a secret shown once); a new feed's URL is in
    ``url``. 409, with the reason, for a schedule that cannot be published (no pattern:
    infeasible or timed out).
    """
    options = options or PublishOptions()
    database = request.app.state.database
    for _attempt in range(PUBLISH_ATTEMPTS):
        with database.read_sessions() as read:
            schedule = owned(read, Schedule, schedule_id, tenant, "schedule")
            scenario_row = read.get_one(Scenario, schedule.scenario_id)
        try:
            rendering = render(schedule, scenario_row, options)
        except FeedError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        with database.sessions.begin() as session:
            published = store(session, rendering)
        if published is not None:
            if files is not None:
                files.published(published)
            return PublishResult(
                schedule_id=schedule.id,
                scenario_id=schedule.scenario_id,
                feeds=[issued_feed(p.feed, settings, p.token, changed=p.changed) for p in published],
            )
    raise HTTPException(
        status.HTTP_409_CONFLICT, "the scenario's feeds kept being published by other requests; try again"
    )
