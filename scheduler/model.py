"""The scenario inside the engine: immutable, integer minutes, references resolved to indices.

Built only by :func:`scheduler.loader.load_scenario`, which guarantees every invariant
documented here (ids exist, windows end after they start, a home venue is of kind home).
Days are 0 (Monday) to 6 (Sunday); weeks are 0-based; times are minutes after midnight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from scheduler.clock import DAYS
from scheduler.weights import Weights

TravelMode = Literal["car", "public", "walk", "taxi"]
Clustering = Literal["prefer", "avoid", "neutral"]
Supervision = Literal["none", "escort", "always"]
"""``none``: may be alone and travel alone; ``escort``: never travels alone; ``always``:
never left alone by the plan (rules 9 and 10 of ``docs/format.md``)."""
PersonKind = Literal["client", "carer", "practitioner"]
"""Who a day plan or an itinerary belongs to."""


@dataclass(frozen=True, order=True)
class Span:
    """A half-open span ``[start, end)`` of minutes after midnight."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        """Length in minutes."""
        return self.end - self.start

    def contains(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` lies inside this span."""
        return self.start <= start and end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` shares at least a minute with this span."""
        return start < self.end and self.start < end


@dataclass(frozen=True)
class WeeklyHours:
    """Hours by day (index 0 = Monday); a day with no spans is closed."""

    days: tuple[tuple[Span, ...], ...]

    def on(self, day: int) -> tuple[Span, ...]:
        """The spans of ``day``."""
        return self.days[day]

    def contains(self, day: int, start: int, end: int) -> bool:
        """True when ``[start, end)`` on ``day`` lies inside one span."""
        return any(span.contains(start, end) for span in self.days[day])


@dataclass(frozen=True)
class Horizon:
    """The pattern's calendar frame."""

    start: date
    weeks: int
    timezone: str
    day_start: int
    day_end: int
    slot: int
    repeat_until: date | None = None
    exclude_dates: tuple[date, ...] = ()

    @property
    def days(self) -> int:
        """Days in the pattern (7 or 14)."""
        return 7 * self.weeks


@dataclass(frozen=True)
class Venue:
    """A place; ``open`` is None when it has no restriction (always for a home)."""

    index: int
    id: str
    name: str
    kind: str
    lat: float | None
    lon: float | None
    address: str | None
    open: WeeklyHours | None
    rooms: int

    @property
    def is_home(self) -> bool:
        """True for a client's home."""
        return self.kind == "home"

    def is_open(self, day: int, start: int, end: int) -> bool:
        """True when the venue is open for all of ``[start, end)`` on ``day``."""
        return self.open is None or self.open.contains(day, start, end)


@dataclass(frozen=True)
class Routine:
    """A fixed routine (``duration`` None) or a flexible one (``duration`` free minutes).

    ``at`` is the routine's place: where a fixed routine holds the client, and where a
    flexible routine's minutes are spent unless ``anywhere`` (a flexible routine given no
    place: its minutes may be taken wherever the client neither has a session nor
    travels). ``supervised`` (fixed routines only): the place looks after the client.
    """

    name: str
    days: frozenset[int]
    span: Span
    at: int
    allows_sessions: bool
    duration: int | None
    supervised: bool = False
    anywhere: bool = False

    @property
    def is_fixed(self) -> bool:
        """True when the client is held at ``at`` for the whole span."""
        return self.duration is None

    @property
    def place(self) -> int | None:
        """Where the routine is spent: ``at``, or None for a flexible routine taken anywhere."""
        return None if self.anywhere else self.at


@dataclass(frozen=True)
class ClientLimits:
    """Load limits of a client (None: no limit)."""

    max_sessions_per_day: int | None = None
    max_session_minutes_per_day: int | None = None
    max_days_per_week: int | None = None
    max_people_per_week: int | None = None
    min_gap_minutes: int | None = None


@dataclass(frozen=True)
class Preferences:
    """Soft wishes of a client."""

    same_day_clustering: Clustering = "prefer"
    avoid_days: frozenset[int] = frozenset()
    preferred_windows: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Client:
    """A person the appointments are for."""

    index: int
    id: str
    name: str
    household: str
    home: int
    travel_mode: TravelMode
    carers: tuple[int, ...]
    routines: tuple[Routine, ...]
    limits: ClientLimits
    preferences: Preferences
    needs: tuple[str, ...] = ()
    supervision: Supervision = "none"

    def fixed_routines_on(self, day: int) -> tuple[Routine, ...]:
        """The fixed routines of ``day`` (0 = Monday), earliest first."""
        return tuple(
            sorted(
                (r for r in self.routines if r.is_fixed and day in r.days),
                key=lambda r: r.span,
            )
        )

    def flexible_routines_on(self, day: int) -> tuple[Routine, ...]:
        """The flexible routines of ``day``."""
        return tuple(r for r in self.routines if not r.is_fixed and day in r.days)


@dataclass(frozen=True)
class Carer:
    """Someone who escorts clients; their day starts and ends at ``home``."""

    index: int
    id: str
    name: str
    travel_mode: TravelMode
    available: WeeklyHours | None
    home: int

    def is_available(self, day: int, start: int, end: int) -> bool:
        """True when free for all of ``[start, end)`` on ``day``."""
        return self.available is None or self.available.contains(day, start, end)


@dataclass(frozen=True)
class Busy:
    """A practitioner's other commitment; ``week`` None means every week."""

    day: int
    week: int | None
    span: Span
    venue: int | None
    label: str

    def applies(self, week: int) -> bool:
        """True when the entry is in force in pattern ``week`` (0-based)."""
        return self.week is None or self.week == week


@dataclass(frozen=True)
class PractitionerLimits:
    """Load limits of a practitioner (None: no limit)."""

    max_sessions_per_day: int | None = None
    max_session_minutes_per_day: int | None = None


@dataclass(frozen=True)
class Practitioner:
    """Someone who holds sessions."""

    index: int
    id: str
    name: str
    role: str | None
    agency: str | None
    available: WeeklyHours | None
    venues: frozenset[int]
    home_visits: bool
    base: int | None
    travel_mode: TravelMode
    busy: tuple[Busy, ...]
    limits: PractitionerLimits
    also_roles: frozenset[str] = frozenset()

    def takes(self, role: str) -> bool:
        """True when the practitioner can take ``role``: their ``role`` or one of ``also_roles``."""
        return role == self.role or role in self.also_roles

    def is_available(self, day: int, start: int, end: int) -> bool:
        """True when ``available`` covers all of ``[start, end)`` on ``day``."""
        return self.available is None or self.available.contains(day, start, end)

    def busy_on(self, week: int, day: int) -> tuple[Busy, ...]:
        """Busy entries in force on ``day`` of ``week``."""
        return tuple(b for b in self.busy if b.day == day and b.applies(week))


@dataclass(frozen=True)
class Booking:
    """A session fixed in time and place (today's booking or a pin); ``week`` None: every week."""

    week: int | None
    day: int
    start: int
    venue: int
    practitioners: tuple[int, ...] | None
    carer: int | None

    def weeks(self, pattern_weeks: int) -> tuple[int, ...]:
        """The pattern weeks (0-based) this booking stands in."""
        return tuple(range(pattern_weeks)) if self.week is None else (self.week,)


@dataclass(frozen=True)
class Frequency:
    """``per_week`` sessions on different days ``min_days_apart`` apart, or one every ``every_weeks``."""

    per_week: int | None
    min_days_apart: int
    every_weeks: int | None

    def sessions_in(self, weeks: int) -> int:
        """Sessions in a pattern of ``weeks`` weeks."""
        if self.every_weeks is not None:
            return weeks // self.every_weeks
        assert self.per_week is not None
        return self.per_week * weeks


@dataclass(frozen=True)
class After:
    """A sequence: each session starts ``min_gap`` to ``max_gap`` minutes after the start of a
    session of ``appointment`` (an index) on the same pattern day."""

    appointment: int
    min_gap: int
    max_gap: int


@dataclass(frozen=True)
class Appointment:
    """A recurring session for one client; ``venues`` are venue indices (home resolved)."""

    index: int
    id: str
    client: int
    title: str
    service: str | None
    agency: str | None
    duration: int
    frequency: Frequency
    practitioners: tuple[int, ...]
    role: str | None
    venues: tuple[int, ...]
    needs_carer: bool
    window_days: frozenset[int]
    earliest: int
    latest: int
    current: tuple[Booking, ...]
    pinned: tuple[Booking, ...]
    optional: bool
    bring: str | None = None
    roles: tuple[str, ...] = ()
    """A joint session by roles: one distinct practitioner per entry, chosen per session."""
    after: After | None = None
    start_by: int | None = None
    """Soft latest start (minutes after midnight): a later start is late by the difference."""

    @property
    def is_role_pool(self) -> bool:
        """True when any one practitioner with ``role`` may take it."""
        return self.role is not None

    @property
    def is_joint_by_roles(self) -> bool:
        """True when each session has one practitioner per entry of ``roles``."""
        return bool(self.roles)

    def lateness(self, start: int) -> int:
        """Minutes a session starting at ``start`` is late (0 without ``start_by``)."""
        return 0 if self.start_by is None else max(0, start - self.start_by)


@dataclass(frozen=True)
class MatrixTrip:
    """A measured journey from one venue to another by one mode."""

    minutes: int
    cost: float | None


@dataclass(frozen=True)
class TravelSettings:
    """Speeds (km/h), costs per km and measured journeys keyed by (from, to, mode)."""

    speed_kmh: Mapping[str, float]
    cost_per_km: Mapping[str, float]
    detour_factor: float
    matrix: Mapping[tuple[int, int, str], MatrixTrip]


@dataclass(frozen=True)
class SolverSettings:
    """Search settings."""

    time_limit_s: float = 30.0
    workers: int = 0
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    """A whole scenario, validated and indexed."""

    horizon: Horizon
    venues: tuple[Venue, ...]
    clients: tuple[Client, ...]
    carers: tuple[Carer, ...]
    practitioners: tuple[Practitioner, ...]
    appointments: tuple[Appointment, ...]
    travel: TravelSettings
    weights: Weights
    solver: SolverSettings
    name: str = ""
    venue_index: Mapping[str, int] = field(default_factory=dict)
    client_index: Mapping[str, int] = field(default_factory=dict)
    carer_index: Mapping[str, int] = field(default_factory=dict)
    practitioner_index: Mapping[str, int] = field(default_factory=dict)
    appointment_index: Mapping[str, int] = field(default_factory=dict)

    def days(self) -> range:
        """Global day indices of the pattern: ``week * 7 + day``."""
        return range(self.horizon.days)

    def appointments_of(self, client: int) -> tuple[Appointment, ...]:
        """The appointments of client ``client``."""
        return tuple(a for a in self.appointments if a.client == client)

    def joined(self, appointment: Appointment) -> bool:
        """True when ``appointment`` follows another one closely enough that their sessions may
        overlap (``after.min_gap`` less than the first one's duration): they are then held at
        one venue as one stop (``docs/rules.md``, sequences)."""
        after = appointment.after
        return after is not None and after.min_gap < self.appointments[after.appointment].duration

    def clients_of_carer(self, carer: int) -> tuple[Client, ...]:
        """The clients ``carer`` can escort."""
        return tuple(c for c in self.clients if carer in c.carers)


def day_name(day: int) -> str:
    """``"mon"`` for 0 ... ``"sun"`` for 6."""
    return DAYS[day]
