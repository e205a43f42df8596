"""Scenarios: the documents a coordinator submits, replaces and deletes, and their validation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import func, select

from api.deps import FeedFilesDep, PageDep, ReadSessionDep, RunnerDep, ScenarioBody, SessionDep, TenantDep
from api.models import Feed, Job, Scenario, Schedule, utcnow
from api.routes.common import INVALID, NOT_FOUND, TOO_LARGE, UNAUTHORIZED, owned
from api.schemas import Page, ScenarioPublic, ScenarioSummary
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import validate

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"], responses=UNAUTHORIZED)

SCENARIO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A scenario document of the contract; unknown fields are errors.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScenarioDoc"}}},
    }
}


def _name(document: dict[str, Any]) -> str | None:
    name = document.get("name")
    return name if isinstance(name, str) else None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ScenarioPublic,
    responses=INVALID | TOO_LARGE,
    openapi_extra=SCENARIO_BODY,
)
def create_scenario(
    tenant: TenantDep, document: ScenarioBody, session: SessionDep, response: Response
) -> Scenario:
    """Store a scenario after checking it whole; 422 lists every problem with its location."""
    scenario = Scenario(tenant_id=tenant.id, name=_name(document), document=document)
    session.add(scenario)
    session.commit()
    response.headers["Location"] = f"/v1/scenarios/{scenario.id}"
    return scenario


@router.get("", response_model=Page[ScenarioSummary], responses=INVALID)
def list_scenarios(session: ReadSessionDep, tenant: TenantDep, page: PageDep) -> dict[str, Any]:
    """Your organisation's scenarios, newest first."""
    limit, offset = page
    total = session.scalar(select(func.count()).select_from(Scenario).where(Scenario.tenant_id == tenant.id))
    items = session.scalars(
        select(Scenario)
        .where(Scenario.tenant_id == tenant.id)
        .order_by(Scenario.created_at.desc(), Scenario.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return {"items": items, "total": total or 0, "limit": limit, "offset": offset}


@router.get("/{scenario_id}", response_model=ScenarioPublic, responses=NOT_FOUND)
def get_scenario(scenario_id: str, session: ReadSessionDep, tenant: TenantDep) -> Scenario:
    """One scenario with its document."""
    return owned(session, Scenario, scenario_id, tenant, "scenario")


@router.put(
    "/{scenario_id}",
    response_model=ScenarioPublic,
    responses=NOT_FOUND | INVALID | TOO_LARGE,
    openapi_extra=SCENARIO_BODY,
)
def replace_scenario(
    tenant: TenantDep, scenario_id: str, document: ScenarioBody, session: SessionDep
) -> Scenario:
    """Replace a scenario's document; its version goes up. Jobs already submitted keep their copy."""
    scenario = owned(session, Scenario, scenario_id, tenant, "scenario")
    scenario.document = document
    scenario.name = _name(document)
    scenario.version += 1
    scenario.updated_at = utcnow()
    session.commit()
    return scenario


@router.delete("/{scenario_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_scenario(
    scenario_id: str, session: SessionDep, tenant: TenantDep, runner: RunnerDep, files: FeedFilesDep
) -> None:
    """Delete a scenario with its jobs, schedules and feeds (its feed URLs stop working)."""
    scenario = owned(session, Scenario, scenario_id, tenant, "scenario")
    running = session.scalars(
        select(Job.id).where(Job.scenario_id == scenario.id, Job.status.in_(("queued", "running")))
    ).all()
    if files is not None:
        for token_hash in session.scalars(
            select(Feed.token_hash).where(Feed.scenario_id == scenario.id, Feed.revoked_at.is_(None))
        ):
            files.remove(token_hash)
    session.delete(scenario)
    session.commit()
    for job_id in running:
        runner.cancel(job_id, wait=False)


@router.post("/{scenario_id}/validate", responses=NOT_FOUND | INVALID)
def validate_scenario(
    scenario_id: str,
    session: ReadSessionDep,
    tenant: TenantDep,
    schedule_id: Annotated[
        str | None,
        Query(description="Also check this schedule of the scenario; without it, today's bookings only."),
    ] = None,
) -> dict[str, Any]:
    """The validator's report: today's ``current`` bookings, and a schedule when one is named."""
    scenario_row = owned(session, Scenario, scenario_id, tenant, "scenario")
    document = scenario_row.document
    schedule_doc = None
    if schedule_id is not None:
        schedule = owned(session, Schedule, schedule_id, tenant, "schedule")
        if schedule.scenario_id != scenario_row.id:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f'scenario "{scenario_id}" has no schedule "{schedule_id}"'
            )
        document = schedule.scenario_document
        schedule_doc = read_schedule(schedule.document)
    report = validate(load_scenario(document), schedule_doc)
    return report.to_dict()
