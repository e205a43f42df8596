"""The scenario document of the format (``docs/format.md``), field by field.

These pydantic models are the boundary: they check types, forbid unknown fields and check
every value that can be judged on its own (a time of day, a window that ends after it
starts, a number inside its range of :mod:`scheduler.contract.bounds`). Numbers and
booleans are strict: ``"60"`` is not a number and ``1`` is not ``true``. Checks that need
the whole document (ids that must exist, a start that must be a Monday) are made by
:mod:`scheduler.loader`, which also turns the document into the immutable, integer-based
:class:`scheduler.model.Scenario`.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from scheduler.clock import parse_time
from scheduler.contract import bounds as b
from scheduler.contract.errors import did_you_mean

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TravelMode = Literal["car", "public", "walk", "taxi"]
VenueKind = Literal["clinic", "hospital", "home", "school", "community", "other"]
Clustering = Literal["prefer", "avoid", "neutral"]
Supervision = Literal["none", "escort", "always"]

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


def quoted(text: str, limit: int = 60) -> str:
    """``text`` in double quotes with JSON escapes (line breaks, control characters, lone
    surrogates shown as ``\\uXXXX``), shortened to about ``limit`` characters: safe to print."""
    shown = json.dumps(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + '..."'


_CONTROL = r"\u0000-\u001f\u007f-\u009f\u2028\u2029"
"""Control characters and line or paragraph separators: not in one line of text."""
_TEXT_CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
"""Control characters but tab, line feed and carriage return: not in free text."""
ID_PATTERN = rf"^[^\s{_CONTROL}]([^{_CONTROL}]*[^\s{_CONTROL}])?$"
"""An id: one line of text without control characters that neither starts nor ends with a space."""
LABEL_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
"""A label: one line of text without control characters, not blank."""
TEXT_PATTERN = rf"^[^{_TEXT_CONTROL}]*$"
"""Free text: any text but control characters; tabs and line breaks are allowed."""


def _text_checker(pattern: str, forbidden: str, what: str) -> Any:
    """A validator of text meeting ``pattern``, whose message names the first fault: blank
    text, a character of the class ``forbidden``, or spaces at the ends. (Pydantic itself
    rejects text with a lone surrogate, which is not Unicode.)"""
    whole, bad_char = re.compile(pattern), re.compile(f"[{forbidden}]")

    def check(text: str) -> str:
        if whole.match(text):
            return text
        if not text.strip():
            raise ValueError(f"{quoted(text)} is blank")
        bad = bad_char.search(text)
        if bad is not None:
            raise ValueError(
                f"{quoted(text)} contains the control character U+{ord(bad.group()):04X}; {what}"
            )
        raise ValueError(f"{quoted(text)} starts or ends with a space; {what}")

    return AfterValidator(check)


Id = Annotated[
    str,
    Field(min_length=1, max_length=b.ID_LENGTH_MAX, json_schema_extra={"pattern": ID_PATTERN}),
    _text_checker(ID_PATTERN, _CONTROL, "an id is one line of text without spaces at its ends"),
]
"""An id, or a word other fields must match exactly (a role, a service, a household)."""

Label = Annotated[
    str,
    Field(min_length=1, max_length=b.ID_LENGTH_MAX, json_schema_extra={"pattern": LABEL_PATTERN}),
    _text_checker(LABEL_PATTERN, _CONTROL, "a name is one line of text"),
]
"""A name for people (of a person, a place, a routine): one line, not blank."""

FreeText = Annotated[
    str,
    Field(max_length=b.TEXT_LENGTH_MAX, json_schema_extra={"pattern": TEXT_PATTERN}),
    _text_checker(TEXT_PATTERN, _TEXT_CONTROL, "only tabs and line breaks are allowed"),
]
"""Text for people that may run over several lines (a description, an address)."""

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _parse_date(value: object) -> object:
    """A ``"YYYY-MM-DD"`` string (or a ``date``) inside the format's years, as a ``date``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _DATE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f'"{value}" is not a date of the calendar') from None
    else:
        shown = quoted(value) if isinstance(value, str) else json.dumps(value, default=str)[:60]
        raise ValueError(f'{shown} is not a date (expected "YYYY-MM-DD")')
    if not b.DATE_MIN <= day <= b.DATE_MAX:
        raise ValueError(
            f"{day.isoformat()} is outside the years {b.DATE_MIN.year}-{b.DATE_MAX.year} the format covers"
        )
    return day


