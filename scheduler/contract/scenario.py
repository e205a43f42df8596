"""The scenario document of ``shared/spec/scenario.md``, field by field.

These pydantic models are the boundary: they check types, forbid unknown fields and check
every value that can be judged on its own (a time of day, a window that ends after it
starts). Checks that need the whole document (ids that must exist, a start that must be a
Monday) are made by :mod:`scheduler.loader`, which also turns the document into the
immutable, integer-based :class:`scheduler.model.Scenario`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from scheduler.clock import parse_time

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TravelMode = Literal["car", "public", "walk", "taxi"]
VenueKind = Literal["clinic", "hospital", "home", "school", "community", "other"]
Clustering = Literal["prefer", "avoid", "neutral"]

TIME_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"


def _check_time(text: str) -> str:
    parse_time(text)
    return text


TimeOfDay = Annotated[
    str,
    AfterValidator(_check_time),
    Field(json_schema_extra={"pattern": TIME_PATTERN}, examples=["09:30"]),
]
"""A local wall-clock time ``"HH:MM"``; ``"24:00"`` is the end of the day."""

Id = Annotated[str, Field(min_length=1, max_length=200)]


def _check_window(pair: tuple[str, str]) -> tuple[str, str]:
    if parse_time(pair[1]) <= parse_time(pair[0]):
        raise ValueError(f'["{pair[0]}", "{pair[1]}"] ends before it starts')
    return pair


TimeWindow = Annotated[tuple[TimeOfDay, TimeOfDay], AfterValidator(_check_window)]
"""``["09:00", "12:00"]``: a span of one day that ends after it starts."""

WeeklyHours = dict[Day, list[TimeWindow]]
"""Opening or availability hours by day; a day left out is closed."""


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields are an error, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(ContractModel):
    """The pattern's first day, length, time zone and the bounds of every day."""

    start: date = Field(description="First day of the pattern; must be a Monday.")
    weeks: Literal[1, 2] = Field(1, description="Length of the repeating pattern in weeks.")
    repeat_until: date | None = Field(
        None, description="Feeds repeat the pattern until this date (inclusive)."
    )
    exclude_dates: list[date] = Field(
        default_factory=list, description="Dates the feeds leave out (holidays, closures)."
    )
    timezone: str = Field(description="IANA time zone of every wall-clock time, e.g. Europe/London.")
    day_start: TimeOfDay = Field("08:00", description="Nobody leaves home before this.")
    day_end: TimeOfDay = Field("18:00", description="Everybody is back home by this.")
    slot_minutes: int = Field(
        5, ge=1, le=60, description="Session start times are multiples of this from midnight."
    )

    @model_validator(mode="after")
    def _day_bounds(self) -> Horizon:
        if parse_time(self.day_end) <= parse_time(self.day_start):
            raise ValueError(f'day_end "{self.day_end}" is not after day_start "{self.day_start}"')
        return self


class Venue(ContractModel):
    """A place where sessions happen: a clinic, a hospital, a school, a home."""

    id: Id
    name: str | None = None
    kind: VenueKind = "clinic"
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str | None = None
    open: WeeklyHours | None = Field(
        None, description="Opening hours; missing means no restriction. A home is always open."
    )
    rooms: int = Field(1, ge=1, description="Sessions the venue can hold at once.")


class Routine(ContractModel):
    """A fixed part of a client's day (school, nap) or a flexible one (a feed within a window)."""

    name: str = Field(min_length=1)
    days: list[Day] = Field(min_length=1)
    start: TimeOfDay
    end: TimeOfDay
    at: Id | None = Field(None, description="Venue id where the client is; default: home.")
    allows_sessions: bool = Field(
        False, description="Sessions at the routine's own venue may take place during it."
    )
    duration: int | None = Field(
        None,
        ge=1,
        description="Flexible routine: this many free minutes in one piece inside the window.",
    )

    @model_validator(mode="after")
    def _span(self) -> Routine:
        length = parse_time(self.end) - parse_time(self.start)
        if length <= 0:
            raise ValueError(f'the routine ends ("{self.end}") before it starts ("{self.start}")')
        if self.duration is not None and self.duration > length:
            raise ValueError(
                f"duration {self.duration} min does not fit in its window "
                f"{self.start}-{self.end} ({length} min)"
            )
        return self


