"""The whole picture: a scenario's report (savings, overload, duplication, gaps, conversations,
today's faults), as the ``scheduler report`` command gives it, for one client, one household
or everyone, against one of the scenario's schedules or today's bookings alone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from api.deps import ReadSessionDep, TenantDep
from api.models import Scenario, Schedule, Tenant
from api.routes.common import INVALID, NOT_FOUND, UNAUTHORIZED, owned
from scheduler.analysis import WholePicture, whole_picture
from scheduler.errors import InputError
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"], responses=UNAUTHORIZED)


def picture_of(
    session: Session,
    tenant: Tenant,
    scenario_id: str,
    schedule_id: str | None = None,
    client: str | None = None,
    household: str | None = None,
) -> WholePicture:
    """The whole picture of a tenant's scenario (404 for another tenant's ids, 422 for an unknown
    client or household); with ``schedule_id``, of that schedule against the scenario it answers."""
    scenario = owned(session, Scenario, scenario_id, tenant, "scenario")
    document, pattern = scenario.document, None
    if schedule_id is not None:
        schedule = owned(session, Schedule, schedule_id, tenant, "schedule")
        if schedule.scenario_id != scenario.id:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f'scenario "{scenario_id}" has no schedule "{schedule_id}"'
            )
        document = schedule.scenario_document
        if schedule.status in ("optimal", "feasible"):
            pattern = read_schedule(schedule.document)
    try:
        return whole_picture(load_scenario(document), pattern, client=client, household=household)
    except ValueError as exc:
        where = "query.client" if client is not None else "query.household"
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, [{"loc": where, "msg": str(exc)}]
        ) from None
    except InputError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.get("/{scenario_id}/picture", responses=NOT_FOUND | INVALID)
def get_picture(
    scenario_id: str,
    session: ReadSessionDep,
    tenant: TenantDep,
    schedule_id: Annotated[
        str | None, Query(description="The new pattern: a schedule of this scenario; without it, today only.")
    ] = None,
    client: Annotated[str | None, Query(description="Only this client (an id).")] = None,
    household: Annotated[str | None, Query(description="Only this household.")] = None,
) -> dict[str, Any]:
    """The whole picture as JSON: clients, services, today's and the new sessions, figures with their
    savings, today's faults, overloaded practitioners, duplicated services, unmet needs and the
    conversations agencies should have."""
    return picture_of(session, tenant, scenario_id, schedule_id, client, household).to_dict()