IsoDate = Annotated[
    date,
    BeforeValidator(_parse_date),
    Field(
        description=f"An ISO date from {b.DATE_MIN.isoformat()} to {b.DATE_MAX.isoformat()}.",
        examples=["2027-01-04"],
    ),
]
"""A calendar date ``"YYYY-MM-DD"`` from :data:`~bounds.DATE_MIN` to :data:`~bounds.DATE_MAX`."""


@cache
def time_zones() -> frozenset[str]:
    """Every IANA time zone name this machine knows (the files ``localtime`` and
    ``posixrules`` are not zone names)."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules"})


def _check_timezone(name: str) -> str:
    if name in time_zones():
        return name
    inside = sorted(z for z in time_zones() if z.startswith(name + "/"))
    if inside:
        raise ValueError(
            f'{quoted(name)} is a region, not a time zone: name one of its zones, e.g. "{inside[0]}"'
        )
    hint = did_you_mean(name, sorted(time_zones()))
    raise ValueError(f'{quoted(name)} is not an IANA time zone (e.g. "Europe/London"){hint}')


TimeZone = Annotated[
    str,
    Field(min_length=1, max_length=b.ID_LENGTH_MAX, examples=["Europe/London"]),
    _text_checker(ID_PATTERN, _CONTROL, "a time zone is a name such as Europe/London"),
    AfterValidator(_check_timezone),
]
"""An IANA time zone name such as ``Europe/London``."""


def _count(upper: int, default: Any = None, lower: int = 0, **info: Any) -> Any:
    """A strict integer field from ``lower`` to ``upper`` (``default`` ``...``: required)."""
    return Field(default, strict=True, ge=lower, le=upper, **info)


def _real(upper: float, default: Any = None, lower: float = 0, **info: Any) -> Any:
    """A strict, finite number field from ``lower`` to ``upper`` (an integer is a number too)."""
    return Field(default, strict=True, allow_inf_nan=False, ge=lower, le=upper, **info)


Flag = Annotated[bool, Field(strict=True)]
"""``true`` or ``false``: neither ``1`` nor ``"yes"``."""


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

    start: IsoDate = Field(description="First day of the pattern; must be a Monday.")
    weeks: int = _count(2, 1, lower=1, description="Length of the repeating pattern in weeks.")
    repeat_until: IsoDate | None = Field(
        None,
        description="Feeds repeat the pattern until this date (inclusive): on or after start, "
        f"at most {b.REPEAT_YEARS_MAX} years after it.",
    )
    exclude_dates: list[IsoDate] = Field(
        default_factory=list, description="Dates the feeds leave out (holidays, closures)."
    )
    timezone: TimeZone = Field(description="IANA time zone of every wall-clock time, e.g. Europe/London.")
    day_start: TimeOfDay = Field("08:00", description="Nobody leaves home before this.")
    day_end: TimeOfDay = Field("18:00", description="Everybody is back home by this.")
    slot_minutes: int = _count(
        60, 5, lower=1, description="Session start times are multiples of this from midnight."
    )

    @model_validator(mode="after")
    def _day_bounds(self) -> Horizon:
        if parse_time(self.day_end) <= parse_time(self.day_start):
            raise ValueError(f'day_end "{self.day_end}" is not after day_start "{self.day_start}"')
        return self


class Venue(ContractModel):
    """A place where sessions happen: a clinic, a hospital, a school, a home."""

    id: Id
    name: Label | None = None
    kind: VenueKind = "clinic"
    lat: float | None = _real(90, lower=-90)
    lon: float | None = _real(180, lower=-180)
    address: FreeText | None = None
    open: WeeklyHours | None = Field(
        None, description="Opening hours; missing means no restriction. A home is always open."
    )
    rooms: int = _count(b.COUNT_MAX, 1, lower=1, description="Sessions the venue can hold at once.")


class Routine(ContractModel):
    """A fixed part of a client's day (school, nap) or a flexible one (a feed within a window)."""

    name: Label
    days: list[Day] = Field(min_length=1)
    start: TimeOfDay
    end: TimeOfDay
    at: Id | None = Field(
        None,
        description="Venue id (or home) where the client is: a fixed routine's place, default home; "
        "a flexible routine's minutes are spent there, and anywhere free when it is not given.",
    )
    allows_sessions: Flag = Field(
        False, description="Sessions at the routine's own venue may take place during it."
    )
    supervised: Flag = Field(
        False,
        description="Fixed routines only: the routine's place looks after the client "
        "(school, nursery, respite).",
    )
    duration: int | None = _count(
        b.MINUTES_PER_DAY,
        lower=1,
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

    max_sessions_per_day: int | None = _count(b.COUNT_MAX)
    max_session_minutes_per_day: int | None = _count(b.MINUTES_PER_DAY)
    max_days_per_week: int | None = _count(7)
    max_people_per_week: int | None = _count(b.COUNT_MAX)
    min_gap_minutes: int | None = _count(b.MINUTES_PER_DAY)


class Preferences(ContractModel):
    """Soft wishes: they shape the objective, never feasibility."""

    same_day_clustering: Clustering = "prefer"
    avoid_days: list[Day] = Field(default_factory=list)
    preferred_windows: list[TimeWindow] = Field(default_factory=list)


class Client(ContractModel):
    """The person the appointments are for."""

    id: Id
    name: Label | None = None
    household: Id | None = None
    home: Id = Field(description="Venue id of the client's home (a venue of kind home).")
    travel_mode: TravelMode = "public"
    carers: list[Id] = Field(default_factory=list, description="Who can escort this client.")
    routines: list[Routine] = Field(default_factory=list)
    limits: ClientLimits = Field(default_factory=ClientLimits)
    preferences: Preferences = Field(default_factory=Preferences)
    needs: list[Id] = Field(
        default_factory=list,
        description="Services the client needs (matched against appointments' service).",
    )
    supervision: Supervision = Field(
        "none",
        description="none: may be alone and travel alone; escort: never travels alone; "
        "always: never left alone by the plan.",
    )


class Carer(ContractModel):
    """A parent, relative or support worker who escorts clients."""

    id: Id
    name: Label | None = None
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
    week: int | None = _count(2, lower=1, description="Omitted: every week.")
    start: TimeOfDay
    end: TimeOfDay
    venue: Id | None = Field(None, description="Omitted: no travel rule.")
    label: Label | None = None

    @model_validator(mode="after")
    def _span(self) -> BusyEntry:
        if parse_time(self.end) <= parse_time(self.start):
            raise ValueError(f'the entry ends ("{self.end}") before it starts ("{self.start}")')
        return self


class PractitionerLimits(ContractModel):
    """Limits on a practitioner's load, every day of the pattern."""

    max_sessions_per_day: int | None = _count(b.COUNT_MAX)
    max_session_minutes_per_day: int | None = _count(b.MINUTES_PER_DAY)


class Practitioner(ContractModel):
    """A therapist, doctor, social worker or teacher who holds sessions."""

    id: Id
    name: Label | None = None
    role: Id | None = None
    also_roles: list[Id] = Field(
        default_factory=list,
        description="Further roles they can take, matched like role by appointments' role and roles.",
    )
    agency: Label | None = None
    available: WeeklyHours | None = Field(None, description="Missing means no restriction.")
    venues: list[Id] = Field(default_factory=list, description="Venues they work at.")
    home_visits: Flag = False
    base: Id | None = Field(None, description="Venue id where their day starts and ends.")
    travel_mode: TravelMode = "car"
    busy: list[BusyEntry] = Field(default_factory=list)
    limits: PractitionerLimits = Field(default_factory=PractitionerLimits)


class Frequency(ContractModel):
    """How often: ``per_week`` sessions every week, or one session every ``every_weeks`` weeks."""

    per_week: int | None = _count(7, lower=1)
    min_days_apart: int | None = _count(6, lower=1)
    every_weeks: int | None = _count(2, lower=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Frequency:
        if self.per_week is not None and self.every_weeks is not None:
            raise ValueError("give per_week or every_weeks, not both")
        if self.every_weeks is not None and self.min_days_apart is not None:
            raise ValueError("min_days_apart goes with per_week, not every_weeks")
        return self


class Booking(ContractModel):
    """A session at a fixed week, day, time and venue: today's booking or a pin."""

    week: int | None = _count(2, lower=1, description="Omitted: every week of the pattern.")
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
    start_by: TimeOfDay | None = Field(
        None,
        description="Soft latest start: a session starting after it is late by the minutes "
        "after it (objective terms total_lateness and max_lateness). Default: none.",
    )

    @model_validator(mode="after")
    def _span(self) -> AppointmentWindow:
        if (
            self.earliest is not None
            and self.latest is not None
            and parse_time(self.latest) <= parse_time(self.earliest)
        ):
            raise ValueError(f'the window ends ("{self.latest}") before it starts ("{self.earliest}")')
        return self


class After(ContractModel):
    """A sequence: every session starts ``min_gap`` to ``max_gap`` minutes after the start of a
    session of ``appointment`` on the same day."""

    appointment: Id = Field(description="Id of the appointment whose sessions come first.")
    min_gap: int = _count(b.SEQUENCE_GAP_MAX, 0, description="Fewest minutes between the starts.")
    max_gap: int = _count(b.SEQUENCE_GAP_MAX, ..., description="Most minutes between the starts.")

    @model_validator(mode="after")
    def _gaps(self) -> After:
        if self.max_gap < self.min_gap:
            raise ValueError(f"max_gap {self.max_gap} is less than min_gap {self.min_gap}")
        return self


class Appointment(ContractModel):
    """A recurring session a client needs with one or several practitioners."""

    id: Id
    client: Id
    title: Label | None = None
    service: Id | None = None
    agency: Label | None = None
    duration: int = _count(b.MINUTES_PER_DAY, ..., lower=1, description="Minutes.")
    frequency: Frequency = Field(default_factory=lambda: Frequency(per_week=1))
    practitioners: list[Id] = Field(
        default_factory=list, description="All of these attend: a joint session when several."
    )
    role: Id | None = Field(None, description="One practitioner with this role, the same for every session.")
    roles: list[Id] | None = Field(
        None,
        min_length=2,
        max_length=b.JOINT_ROLES_MAX,
        description="A joint session by roles: one practitioner per listed role (a role listed "
        "twice: two of them), distinct people, whichever are free, chosen per session.",
    )
    after: After | None = Field(
        None,
        description="A sequence: sessions start min_gap to max_gap minutes after the "
        "start of a session of another appointment of the same client on the same day.",
    )
    venues: list[Id] = Field(min_length=1, description='Venue ids; "home" is the client\'s home.')
    needs_carer: Flag = False
    window: AppointmentWindow = Field(default_factory=AppointmentWindow)
    current: list[Booking] = Field(default_factory=list, description="Today's bookings.")
    pinned: list[Booking] | None = Field(None, description="These must stay exactly so.")
    optional: Flag = False
    bring: FreeText | None = Field(None, description="What to bring, shown in calendar feeds.")


class MatrixEntry(ContractModel):
    """A measured journey between two venues by one mode."""

    from_: Id = Field(alias="from")
    to: Id
    mode: TravelMode
    minutes: int = _count(b.MATRIX_MINUTES_MAX, ...)
    cost: float | None = _real(b.MATRIX_COST_MAX, description="Default: distance x cost_per_km.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Speed = Annotated[float, _real(b.SPEED_KMH_MAX, ..., lower=b.SPEED_KMH_MIN)]
CostPerKm = Annotated[float, _real(b.COST_PER_KM_MAX, ...)]


class Travel(ContractModel):
    """Speeds, costs and measured journeys."""

    speed_kmh: dict[TravelMode, Speed] = Field(default_factory=dict)
    cost_per_km: dict[TravelMode, CostPerKm] = Field(default_factory=dict)
    detour_factor: float = _real(b.DETOUR_FACTOR_MAX, 1.3, lower=1)
    matrix: list[MatrixEntry] = Field(default_factory=list)


class Weights(ContractModel):
    """Weights of the objective's terms; a term left out keeps its documented default."""

    trips: float | None = _real(b.WEIGHT_MAX)
    appointment_days: float | None = _real(b.WEIGHT_MAX)
    family_travel_minutes: float | None = _real(b.WEIGHT_MAX)
    family_travel_cost: float | None = _real(b.WEIGHT_MAX)
    distinct_people: float | None = _real(b.WEIGHT_MAX)
    outside_preferred_windows: float | None = _real(b.WEIGHT_MAX)
    avoided_days: float | None = _real(b.WEIGHT_MAX)
    waiting_minutes: float | None = _real(b.WEIGHT_MAX)
    disruption: float | None = _real(b.WEIGHT_MAX)
    practitioner_travel_minutes: float | None = _real(b.WEIGHT_MAX)
    dropped_optional: float | None = _real(b.WEIGHT_MAX)
    accompanying_minutes: float | None = _real(b.WEIGHT_MAX)
    total_lateness: float | None = _real(b.WEIGHT_MAX)
    max_lateness: float | None = _real(b.WEIGHT_MAX)


class SolverOptions(ContractModel):
    """Search settings."""

    time_limit_s: float = Field(30, strict=True, allow_inf_nan=False, gt=0, le=b.SOLVER_SECONDS_MAX)
    workers: int = _count(b.SOLVER_WORKERS_MAX, 0, description="0: as many as the machine has.")
    seed: int = _count(b.SEED_MAX, 0)


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
    name: Label | None = Field(None, description="A title for people.")
    description: FreeText | None = None
