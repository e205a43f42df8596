"""Pre-solve: every way a session could happen, before the CP model sees it.

For each appointment and pattern day, each venue, practitioner choice (the listed ones, or
one per practitioner of a role), carer and placement (a separate stop, or inside a routine
at its own venue) becomes an :class:`Option` with the start times that keep every rule that
does not depend on other sessions: window, day bounds and the journey from and to the
person's depot, venue hours, availability, busy entries and fixed routines. Options with no
start left are dropped, and the facts that removed them are kept, so that an appointment
with no possible slot can be explained day by day.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from scheduler.clock import DAY_NAMES, span_label
from scheduler.model import Appointment, Client, Scenario, Span, WeeklyHours
from scheduler.schedule import PlacedSession
from scheduler.solver import starts as st
from scheduler.solver.cpsat import Budget
from scheduler.solver.starts import Starts
from scheduler.travel import Journey, Travel


@dataclass(frozen=True)
class Option:
    """One way a session of ``appointment`` can happen on one pattern day.

    ``inside`` is the index (in the client's ``routines``) of the fixed routine the session
    sits inside, at that routine's own venue, or None for a session that is its own stop.
    ``slots`` are the allowed start slot numbers (start minute = slot number x slot length).
    """

    index: int
    appointment: int
    week: int
    day: int
    venue: int
    practitioners: tuple[int, ...]
    carer: int | None
    inside: int | None
    slots: Starts

    @property
    def pattern_day(self) -> int:
        """``week * 7 + day``."""
        return self.week * 7 + self.day

    def placed(self, scenario: Scenario, slot_number: int) -> PlacedSession:
        """The session of this option starting at ``slot_number`` (occurrence not yet numbered)."""
        start = slot_number * scenario.horizon.slot
        return PlacedSession(
            week=self.week,
            day=self.day,
            start=start,
            end=start + scenario.appointments[self.appointment].duration,
            appointment=self.appointment,
            occurrence=0,
            venue=self.venue,
            practitioners=self.practitioners,
            carer=self.carer,
        )


@dataclass
class Presolved:
    """The options of a scenario, grouped, and why days were lost."""

    options: list[Option] = field(default_factory=list)
    by_appointment_day: dict[tuple[int, int], list[Option]] = field(default_factory=dict)
    lost_days: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    """(appointment, pattern day) -> the simplest sets of facts that left no slot that day."""

    @classmethod
    def of(cls, options: Sequence[Option]) -> Presolved:
        """These options, grouped (no lost days)."""
        out = cls()
        for o in options:
            out.options.append(o)
            out.by_appointment_day.setdefault((o.appointment, o.pattern_day), []).append(o)
        return out

    def subset(self, appointments: set[int]) -> Presolved:
        """The options of ``appointments`` only (option indices are kept)."""
        return Presolved(
            options=[o for o in self.options if o.appointment in appointments],
            by_appointment_day={k: v for k, v in self.by_appointment_day.items() if k[0] in appointments},
            lost_days={k: v for k, v in self.lost_days.items() if k[0] in appointments},
        )

    def options_on(self, appointment: int, pattern_day: int) -> list[Option]:
        """The options of ``appointment`` on ``pattern_day``."""
        return self.by_appointment_day.get((appointment, pattern_day), [])


def hours_text(hours: WeeklyHours) -> str:
    """``"Mon 09:00-17:00, Thu 09:00-13:00"``: the days and hours of a weekly map."""
    parts = []
    for day, spans in enumerate(hours.days):
        if spans:
            parts.append(f"{DAY_NAMES[day][:3]} " + ", ".join(span_label(s.start, s.end) for s in spans))
    return "; ".join(parts) if parts else "never"


Step = Callable[[Starts], Starts]


class _Narrowing:
    """The allowed starts of one candidate, narrowed rule by rule, each cut with its fact."""

    def __init__(
        self, starts: Starts, steps: Sequence[tuple[str, Step]] = (), initial: Starts | None = None
    ) -> None:
        self.initial = starts if initial is None else initial
        self.starts = starts
        self.steps = list(steps)

    def branch(self) -> _Narrowing:
        """A copy to narrow further on its own."""
        return _Narrowing(self.starts, self.steps, self.initial)

    def apply(self, step: Step, fact: str) -> bool:
        """Narrow by ``step``; keep ``fact`` if it removed anything. False once nothing is left."""
        new = step(self.starts)
        if new != self.starts:
            self.steps.append((fact, step))
            self.starts = new
        return bool(self.starts)

    def reasons(self, slot: int) -> list[str]:
        """The facts that left no start on the ``slot``-minute grid: only those without which
        some start would remain (a deletion filter, so that a reason names what matters)."""
        kept = list(self.steps)
        for step in list(kept):
            trial = [s for s in kept if s is not step]
            if not st.slots(_replay(self.initial, trial), slot):
                kept = trial
        facts = [fact for fact, _ in kept]
        if _replay(self.initial, kept):
            facts.append(f"no start is left on the {slot}-minute grid")
        return facts


def _minutes_text(journey: Journey | None) -> str:
    return "no known journey" if journey is None else f"{journey.minutes} min"


def _replay(starts: Starts, steps: Sequence[tuple[str, Step]]) -> Starts:
    for _, step in steps:
        starts = step(starts)
    return starts


class Presolver:
    """Builds the :class:`Presolved` options of one scenario."""

    def __init__(self, scenario: Scenario, travel: Travel) -> None:
        self.s = scenario
        self.travel = travel
        self.metric_modes = {
            mode
            for mode in ("car", "public", "walk", "taxi")
            if not any(k[2] == mode for k in scenario.travel.matrix)
        }
        self.result = Presolved()

    def run(self, budget: Budget) -> Presolved:
        """Enumerate every option of every appointment (checking ``budget`` between them)."""
        for appt in self.s.appointments:
            budget.check()
            for week in range(self.s.horizon.weeks):
                for day in range(7):
                    self._appointment_day(appt, week, day)
        return self.result

    def _appointment_day(self, appt: Appointment, week: int, day: int) -> None:
        g = week * 7 + day
        if day not in appt.window_days:
            return
        facts: list[tuple[int, list[str]]] = []
        found = False
        for venue in appt.venues:
            for pracs in self._practitioner_choices(appt):
                refusal = self._venue_refusal(appt, venue, pracs)
                if refusal is not None:
                    facts.append((venue, [refusal]))
                    continue
                for carer in self._carer_choices(appt, venue):
                    for inside, narrowing in self._placements(appt, week, day, venue, pracs, carer):
                        if not self._escorted_as_needed(appt, venue, carer, inside):
                            continue
                        slots = st.slots(narrowing.starts, self.s.horizon.slot)
                        if slots:
                            self._add(appt, week, day, venue, pracs, carer, inside, slots)
                            found = True
                        else:
                            facts.append((venue, narrowing.reasons(self.s.horizon.slot)))
        if not found:
            self.result.lost_days[(appt.index, g)] = _simplest(facts)

    def _practitioner_choices(self, appt: Appointment) -> Iterator[tuple[int, ...]]:
        if appt.roles:
            yield from _takers(self.s, appt.roles)
            return
        if appt.role is None:
            yield appt.practitioners
            return
        for p in self.s.practitioners:
            if p.takes(appt.role):
                yield (p.index,)

    def _carer_choices(self, appt: Appointment, venue: int) -> Sequence[int | None]:
        """Who may escort: a carer when the appointment needs one; a supervised client going
        out (rule 9) has one unless the session turns out to be inside a routine."""
        client = self.s.clients[appt.client]
        if appt.needs_carer:
            return client.carers
        if client.supervision != "none" and venue != client.home:
            return (None, *client.carers)
        return (None,)

    def _escorted_as_needed(
        self, appt: Appointment, venue: int, carer: int | None, inside: int | None
    ) -> bool:
        """False for a placement that does not match its escort: a supervised client's session
        as a stop away from home needs a carer (rule 9), one inside a routine needs none (unless
        the appointment does)."""
        client = self.s.clients[appt.client]
        if appt.needs_carer or client.supervision == "none" or venue == client.home:
            return True
        return (carer is None) == (inside is not None)

    def _venue_refusal(self, appt: Appointment, venue: int, pracs: tuple[int, ...]) -> str | None:
        place = self.s.venues[venue]
        is_home = venue == self.s.clients[appt.client].home
        for p in pracs:
            prac = self.s.practitioners[p]
            if is_home and not prac.home_visits:
                return f"{prac.name} does not do home visits"
            if not is_home and venue not in prac.venues:
                return f"{prac.name} does not work at {place.name}"
        return None

    def _placements(
        self, appt: Appointment, week: int, day: int, venue: int, pracs: tuple[int, ...], carer: int | None
    ) -> Iterator[tuple[int | None, _Narrowing]]:
        client = self.s.clients[appt.client]
        common = self._common(appt, week, day, venue, pracs, carer)
        if not common.starts:
            yield None, common
            return
        for k, routine in enumerate(client.routines):
            if routine.is_fixed and routine.allows_sessions and routine.at == venue and day in routine.days:
                n = common.branch()
                n.apply(
                    partial(_keep_inside, spans=(routine.span,), duration=appt.duration),
                    f"{client.name}'s {routine.name} is {span_label(routine.span.start, routine.span.end)}",
                )
                yield k, n
        yield None, self._as_stop(appt, client, day, venue, common)

    def _common(
        self, appt: Appointment, week: int, day: int, venue: int, pracs: tuple[int, ...], carer: int | None
    ) -> _Narrowing:
        """Window, day bounds, venue hours, practitioners and carer: rules of every placement."""
        h = self.s.horizon
        d = appt.duration
        dayname = DAY_NAMES[day]
        n = _Narrowing(st.between(max(appt.earliest, h.day_start), min(appt.latest, h.day_end) - d))
        place = self.s.venues[venue]
        if place.open is not None and not n.apply(
            partial(_keep_inside, spans=place.open.on(day), duration=d),
            _hours_fact(place.name, "is open", "is closed", place.open.on(day), dayname),
        ):
            return n
        for p in pracs:
            prac = self.s.practitioners[p]
            if prac.available is not None and not n.apply(
                partial(_keep_inside, spans=prac.available.on(day), duration=d),
                _hours_fact(prac.name, "works", "does not work", prac.available.on(day), dayname),
            ):
                return n
            for busy in prac.busy_on(week, day):
                if not n.apply(
                    partial(st.avoiding, blocked=busy.span, duration=d),
                    f"{prac.name} is busy ({busy.label}) {span_label(busy.span.start, busy.span.end)}",
                ):
                    return n
            if prac.base is not None and not n.apply(
                partial(self._depot_bounds, depot=prac.base, venue=venue, mode=prac.travel_mode, duration=d),
                f"{prac.name}'s journey from {self.s.venues[prac.base].name} to {place.name}",
            ):
                return n
        if carer is not None:
            person = self.s.carers[carer]
            if person.available is not None and not n.apply(
                partial(_keep_inside, spans=person.available.on(day), duration=d),
                _hours_fact(person.name, "is free", "is not free", person.available.on(day), dayname),
            ):
                return n
            n.apply(
                partial(
                    self._depot_bounds, depot=person.home, venue=venue, mode=person.travel_mode, duration=d
                ),
                f"{person.name}'s journey from {self.s.venues[person.home].name} to {place.name}",
            )
        return n

    def _as_stop(
        self, appt: Appointment, client: Client, day: int, venue: int, common: _Narrowing
    ) -> _Narrowing:
        """A session that is its own stop: in a gap between the day's fixed routines, with the
        journeys from the stop before it and to the stop after it (home at either end)."""
        n = common.branch()
        fixed = client.fixed_routines_on(day)
        for routine in fixed:
            if not n.apply(
                partial(st.avoiding, blocked=routine.span, duration=appt.duration),
                f"{client.name}'s {routine.name} is {span_label(routine.span.start, routine.span.end)}",
            ):
                return n
        if client.travel_mode not in self.metric_modes or client.supervision != "none":
            # A supervised client travels by their carer's mode, and may go home between stops.
            return n
        h = self.s.horizon
        stops = [(h.day_start, h.day_start, client.home), *((r.span.start, r.span.end, r.at) for r in fixed)]
        stops.append((h.day_end, h.day_end, client.home))
        gaps: list[tuple[int, int]] = []
        for (_, prev_end, prev_place), (next_start, _, next_place) in itertools.pairwise(stops):
            there = self.travel.find(prev_place, venue, client.travel_mode)
            back = self.travel.find(venue, next_place, client.travel_mode)
            if there is None or back is None:
                # Metric travel: a venue without coordinates is reached from nowhere else.
                continue
            gaps.extend(st.between(prev_end + there.minutes, next_start - back.minutes - appt.duration))
        n.apply(partial(st.intersect, b=st.union(gaps)), self._journeys_fact(client, day, venue))
        return n

    def _journeys_fact(self, client: Client, day: int, venue: int) -> str:
        """``"Finley travels by walk: home to Hospital 25 min, Redwell School to Hospital 70 min"``."""
        places = [client.home, *(r.at for r in client.fixed_routines_on(day))]
        mode = client.travel_mode
        there = self.s.venues[venue].name
        legs = ", ".join(
            f"{self._place_name(client, p)} to {there} {_minutes_text(self.travel.find(p, venue, mode))}"
            for p in dict.fromkeys(places)
            if p != venue
        )
        return f"{client.name} travels by {mode}: {legs}"

    def _place_name(self, client: Client, venue: int) -> str:
        return "home" if venue == client.home else self.s.venues[venue].name

    def _depot_bounds(self, starts: Starts, *, depot: int, venue: int, mode: str, duration: int) -> Starts:
        """Leave the depot no earlier than day_start and be back by day_end.

        Valid for a stop anywhere in the day only when travel is metric (no measured
        journeys for the mode), since then no detour is shorter than the direct journey.
        """
        if depot == venue or mode not in self.metric_modes:
            return starts
        there, back = self.travel.find(depot, venue, mode), self.travel.find(venue, depot, mode)
        if there is None or back is None:
            return starts  # no journey: only fixed stops at the venue can lead there (the circuit decides)
        h = self.s.horizon
        return st.intersect(
            starts, st.between(h.day_start + there.minutes, h.day_end - back.minutes - duration)
        )

    def _add(
        self,
        appt: Appointment,
        week: int,
        day: int,
        venue: int,
        pracs: tuple[int, ...],
        carer: int | None,
        inside: int | None,
        slots: Starts,
    ) -> None:
        option = Option(
            index=len(self.result.options),
            appointment=appt.index,
            week=week,
            day=day,
            venue=venue,
            practitioners=pracs,
            carer=carer,
            inside=inside,
            slots=slots,
        )
        self.result.options.append(option)
        self.result.by_appointment_day.setdefault((appt.index, option.pattern_day), []).append(option)


def _takers(scenario: Scenario, roles: Sequence[str]) -> Iterator[tuple[int, ...]]:
    """Every set of distinct practitioners (in index order) that can take ``roles``, one each."""
    pools = [[p.index for p in scenario.practitioners if p.takes(role)] for role in roles]
    seen: set[tuple[int, ...]] = set()
    for people in itertools.product(*pools):
        team = tuple(sorted(people))
        if len(set(team)) == len(team) and team not in seen:
            seen.add(team)
            yield team


def _keep_inside(starts: Starts, *, spans: Sequence[Span], duration: int) -> Starts:
    return st.intersect(starts, st.inside(spans, duration))


def _hours_fact(subject: str, verb: str, negative: str, spans: Sequence[Span], dayname: str) -> str:
    """``"Ana works 09:00-13:00 on Thursday"`` or ``"Ana does not work on Tuesday"``."""
    if not spans:
        return f"{subject} {negative} on {dayname}"
    return f"{subject} {verb} {', '.join(span_label(s.start, s.end) for s in spans)} on {dayname}"


def _simplest(chains: Sequence[tuple[int, Sequence[str]]]) -> list[str]:
    """For each venue, its shortest chain of facts as one sentence, without repeats."""
    best: dict[int, Sequence[str]] = {}
    for venue, chain in chains:
        if venue not in best or len(chain) < len(best[venue]):
            best[venue] = chain
    return list(dict.fromkeys(" and ".join(chain) for chain in best.values()))


def presolve(scenario: Scenario, travel: Travel, budget: Budget) -> Presolved:
    """Every option of every appointment of ``scenario`` (see the module's docstring); raises
    :class:`~scheduler.solver.cpsat.SolveInterruptedError` when ``budget`` runs out first."""
    return Presolver(scenario, travel).run(budget)
