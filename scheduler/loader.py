"""The one entry point from a scenario document to :class:`scheduler.model.Scenario`.

``load_scenario`` accepts a path, JSON text, a dict or a :class:`ScenarioDoc`, checks the
whole document and raises :class:`scheduler.errors.ScenarioError` listing every problem
with its location (``appointments[3].practitioners[0]: no practitioner "slt-anna"; did you
mean "slt-ana"?``). It never lets a traceback through for bad input.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scheduler import model as m
from scheduler.clock import DAYS, day_index, parse_time
from scheduler.contract import bounds
from scheduler.contract import scenario as doc
from scheduler.contract.errors import did_you_mean, parse_json, read_document, validate_model
from scheduler.errors import InputIssue, ScenarioError
from scheduler.travel import great_circle_km
from scheduler.weights import DEFAULT_WEIGHTS

HOME = "home"
"""In an appointment's or booking's ``venues``: the client's own home."""

DEFAULT_SPEED_KMH: Mapping[str, float] = {"car": 30, "public": 15, "walk": 4.5, "taxi": 30}
DEFAULT_COST_PER_KM: Mapping[str, float] = {"car": 0.45, "public": 0.20, "walk": 0, "taxi": 2.0}


def load_scenario(source: str | Path | bytes | Mapping[str, Any] | doc.ScenarioDoc) -> m.Scenario:
    """Parse and check a scenario, returning the engine's immutable model.

    ``source`` is a file path (``Path``, or ``str`` not starting with ``{``), JSON text or
    bytes, a dict of the JSON, or an already parsed :class:`ScenarioDoc`.
    """
    return build_scenario(parse_scenario(source))


def parse_scenario(source: str | Path | bytes | Mapping[str, Any] | doc.ScenarioDoc) -> doc.ScenarioDoc:
    """The checked contract document (types and cross-references), without building the model."""
    if isinstance(source, doc.ScenarioDoc):
        document = source
    else:
        if isinstance(source, Path) or (
            isinstance(source, str) and not source.lstrip().startswith(("{", "["))
        ):
            data = read_document(source, ScenarioError)
        elif isinstance(source, str | bytes):
            data = parse_json(source, ScenarioError)
        else:
            data = dict(source)
        document = validate_model(doc.ScenarioDoc, data, ScenarioError)
    issues = list(_Checker(document).check())
    if issues:
        raise ScenarioError(issues)
    return document