class ClientLimits(ContractModel):
    """Limits on a client's load, every day or week of the pattern."""

    max_sessions_per_day: int | None = Field(None, ge=0)
    max_session_minutes_per_day: int | None = Field(None, ge=0)
    max_days_per_week: int | None = Field(None, ge=0, le=7)
    max_people_per_week: int | None = Field(None, ge=0)
    min_gap_minutes: int | None = Field(None, ge=0)


class Preferences(ContractModel):
    """Soft wishes: they shape the objective, never feasibility."""

    same_day_clustering: Clustering = "prefer"
    avoid_days: list[Day] = Field(default_factory=list)
    preferred_windows: list[TimeWindow] = Field(default_factory=list)


class Client(ContractModel):
    """The person the appointments are for."""

    id: Id
    name: str | None = None
    household: str | None = None
    home: Id = Field(description="Venue id of the client's home (a venue of kind home).")
    travel_mode: TravelMode = "public"
    carers: list[Id] = Field(default_factory=list, description="Who can escort this client.")
    routines: list[Routine] = Field(default_factory=list)
    limits: ClientLimits = Field(default_factory=ClientLimits)
    preferences: Preferences = Field(default_factory=Preferences)
    needs: list[str] = Field(
        default_factory=list,
        description="Services the client needs (matched against appointments' service).",
    )


class Carer(ContractModel):
    """A parent, relative or support worker who escorts clients."""

    id: Id
    name: str | None = None
    travel_mode: TravelMode = "public"
    available: WeeklyHours | None = Field(None, description="Missing means no restriction.")
    home: Id | None = Field(
        None,
        description="Venue id where the carer's day starts and ends; "
        "default: the home of the first client they escort.",
    )


class BusyEntry(ContractModel):
    """Time a practitioner gives to other work; with a venue it is a stop in their day."""

    day: Day
    week: int | None = Field(None, ge=1, le=2, description="Omitted: every week.")
    start: TimeOfDay
    end: TimeOfDay
    venue: Id | None = Field(None, description="Omitted: no travel rule.")
    label: str | None = None

    @model_validator(mode="after")
    def _span(self) -> BusyEntry:
        if parse_time(self.end) <= parse_time(self.start):
            raise ValueError(f'the entry ends ("{self.end}") before it starts ("{self.start}")')
        return self


class PractitionerLimits(ContractModel):
    """Limits on a practitioner's load, every day of the pattern."""

    max_sessions_per_day: int | None = Field(None, ge=0)
    max_session_minutes_per_day: int | None = Field(None, ge=0)


class Practitioner(ContractModel):
    """A therapist, doctor, social worker or teacher who holds sessions."""

    id: Id
    name: str | None = None
    role: str | None = None
    agency: str | None = None
    available: WeeklyHours | None = Field(None, description="Missing means no restriction.")
    venues: list[Id] = Field(default_factory=list, description="Venues they work at.")
    home_visits: bool = False
    base: Id | None = Field(None, description="Venue id where their day starts and ends.")
    travel_mode: TravelMode = "car"
    busy: list[BusyEntry] = Field(default_factory=list)
    limits: PractitionerLimits = Field(default_factory=PractitionerLimits)


class Frequency(ContractModel):
    """How often: ``per_week`` sessions every week, or one session every ``every_weeks`` weeks."""

    per_week: int | None = Field(None, ge=1, le=7)
    min_days_apart: int | None = Field(None, ge=1, le=6)
    every_weeks: int | None = Field(None, ge=1, le=2)

    @model_validator(mode="after")
    def _one_kind(self) -> Frequency:
        if self.per_week is not None and self.every_weeks is not None:
            raise ValueError("give per_week or every_weeks, not both")
        if self.every_weeks is not None and self.min_days_apart is not None:
            raise ValueError("min_days_apart goes with per_week, not every_weeks")
        return self


