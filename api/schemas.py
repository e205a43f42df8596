"""What the API sends and accepts, apart from the contract's own scenario and schedule documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.models import JobOutcome, JobStatus
from scheduler.calendar import MAX_REMINDER_MINUTES
from scheduler.contract.schedule import ScheduleDoc

MAX_SEED = 2**31 - 1
"""The largest solver seed: CP-SAT's seed is a 32-bit integer, and so is the jobs table's column."""

ItemT = TypeVar("ItemT")


class ApiModel(BaseModel):
    """Base of the API's own models: read from ORM rows, unknown request fields refused."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class Page(ApiModel, Generic[ItemT]):
    """One page of a list, newest first."""

    items: list[ItemT]
    total: int = Field(description="Items in the whole list.")
    limit: int
    offset: int


class ScenarioSummary(ApiModel):
    """A stored scenario without its document."""

    id: str
    name: str | None
    version: int = Field(description="1 when created, one more at every replacement.")
    created_at: datetime
    updated_at: datetime


class ScenarioPublic(ScenarioSummary):
    """A stored scenario with the document as it was sent."""

    document: dict[str, Any] = Field(description="The scenario document of the contract (ScenarioDoc).")


class SolveRequest(ApiModel):
    """Options of one solve; each defaults to the scenario's own ``solver`` options."""

    time_limit_s: float | None = Field(
        None, gt=0, le=3600, description="Seconds; capped by the server's maximum."
    )
    seed: int | None = Field(None, ge=0, le=MAX_SEED)


class JobProgress(ApiModel):
    """The search so far."""

    objective: float | None = Field(description="Best objective found (lower is better).")
    bound: float | None = Field(description="Proven lower bound.")
    elapsed_s: float | None
    solutions: int


class JobPublic(ApiModel):
    """A solve job: queued, running, done (with its schedule and outcome), failed (with why) or cancelled."""

    id: str
    scenario_id: str
    scenario_version: int
    status: JobStatus
    time_limit_s: float
    seed: int
    progress: JobProgress
    schedule_id: str | None
    outcome: JobOutcome | None = Field(
        description="How the job ended (null until it is over): optimal or feasible (a pattern), "
        "infeasible or timeout (no pattern: see explanation), cancelled, or failed (see error)."
    )
    explanation: str | None = Field(
        description="Why there is no pattern, when the outcome is infeasible or timeout."
    )
    error: str | None = Field(description="Why the job failed, when it did.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SchedulePublic(ApiModel):
    """A schedule: the solve's answer as the contract's schedule document."""

    id: str
    scenario_id: str
    job_id: str
    scenario_version: int
    status: str
    created_at: datetime
    published_at: datetime | None
    document: ScheduleDoc


class FeedPublic(ApiModel):
    """A calendar feed; its URL is shown only when it is issued (it is a secret)."""

    id: str
    scenario_id: str
    key: str = Field(description='What the feed covers, e.g. "household-smith" or "practitioner-slt-ana".')
    kind: str = Field(description="household, client, carer, practitioner or venue.")
    schedule_id: str | None
    etag: str
    last_modified: datetime
    created_at: datetime
    revoked_at: datetime | None


class IssuedFeed(FeedPublic):
    """A feed with its subscription URL."""

    url: str | None = Field(
        description="The subscription URL; null for a feed issued earlier, whose URL stays as issued."
    )
    changed: bool = Field(description="Whether this publication changed the feed's calendar.")


class PublishOptions(ApiModel):
    """What the published feeds show besides the sessions; without a body, neither."""

    journeys: bool = Field(
        False,
        strict=True,
        description="Family feeds (household, client, carer) also show each journey to and from a "
        'session, going home between stops included: "Mum, Alfie and Poppy: Leave home for North '
        "Clinic, 25 min by public transport\"; a journey made together is one event in a household's feed.",
    )
    reminder_minutes: int | None = Field(
        None,
        strict=True,
        ge=0,
        le=MAX_REMINDER_MINUTES,
        description="Family feeds' events remind (an alarm) this many minutes before leaving: on each "
        "journey that leaves for a session, and on each session the feed shows no such journey to. "
        "Null: no reminders.",
    )


class PublishResult(ApiModel):
    """The feeds of the schedule's scenario after publishing it."""

    schedule_id: str
    scenario_id: str
    feeds: list[IssuedFeed]


class ErrorItem(BaseModel):
    """One located problem with a request."""

    loc: str = Field(description='Where, e.g. "clients[0].routines[0].start" or "query.limit".')
    msg: str


class ValidationProblem(BaseModel):
    """422: every problem found, each with its location."""

    detail: list[ErrorItem]


class Problem(BaseModel):
    """Any other error."""

    detail: str
