"""The week grid: a person's, household's or venue's sessions, journeys and routines, day by day.

Built from the validator's own day plans (:mod:`scheduler.validate.plans`), so the grid
shows the stops and journeys the rules and the objective read: a journey is drawn ending
when the next stop starts (or starting when the last stop ends, on the way back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from scheduler.clock import format_time
from scheduler.model import PersonKind, Scenario
from scheduler.schedule import PlacedSession
from scheduler.validate.household import escort_of
from scheduler.validate.plans import DayPlan, Leg, Timetable

BlockKind = Literal["session", "journey", "routine", "busy"]
SubjectKind = Literal["household", "client", "carer", "practitioner", "venue"]
GridKind = PersonKind | Literal["venue"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("household", "client", "carer", "practitioner", "venue")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROW_MINUTES = 5


@dataclass(frozen=True)
class Placed:
    """A flexible routine where a pattern puts it: client index, name, 0-based week, day, minutes."""

    client: int
    name: str
    week: int
    day: int
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """One thing drawn in a day: a session, a journey, a routine or a busy entry."""

    kind: BlockKind
    start: int
    end: int
    title: str
    detail: str
    lane: int = 0

    @property
    def behind(self) -> bool:
        """True for what is drawn behind sessions and journeys: routines and busy entries."""
        return self.kind in ("routine", "busy")

    @property
    def when(self) -> str:
        """``"09:00-09:45"``."""
        return f"{format_time(self.start)}-{format_time(self.end)}"


@dataclass(frozen=True)
class Day:
    """One day of the grid with its blocks, each in a lane so that none overlap."""

    label: str
    blocks: tuple[Block, ...]
    lanes: int


@dataclass(frozen=True)
class Grid:
    """A week (or two) of one subject: ``weeks[w]`` is the list of days shown of week ``w``."""

    weeks: tuple[tuple[Day, ...], ...]
    start: int
    end: int

    @property
    def rows(self) -> int:
        """Rows of :data:`ROW_MINUTES` from ``start`` to ``end``."""
        return (self.end - self.start) // ROW_MINUTES

    @property
    def hours(self) -> list[tuple[int, str]]:
        """``(row, "09:00")`` of each full hour shown."""
        first = -(-self.start // 60) * 60
        return [(1 + (m - self.start) // ROW_MINUTES, format_time(m)) for m in range(first, self.end, 60)]

    def row_of(self, minute: int) -> int:
        """The grid line of ``minute`` (1-based)."""
        return 1 + (min(max(minute, self.start), self.end) - self.start) // ROW_MINUTES

    def is_empty(self) -> bool:
        """True when no day has a block."""
        return not any(day.blocks for week in self.weeks for day in week)


def household_name(household: str) -> str:
    """``"hughes"`` -> ``"Hughes household"``."""
    return f"{household[:1].upper()}{household[1:]} household"


def subjects(scenario: Scenario) -> dict[SubjectKind, list[tuple[str, str]]]:
    """Every subject a grid can show, as ``(id, name)`` by kind."""
    households = sorted({c.household for c in scenario.clients})
    return {
        "household": [(h, household_name(h)) for h in households],
        "client": [(c.id, c.name) for c in scenario.clients],
        "carer": [(c.id, c.name) for c in scenario.carers],
        "practitioner": [(p.id, p.name) for p in scenario.practitioners],
        "venue": [(v.id, v.name) for v in scenario.venues],
    }


def week_grid(
    scenario: Scenario,
    t: Timetable,
    kind: GridKind,
    subject: str,
    routines: Sequence[Placed] = (),
) -> Grid:
    """The grid of one person or venue (raises ``KeyError`` for an unknown one) over the days of
    the timetable ``t`` (its sessions, who comes along to them, and stays at home between stops).

    Routines and busy entries are drawn behind the sessions and journeys (lane -1: the whole
    day's width); the weekend is shown when something other than a routine falls on it.
    """
    by_day: dict[tuple[int, int], list[Block]] = {}
    for week, day, block in _blocks(scenario, t, kind, subject, routines):
        by_day.setdefault((week, day), []).append(block)
    weekend = any(day >= 5 and any(not b.behind for b in blocks) for (_, day), blocks in by_day.items())
    weeks = []
    for week in range(scenario.horizon.weeks):
        shown = range(7) if weekend else range(5)
        label = f"Week {week + 1} " if scenario.horizon.weeks > 1 else ""
        weeks.append(tuple(_day(f"{label}{DAY_NAMES[d]}", by_day.get((week, d), [])) for d in shown))
    drawn = [b for week_days in weeks for day in week_days for b in day.blocks]
    start = min([scenario.horizon.day_start, *(b.start for b in drawn)]) // 60 * 60
    end = -(-max([scenario.horizon.day_end, *(b.end for b in drawn)]) // 60) * 60
    return Grid(tuple(weeks), start, end)


def views(scenario: Scenario, kind: SubjectKind, subject: str) -> list[tuple[GridKind, str, str]]:
    """The grids a subject is shown as, ``(kind, id, name)``: a household as one per client.

    Raises ``KeyError`` for an unknown subject.
    """
    found: list[tuple[GridKind, str, str]]
    if kind == "household":
        found = [("client", c.id, c.name) for c in scenario.clients if c.household == subject]
    else:
        found = [(kind, i, name) for i, name in subjects(scenario)[kind] if i == subject]
    if not found:
        raise KeyError(subject)
    return found


def _day(label: str, blocks: list[Block]) -> Day:
    lanes: list[int] = []
    placed = []
    for block in sorted(blocks, key=lambda b: (not b.behind, b.start, b.end, b.kind)):
        if block.behind:
            placed.append(replace(block, lane=-1))
            continue
        lane = next((i for i, free in enumerate(lanes) if free <= block.start), len(lanes))
        if lane == len(lanes):
            lanes.append(block.end)
        else:
            lanes[lane] = block.end
        placed.append(replace(block, lane=lane))
    return Day(label, tuple(placed), max(1, len(lanes)))


def _blocks(
    scenario: Scenario,
    t: Timetable,
    kind: GridKind,
    subject: str,
    routines: Sequence[Placed],
) -> Iterable[tuple[int, int, Block]]:
    if kind == "venue":
        venue = scenario.venue_index[subject]
        for s in t.sessions:
            if s.venue == venue:
                yield s.week, s.day, _session_block(scenario, s, with_client=True)
        return
    plans = [p for p in t.plans_of(kind) if p.person.id == subject]
    if not plans:
        raise KeyError(subject)
    for plan in plans:
        yield from _plan_blocks(scenario, t, plan)
        if kind == "practitioner":
            prac = scenario.practitioners[scenario.practitioner_index[subject]]
            for busy in prac.busy_on(plan.week, plan.day):
                if busy.venue is None:
                    yield (
                        plan.week,
                        plan.day,
                        Block("busy", busy.span.start, busy.span.end, busy.label, "busy"),
                    )
    if kind == "client":
        for r in routines:
            if scenario.clients[r.client].id == subject:
                yield r.week, r.day, Block("routine", r.start, r.end, r.name, "free time in one piece")


def _plan_blocks(scenario: Scenario, t: Timetable, plan: DayPlan) -> Iterable[tuple[int, int, Block]]:
    with_client = plan.person.kind != "client"
    for s in plan.sessions:
        yield plan.week, plan.day, _session_block(scenario, s, with_client=with_client)
    for stop in plan.stops:
        if stop.session is None:
            kind: BlockKind = "busy" if plan.person.kind == "practitioner" else "routine"
            where = scenario.venues[stop.place].name
            yield plan.week, plan.day, Block(kind, stop.start, stop.end, stop.label, f"at {where}")
        elif stop.companion:
            block = _session_block(scenario, stop.session, with_client=True)
            yield plan.week, plan.day, replace(block, title=f"Coming along: {block.title}")
    for leg in t.journeys.legs(plan):
        found = escort_of(t, plan, leg) if plan.person.kind == "client" else None
        mode = plan.person.mode if found is None else found[0].travel_mode
        minutes = leg.minutes if found is None else found[1].minutes
        yield plan.week, plan.day, _journey_block(scenario, leg, minutes, mode)


def _session_block(scenario: Scenario, s: PlacedSession, *, with_client: bool) -> Block:
    appt = scenario.appointments[s.appointment]
    people = [scenario.practitioners[p].name for p in s.practitioners]
    if not people and appt.role is not None:
        people = [f"a {appt.role}"]
    if s.carer is not None:
        people.append(f"with {scenario.carers[s.carer].name}")
    client = f"{scenario.clients[appt.client].name}: " if with_client else ""
    detail = f"at {scenario.venues[s.venue].name}" + (f"; {', '.join(people)}" if people else "")
    return Block("session", s.start, s.end, f"{client}{appt.title}", detail)


def _journey_block(scenario: Scenario, leg: Leg, minutes: int, mode: str) -> Block:
    """A journey of ``minutes`` by ``mode`` (a client with a carer goes by the carer's)."""
    if leg.after is not None:
        start, end = leg.after.start - minutes, leg.after.start
    else:
        assert leg.before is not None
        start, end = leg.before.end, leg.before.end + minutes
    origin, destination = scenario.venues[leg.origin].name, scenario.venues[leg.destination].name
    how = f"{minutes} min by {mode}" if leg.journey is not None else "no known journey"
    return Block("journey", start, max(end, start + ROW_MINUTES), f"{origin} to {destination}", how)