class Booking(ContractModel):
    """A session at a fixed week, day, time and venue: today's booking or a pin."""

    week: int | None = Field(None, ge=1, le=2, description="Omitted: every week of the pattern.")
    day: Day
    start: TimeOfDay
    venue: Id = Field(description='Venue id, or "home" for the client\'s home.')
    practitioners: list[Id] | None = Field(
        None, description="Who attends; default: the appointment's practitioners."
    )
    carer: Id | None = Field(None, description="Who escorts; default: the client's first carer.")


class AppointmentWindow(ContractModel):
    """Days and hours a session of the appointment may take."""

    days: list[Day] = Field(default_factory=lambda: list(ALL_DAYS))
    earliest: TimeOfDay | None = Field(None, description="Default: the horizon's day_start.")
    latest: TimeOfDay | None = Field(None, description="Default: the horizon's day_end.")

    @model_validator(mode="after")
    def _span(self) -> AppointmentWindow:
        if (
            self.earliest is not None
            and self.latest is not None
            and parse_time(self.latest) <= parse_time(self.earliest)
        ):
            raise ValueError(f'the window ends ("{self.latest}") before it starts ("{self.earliest}")')
        return self


class Appointment(ContractModel):
    """A recurring session a client needs with one or several practitioners."""

    id: Id
    client: Id
    title: str | None = None
    service: str | None = None
    agency: str | None = None
    duration: int = Field(ge=1, le=24 * 60, description="Minutes.")
    frequency: Frequency = Field(default_factory=lambda: Frequency(per_week=1))
    practitioners: list[Id] = Field(
        default_factory=list, description="All of these attend: a joint session when several."
    )
    role: str | None = Field(None, description="One practitioner with this role, the same for every session.")
    venues: list[Id] = Field(min_length=1, description='Venue ids; "home" is the client\'s home.')
    needs_carer: bool = False
    window: AppointmentWindow = Field(default_factory=AppointmentWindow)
    current: list[Booking] = Field(default_factory=list, description="Today's bookings.")
    pinned: list[Booking] | None = Field(None, description="These must stay exactly so.")
    optional: bool = False
    bring: str | None = Field(None, description="What to bring, shown in calendar feeds.")


class MatrixEntry(ContractModel):
    """A measured journey between two venues by one mode."""

    from_: Id = Field(alias="from")
    to: Id
    mode: TravelMode
    minutes: int = Field(ge=0)
    cost: float | None = Field(None, ge=0, description="Default: distance x cost_per_km.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Travel(ContractModel):
    """Speeds, costs and measured journeys."""

    speed_kmh: dict[TravelMode, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    cost_per_km: dict[TravelMode, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    detour_factor: float = Field(1.3, ge=1)
    matrix: list[MatrixEntry] = Field(default_factory=list)


class Weights(ContractModel):
    """Weights of the objective's terms; a term left out keeps its documented default."""

    trips: float | None = Field(None, ge=0)
    appointment_days: float | None = Field(None, ge=0)
    family_travel_minutes: float | None = Field(None, ge=0)
    family_travel_cost: float | None = Field(None, ge=0)
    distinct_people: float | None = Field(None, ge=0)
    outside_preferred_windows: float | None = Field(None, ge=0)
    avoided_days: float | None = Field(None, ge=0)
    waiting_minutes: float | None = Field(None, ge=0)
    disruption: float | None = Field(None, ge=0)
    practitioner_travel_minutes: float | None = Field(None, ge=0)
    dropped_optional: float | None = Field(None, ge=0)


class SolverOptions(ContractModel):
    """Search settings."""

    time_limit_s: float = Field(30, gt=0, le=3600)
    workers: int = Field(0, ge=0, le=64, description="0: as many as the machine has.")
    seed: int = Field(0, ge=0)


class ScenarioDoc(ContractModel):
    """A whole scenario: everything the engine needs to lay out one weekly pattern."""

    horizon: Horizon
    venues: list[Venue] = Field(min_length=1)
    clients: list[Client] = Field(min_length=1)
    carers: list[Carer] = Field(default_factory=list)
    practitioners: list[Practitioner] = Field(default_factory=list)
    appointments: list[Appointment] = Field(min_length=1)
    travel: Travel = Field(default_factory=Travel)
    weights: Weights = Field(default_factory=Weights)
    solver: SolverOptions = Field(default_factory=SolverOptions)
    name: str | None = Field(None, description="A title for people.")
    description: str | None = None