class _Checker:
    """Cross-field checks of a document whose fields are each valid on their own."""

    def __init__(self, d: doc.ScenarioDoc) -> None:
        self.d = d
        self.venues = {v.id: v for v in d.venues}
        self.clients = {c.id: c for c in d.clients}
        self.carers = {c.id: c for c in d.carers}
        self.practitioners = {p.id: p for p in d.practitioners}
        self.roles = sorted({r for p in d.practitioners for r in [p.role or "", *p.also_roles] if r})
        self.appointments = {a.id: a for a in d.appointments}

    def check(self) -> Iterable[InputIssue]:
        yield from self._horizon()
        for name in ("venues", "clients", "carers", "practitioners", "appointments"):
            yield from self._unique_ids(name, getattr(self.d, name))
        yield from self._coordinates()
        for i, venue in enumerate(self.d.venues):
            if venue.kind == "home" and venue.open is not None:
                yield InputIssue(f"venues[{i}].open", "a home is always open; leave out open")
            yield from self._hours(f"venues[{i}].open", venue.open)
        for i, client in enumerate(self.d.clients):
            yield from self._client(f"clients[{i}]", client)
        for i, carer in enumerate(self.d.carers):
            yield from self._hours(f"carers[{i}].available", carer.available)
            if carer.home is not None:
                yield from self._ref(f"carers[{i}].home", carer.home, self.venues, "venue")
        for i, prac in enumerate(self.d.practitioners):
            yield from self._practitioner(f"practitioners[{i}]", prac)
        for i, appt in enumerate(self.d.appointments):
            yield from self._appointment(f"appointments[{i}]", appt)
        yield from self._sequences()
        for i, entry in enumerate(self.d.travel.matrix):
            yield from self._ref(f"travel.matrix[{i}].from", entry.from_, self.venues, "venue")
            yield from self._ref(f"travel.matrix[{i}].to", entry.to, self.venues, "venue")

    def _horizon(self) -> Iterable[InputIssue]:
        h = self.d.horizon
        if h.start.weekday() != 0:
            yield InputIssue(
                "horizon.start",
                f"{h.start.isoformat()} is a {h.start.strftime('%A')}; the pattern starts on a Monday",
            )
        latest = years_after(h.start, bounds.REPEAT_YEARS_MAX)
        if h.repeat_until is not None and h.repeat_until < h.start:
            yield InputIssue("horizon.repeat_until", "is before horizon.start")
        elif h.repeat_until is not None and h.repeat_until > latest:
            yield InputIssue(
                "horizon.repeat_until",
                f"{h.repeat_until.isoformat()} is more than {bounds.REPEAT_YEARS_MAX} years after "
                f"horizon.start (the latest is {latest.isoformat()})",
            )
        for k, day in enumerate(h.exclude_dates):
            if not h.start <= day <= latest:
                yield InputIssue(
                    f"horizon.exclude_dates[{k}]",
                    f"{day.isoformat()} is outside the {bounds.REPEAT_YEARS_MAX} years from "
                    f"horizon.start ({h.start.isoformat()} to {latest.isoformat()})",
                )
        if parse_time(h.day_start) % h.slot_minutes or parse_time(h.day_end) % h.slot_minutes:
            yield InputIssue("horizon.slot_minutes", "day_start and day_end must be whole slots")

    def _coordinates(self) -> Iterable[InputIssue]:
        """Both of lat and lon or neither, and every venue within reach of the first one."""
        first: tuple[int, doc.Venue] | None = None
        for i, venue in enumerate(self.d.venues):
            if (venue.lat is None) != (venue.lon is None):
                yield InputIssue(f"venues[{i}]", "give both lat and lon, or neither")
                continue
            if venue.lat is None:
                continue
            if first is None:
                first = (i, venue)
                continue
            km = great_circle_km(first[1], venue)
            if km > bounds.VENUE_RADIUS_KM:
                yield InputIssue(
                    f"venues[{i}]",
                    f'lies {km:,.0f} km from venues[{first[0]}] "{first[1].id}"; every venue lies '
                    f"within {bounds.VENUE_RADIUS_KM:,.0f} km of the first one with coordinates "
                    "(are lat and lon swapped?)",
                )

    @staticmethod
    def _unique_ids(name: str, items: Sequence[Any]) -> Iterable[InputIssue]:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in seen:
                yield InputIssue(
                    f"{name}[{i}].id", f'"{item.id}" is already the id of {name}[{seen[item.id]}]'
                )
            else:
                seen[item.id] = i
        if name == "venues" and HOME in seen:
            yield InputIssue(f"venues[{seen[HOME]}].id", '"home" is reserved for the client\'s home')

    @staticmethod
    def _ref(where: str, ref: str, table: Mapping[str, Any], noun: str) -> Iterable[InputIssue]:
        if ref not in table:
            yield InputIssue(where, f'no {noun} "{ref}"{did_you_mean(ref, list(table))}')

    def _hours(self, where: str, hours: doc.WeeklyHours | None) -> Iterable[InputIssue]:
        for day, spans in (hours or {}).items():
            ordered = sorted((parse_time(a), parse_time(b), k) for k, (a, b) in enumerate(spans))
            for (_, end1, _), (start2, _, k) in itertools.pairwise(ordered):
                if start2 < end1:
                    yield InputIssue(f"{where}.{day}[{k}]", "overlaps another span of the same day")

    def _client(self, where: str, c: doc.Client) -> Iterable[InputIssue]:
        if c.home not in self.venues:
            yield from self._ref(f"{where}.home", c.home, self.venues, "venue")
        elif self.venues[c.home].kind != "home":
            yield InputIssue(
                f"{where}.home", f'venue "{c.home}" is of kind {self.venues[c.home].kind}, not home'
            )
        for k, carer in enumerate(c.carers):
            yield from self._ref(f"{where}.carers[{k}]", carer, self.carers, "carer")
        for k, routine in enumerate(c.routines):
            if routine.at is not None and routine.at != HOME and routine.at not in self.venues:
                hint = did_you_mean(routine.at, [*self.venues, HOME])
                yield InputIssue(f"{where}.routines[{k}].at", f'no venue "{routine.at}"{hint}')
            if routine.allows_sessions and routine.duration is not None:
                yield InputIssue(f"{where}.routines[{k}].allows_sessions", "applies to fixed routines only")
            if routine.supervised and routine.duration is not None:
                yield InputIssue(
                    f"{where}.routines[{k}].supervised",
                    "applies to fixed routines only (a place that looks after the client for the "
                    "routine's whole span); a flexible routine has a duration",
                )

    def _practitioner(self, where: str, p: doc.Practitioner) -> Iterable[InputIssue]:
        yield from self._hours(f"{where}.available", p.available)
        for k, venue in enumerate(p.venues):
            yield from self._ref(f"{where}.venues[{k}]", venue, self.venues, "venue")
        if p.base is not None:
            yield from self._ref(f"{where}.base", p.base, self.venues, "venue")
        if len(set(p.also_roles)) != len(p.also_roles) or p.role in p.also_roles:
            yield InputIssue(f"{where}.also_roles", "lists a role twice (role included)")
        for k, busy in enumerate(p.busy):
            if busy.venue is not None:
                yield from self._ref(f"{where}.busy[{k}].venue", busy.venue, self.venues, "venue")
            if busy.week is not None and busy.week > self.d.horizon.weeks:
                yield InputIssue(f"{where}.busy[{k}].week", self._week_message(busy.week))

    def _week_message(self, week: int) -> str:
        return f"week {week} is outside a {self.d.horizon.weeks}-week pattern"

    def _venue_option(self, where: str, venue: str, client: doc.Client | None) -> Iterable[InputIssue]:
        if venue == HOME:
            return
        if venue not in self.venues:
            hint = did_you_mean(venue, [*self.venues, HOME])
            yield InputIssue(where, f'no venue "{venue}"{hint}')
        elif self.venues[venue].kind == "home" and client is not None and venue != client.home:
            yield InputIssue(where, f"\"{venue}\" is another household's home, not {client.id}'s")

    def _appointment(self, where: str, a: doc.Appointment) -> Iterable[InputIssue]:
        h = self.d.horizon
        client = self.clients.get(a.client)
        yield from self._ref(f"{where}.client", a.client, self.clients, "client")
        for k, prac in enumerate(a.practitioners):
            yield from self._ref(f"{where}.practitioners[{k}]", prac, self.practitioners, "practitioner")
        if len(set(a.practitioners)) != len(a.practitioners):
            yield InputIssue(f"{where}.practitioners", "lists a practitioner twice")
        if a.role is not None:
            if a.practitioners:
                yield InputIssue(f"{where}.role", "give practitioners or role, not both")
            elif a.role not in self.roles:
                hint = did_you_mean(a.role, self.roles)
                yield InputIssue(f"{where}.role", f'no practitioner has the role "{a.role}"{hint}')
        if a.roles is not None:
            yield from self._roles(where, a)
        for k, venue in enumerate(a.venues):
            yield from self._venue_option(f"{where}.venues[{k}]", venue, client)
        if len(set(a.venues)) != len(a.venues):
            yield InputIssue(f"{where}.venues", "lists a venue twice")
        if a.needs_carer and client is not None and not client.carers:
            yield InputIssue(f"{where}.needs_carer", f'client "{client.id}" has no carers')
        earliest = max(parse_time(a.window.earliest or h.day_start), parse_time(h.day_start))
        latest = min(parse_time(a.window.latest or h.day_end), parse_time(h.day_end))
        first_start = -(-earliest // h.slot_minutes) * h.slot_minutes
        if first_start + a.duration > latest:
            yield InputIssue(
                f"{where}.duration",
                f"{a.duration} min does not fit in {_span_words(a.window, h)}"
                + (
                    f" from a start at a multiple of {h.slot_minutes} min (horizon.slot_minutes)"
                    if first_start != earliest and earliest + a.duration <= latest
                    else ""
                ),
            )
        yield from self._frequency(where, a)
        for name in ("current", "pinned"):
            for k, booking in enumerate(getattr(a, name) or []):
                yield from self._booking(f"{where}.{name}[{k}]", booking, a, client)

    def _roles(self, where: str, a: doc.Appointment) -> Iterable[InputIssue]:
        """A joint session by roles: alone of its kind, known roles, enough different people."""
        assert a.roles is not None
        if a.practitioners or a.role is not None:
            yield InputIssue(f"{where}.roles", "give one of practitioners, role or roles, not several")
        unknown = False
        for k, role in enumerate(a.roles):
            if role not in self.roles:
                unknown = True
                yield InputIssue(
                    f"{where}.roles[{k}]",
                    f'no practitioner has the role "{role}"{did_you_mean(role, self.roles)}',
                )
        if not unknown and not _distinct_takers(a.roles, self.d.practitioners):
            yield InputIssue(
                f"{where}.roles",
                f"no {len(a.roles)} different practitioners can take the roles {', '.join(a.roles)} "
                "at once (a practitioner takes one role of a session)",
            )

    def _sequences(self) -> Iterable[InputIssue]:
        """Every ``after``: a known appointment of the same client and frequency, no cycle, and
        sessions that may overlap joining two appointments only, at a venue they share."""
        joined: dict[str, list[int]] = {}
        for i, a in enumerate(self.d.appointments):
            if a.after is None:
                continue
            where = f"appointments[{i}].after"
            ref = a.after.appointment
            first = self.appointments.get(ref)
            if first is None:
                hint = did_you_mean(ref, list(self.appointments))
                yield InputIssue(f"{where}.appointment", f'no appointment "{ref}"{hint}')
                continue
            if ref == a.id:
                yield InputIssue(f"{where}.appointment", f'"{a.id}" cannot follow itself')
                continue
            if first.client != a.client:
                yield InputIssue(
                    f"{where}.appointment",
                    f'"{ref}" is for {first.client}, not {a.client}: a sequence links appointments '
                    "of one client",
                )
            if _frequency_key(first) != _frequency_key(a):
                yield InputIssue(
                    f"{where}.appointment",
                    f'"{ref}" is {_frequency_words(first)} and "{a.id}" {_frequency_words(a)}: '
                    "both appointments of a sequence need the same frequency",
                )
            if a.after.min_gap < first.duration:
                joined.setdefault(a.id, []).append(i)
                joined.setdefault(ref, []).append(i)
                if not set(a.venues) & set(first.venues):
                    yield InputIssue(
                        f"{where}.min_gap",
                        f'{a.after.min_gap} min is less than the {first.duration} min of "{ref}", so '
                        "the sessions may overlap and must share a venue; their venues have none in common",
                    )
        yield from self._cycles()
        for appt_id, links in joined.items():
            if len(links) > 1:
                yield InputIssue(
                    f"appointments[{links[1]}].after.min_gap",
                    f'"{appt_id}" already takes part in a sequence whose sessions may overlap '
                    f"(appointments[{links[0]}].after); such a sequence joins two appointments only: "
                    "make min_gap at least the first appointment's duration",
                )

    def _cycles(self) -> Iterable[InputIssue]:
        """One issue per cycle of ``after`` links, at its first appointment in document order."""
        position = {a.id: i for i, a in enumerate(self.d.appointments)}
        reported: set[str] = set()
        for a in self.d.appointments:
            chain = [a.id]
            current = a
            while current.after is not None and current.after.appointment in self.appointments:
                nxt = current.after.appointment
                if nxt == current.id:
                    break
                if nxt in chain:
                    cycle = chain[chain.index(nxt) :]
                    if not reported & set(cycle):
                        reported |= set(cycle)
                        first = min(cycle, key=position.__getitem__)
                        loop = " -> ".join([*cycle, nxt])
                        yield InputIssue(
                            f"appointments[{position[first]}].after.appointment",
                            f"the sequences make a cycle ({loop}): one of them must come first",
                        )
                    break
                chain.append(nxt)
                current = self.appointments[nxt]

    def _frequency(self, where: str, a: doc.Appointment) -> Iterable[InputIssue]:
        f = a.frequency
        if f.every_weeks is not None and f.every_weeks > self.d.horizon.weeks:
            yield InputIssue(
                f"{where}.frequency.every_weeks",
                f"every_weeks {f.every_weeks} needs a pattern of {f.every_weeks} weeks "
                f"(horizon.weeks is {self.d.horizon.weeks})",
            )
        if f.per_week is None and f.every_weeks is None:
            yield InputIssue(f"{where}.frequency", "give per_week or every_weeks")
        if f.per_week is not None:
            days = sorted({day_index(d) for d in a.window.days})
            apart = f.min_days_apart or 1
            if _max_spread(days, apart) < f.per_week:
                yield InputIssue(
                    f"{where}.frequency.per_week",
                    f"{f.per_week} sessions a week on days {apart} or more apart cannot fit in "
                    f"the window's days ({' '.join(DAYS[d] for d in days)})",
                )

    def _booking(
        self, where: str, b: doc.Booking, a: doc.Appointment, client: doc.Client | None
    ) -> Iterable[InputIssue]:
        if b.week is not None and b.week > self.d.horizon.weeks:
            yield InputIssue(f"{where}.week", self._week_message(b.week))
        yield from self._venue_option(f"{where}.venue", b.venue, client)
        for k, prac in enumerate(b.practitioners or []):
            yield from self._ref(f"{where}.practitioners[{k}]", prac, self.practitioners, "practitioner")
        if b.carer is not None:
            yield from self._ref(f"{where}.carer", b.carer, self.carers, "carer")
            if client is not None and b.carer in self.carers and b.carer not in client.carers:
                yield InputIssue(f"{where}.carer", f'"{b.carer}" is not a carer of {client.id}')
        end = parse_time(b.start) + a.duration
        if end > 24 * 60:
            yield InputIssue(f"{where}.start", f"a {a.duration}-min session at {b.start} runs past midnight")


def scenario_warnings(scenario: m.Scenario) -> tuple[InputIssue, ...]:
    """What a valid scenario probably did not mean, located like input errors: a venue no
    journey to or from can be known for, and feeds whose events happen only once."""
    warnings: list[InputIssue] = []
    measured = {venue for a, b, _ in scenario.travel.matrix for venue in (a, b)}
    for venue in scenario.venues:
        if (venue.lat is None or venue.lon is None) and venue.index not in measured:
            warnings.append(
                InputIssue(
                    f"venues[{venue.index}]",
                    f'"{venue.id}" has no lat/lon and no travel.matrix entry: no journey to or from '
                    "it can be known, so only sessions needing no journey can be held there",
                )
            )
    h = scenario.horizon
    if h.repeat_until is None:
        last = h.start + timedelta(days=h.days - 1)
        warnings.append(
            InputIssue(
                "horizon.repeat_until",
                f"not given: calendar feeds hold the pattern once ({h.start.isoformat()} to "
                f"{last.isoformat()}), not week after week",
            )
        )
    return tuple(warnings)


def _distinct_takers(roles: Sequence[str], practitioners: Sequence[doc.Practitioner]) -> bool:
    """True when different practitioners can take each of ``roles`` (a bipartite matching)."""
    taken: dict[int, int] = {}  # practitioner position -> role position

    def assign(r: int, seen: set[int]) -> bool:
        for k, p in enumerate(practitioners):
            if k in seen or (roles[r] != p.role and roles[r] not in p.also_roles):
                continue
            seen.add(k)
            if k not in taken or assign(taken[k], seen):
                taken[k] = r
                return True
        return False

    return all(assign(r, set()) for r in range(len(roles)))


def _frequency_key(a: doc.Appointment) -> tuple[int | None, int, int | None]:
    f = a.frequency
    return f.per_week, f.min_days_apart or 1, f.every_weeks


def _frequency_words(a: doc.Appointment) -> str:
    f = a.frequency
    if f.every_weeks is not None:
        return f"every {f.every_weeks} week(s)"
    apart = f" {f.min_days_apart} days apart" if (f.min_days_apart or 1) > 1 else ""
    return f"{f.per_week} a week{apart}"


def _span_words(window: doc.AppointmentWindow, h: doc.Horizon) -> str:
    """``the window 09:00-09:30``, or, when the day's bounds cut it shorter, both."""
    lo, hi = window.earliest or h.day_start, window.latest or h.day_end
    text = f"the window {lo}-{hi}"
    if parse_time(lo) < parse_time(h.day_start) or parse_time(hi) > parse_time(h.day_end):
        text += f" within the day {h.day_start}-{h.day_end} (horizon.day_start, day_end)"
    return text


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _max_spread(days: Sequence[int], apart: int) -> int:
    """Most sessions that fit on ``days`` (sorted) with at least ``apart`` days between them."""
    count, last = 0, -apart
    for d in days:
        if d - last >= apart:
            count, last = count + 1, d
    return count


def _hours(hours: doc.WeeklyHours | None) -> m.WeeklyHours | None:
    if hours is None:
        return None
    return m.WeeklyHours(
        tuple(
            tuple(sorted(m.Span(parse_time(a), parse_time(b)) for a, b in hours.get(day, [])))
            for day in doc.ALL_DAYS
        )
    )


def build_scenario(d: doc.ScenarioDoc) -> m.Scenario:
    """The immutable model of a checked document (see :func:`parse_scenario`)."""
    venue_index = {v.id: i for i, v in enumerate(d.venues)}
    client_index = {c.id: i for i, c in enumerate(d.clients)}
    carer_index = {c.id: i for i, c in enumerate(d.carers)}
    prac_index = {p.id: i for i, p in enumerate(d.practitioners)}
    h = d.horizon
    horizon = m.Horizon(
        start=h.start,
        weeks=h.weeks,
        timezone=h.timezone,
        day_start=parse_time(h.day_start),
        day_end=parse_time(h.day_end),
        slot=h.slot_minutes,
        repeat_until=h.repeat_until,
        exclude_dates=tuple(sorted(set(h.exclude_dates))),
    )
    venues = tuple(
        m.Venue(
            index=i,
            id=v.id,
            name=v.name or v.id,
            kind=v.kind,
            lat=v.lat,
            lon=v.lon,
            address=v.address,
            open=None if v.kind == "home" else _hours(v.open),
            rooms=1 if v.kind == "home" else v.rooms,
        )
        for i, v in enumerate(d.venues)
    )

    def venue_of(ref: str | None, home: int) -> int:
        return home if ref is None or ref == HOME else venue_index[ref]

    clients = tuple(
        m.Client(
            index=i,
            id=c.id,
            name=c.name or c.id,
            household=c.household or c.home,
            home=venue_index[c.home],
            travel_mode=c.travel_mode,
            carers=tuple(carer_index[x] for x in c.carers),
            routines=tuple(
                m.Routine(
                    name=r.name,
                    days=frozenset(day_index(x) for x in r.days),
                    span=m.Span(parse_time(r.start), parse_time(r.end)),
                    at=venue_of(r.at, venue_index[c.home]),
                    allows_sessions=r.allows_sessions,
                    duration=r.duration,
                    supervised=r.supervised,
                    anywhere=r.duration is not None and r.at is None,
                )
                for r in c.routines
            ),
            limits=m.ClientLimits(**c.limits.model_dump()),
            preferences=m.Preferences(
                same_day_clustering=c.preferences.same_day_clustering,
                avoid_days=frozenset(day_index(x) for x in c.preferences.avoid_days),
                preferred_windows=tuple(
                    sorted(m.Span(parse_time(a), parse_time(b)) for a, b in c.preferences.preferred_windows)
                ),
            ),
            needs=tuple(c.needs),
            supervision=c.supervision,
        )
        for i, c in enumerate(d.clients)
    )
    first_client_home: dict[str, int] = {}
    for c in reversed(d.clients):
        for carer_id in c.carers:
            first_client_home[carer_id] = venue_index[c.home]
    carers = tuple(
        m.Carer(
            index=i,
            id=c.id,
            name=c.name or c.id,
            travel_mode=c.travel_mode,
            available=_hours(c.available),
            home=venue_index[c.home] if c.home else first_client_home.get(c.id, 0),
        )
        for i, c in enumerate(d.carers)
    )
    practitioners = tuple(
        m.Practitioner(
            index=i,
            id=p.id,
            name=p.name or p.id,
            role=p.role,
            agency=p.agency,
            available=_hours(p.available),
            venues=frozenset(venue_index[v] for v in p.venues),
            home_visits=p.home_visits,
            base=venue_index[p.base] if p.base else None,
            travel_mode=p.travel_mode,
            busy=tuple(
                m.Busy(
                    day=day_index(b.day),
                    week=None if b.week is None else b.week - 1,
                    span=m.Span(parse_time(b.start), parse_time(b.end)),
                    venue=venue_index[b.venue] if b.venue else None,
                    label=b.label or "busy",
                )
                for b in p.busy
            ),
            limits=m.PractitionerLimits(**p.limits.model_dump()),
            also_roles=frozenset(p.also_roles),
        )
        for i, p in enumerate(d.practitioners)
    )

    def booking(b: doc.Booking, home: int) -> m.Booking:
        return m.Booking(
            week=None if b.week is None else b.week - 1,
            day=day_index(b.day),
            start=parse_time(b.start),
            venue=venue_of(b.venue, home),
            practitioners=None if b.practitioners is None else tuple(prac_index[x] for x in b.practitioners),
            carer=None if b.carer is None else carer_index[b.carer],
        )

    appointment_ids = {a.id: i for i, a in enumerate(d.appointments)}
    appointments = []
    for i, a in enumerate(d.appointments):
        home = venue_index[d.clients[client_index[a.client]].home]
        f = a.frequency
        appointments.append(
            m.Appointment(
                index=i,
                id=a.id,
                client=client_index[a.client],
                title=a.title or a.service or a.id,
                service=a.service,
                agency=a.agency,
                duration=a.duration,
                frequency=m.Frequency(
                    per_week=f.per_week,
                    min_days_apart=f.min_days_apart or 1,
                    every_weeks=f.every_weeks,
                ),
                practitioners=tuple(prac_index[x] for x in a.practitioners),
                role=a.role,
                venues=tuple(venue_of(v, home) for v in a.venues),
                needs_carer=a.needs_carer,
                window_days=frozenset(day_index(x) for x in a.window.days),
                earliest=parse_time(a.window.earliest or h.day_start),
                latest=parse_time(a.window.latest or h.day_end),
                current=tuple(booking(b, home) for b in a.current),
                pinned=tuple(booking(b, home) for b in a.pinned or []),
                optional=a.optional,
                bring=a.bring,
                roles=tuple(a.roles or ()),
                after=None
                if a.after is None
                else m.After(appointment_ids[a.after.appointment], a.after.min_gap, a.after.max_gap),
                start_by=None if a.window.start_by is None else parse_time(a.window.start_by),
            )
        )
    t = d.travel
    travel = m.TravelSettings(
        speed_kmh={**DEFAULT_SPEED_KMH, **{str(k): v for k, v in t.speed_kmh.items()}},
        cost_per_km={**DEFAULT_COST_PER_KM, **{str(k): v for k, v in t.cost_per_km.items()}},
        detour_factor=t.detour_factor,
        matrix=_matrix(t.matrix, venue_index),
    )
    return m.Scenario(
        horizon=horizon,
        venues=venues,
        clients=clients,
        carers=carers,
        practitioners=practitioners,
        appointments=tuple(appointments),
        travel=travel,
        weights=DEFAULT_WEIGHTS.with_overrides(d.weights.model_dump()),
        solver=m.SolverSettings(**d.solver.model_dump()),
        name=d.name or "",
        venue_index=venue_index,
        client_index=client_index,
        carer_index=carer_index,
        practitioner_index=prac_index,
        appointment_index={a.id: a.index for a in appointments},
    )


def _matrix(
    entries: Sequence[doc.MatrixEntry], venue_index: Mapping[str, int]
) -> dict[tuple[int, int, str], m.MatrixTrip]:
    """Measured journeys; an entry also stands for the way back unless that is given too."""
    given = {(venue_index[e.from_], venue_index[e.to], e.mode): e for e in entries}
    table: dict[tuple[int, int, str], m.MatrixTrip] = {}
    for (a, b, mode), e in given.items():
        trip = m.MatrixTrip(e.minutes, e.cost)
        table[(a, b, mode)] = trip
        if (b, a, mode) not in given:
            table[(b, a, mode)] = trip
    return table
