"""The whole picture around a client or household, as data: services, bookings, what today's
diaries get wrong, and what agencies should look at (overload, duplication, gaps, conversations).

:func:`whole_picture` builds it; :mod:`scheduler.analysis.render` writes it as Markdown or
HTML. Today's faults are the validator's own violations of the ``current`` bookings, and the
figures are its evaluations.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scheduler.analysis.frames import Pattern, evaluation, placed_sessions
from scheduler.clock import span_label
from scheduler.contract.errors import did_you_mean
from scheduler.contract.schedule import ScheduleDoc
from scheduler.model import Appointment, Client, Practitioner, Scenario
from scheduler.schedule import PlacedSession, companions_from_doc, sessions_from_bookings
from scheduler.validate import KPI_KEYS, Evaluation, Report, validate
from scheduler.validate.describe import day_text, join_words
from scheduler.validate.objective import current_timetable
from scheduler.validate.plans import Timetable, people_met, person_name, timetable
from scheduler.validate.report import companion_text

FINDING_KINDS: dict[str, str] = {
    "overlap": "clash",
    "rooms": "clash",
    "routine": "routine",
    "flexible-routine": "routine",
    "travel": "journey",
    "day-bounds": "journey",
    "limit": "overload",
    "escort": "travels alone",
    "alone": "left alone",
    "companion": "companion",
    "home-between": "journey",
}
"""Kind of dis-integration by the validator's violation code; any other code is ``"booking"``."""


@dataclass(frozen=True)
class ClientSummary:
    """A person at the centre of the picture; ``people_today`` and ``people_new`` are who they meet."""

    id: str
    name: str
    household: str
    needs: tuple[str, ...]
    people_today: tuple[str, ...]
    people_new: tuple[str, ...] | None


@dataclass(frozen=True)
class ServiceLine:
    """One appointment around a client: who gives it, where, and how much of the week it takes."""

    client: str
    appointment: str
    title: str
    service: str | None
    agency: str | None
    practitioners: tuple[str, ...]
    venues: tuple[str, ...]
    sessions_per_week: float
    hours_per_week: float


@dataclass(frozen=True)
class SessionLine:
    """One session of today's bookings or of the new pattern, in words."""

    client: str
    appointment: str
    title: str
    when: str
    venue: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class KpiRow:
    """One figure of the selection, summed over its clients: today, in the new pattern, and the saving."""

    kpi: str
    before: float | None
    after: float | None

    @property
    def saving(self) -> float | None:
        """``before - after`` (positive is better), or None without both."""
        if self.before is None or self.after is None:
            return None
        return self.before - self.after


@dataclass(frozen=True)
class Finding:
    """Dis-integration in today's bookings: a violation of the validator, with its kind."""

    kind: str
    rule: int
    where: str
    message: str


@dataclass(frozen=True)
class Overload:
    """A practitioner whose booked load exceeds their limits or their availability."""

    practitioner: str
    name: str
    agency: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Duplication:
    """One service given to one client by several agencies or practitioners."""

    client: str
    service: str
    appointments: tuple[str, ...]
    agencies: tuple[str, ...]
    providers: tuple[str, ...]


@dataclass(frozen=True)
class Gap:
    """A need of a client that no appointment meets."""

    client: str
    need: str


@dataclass(frozen=True)
class Conversation:
    """Two practitioners (or role pools) who should talk, and why."""

    first: str
    second: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class WholePicture:
    """Everything :func:`whole_picture` found about a selection of clients."""

    title: str
    clients: tuple[ClientSummary, ...]
    services: tuple[ServiceLine, ...]
    today: tuple[SessionLine, ...]
    pattern: tuple[SessionLine, ...] | None
    companions: tuple[str, ...]
    """Who comes along to other people's sessions in the new pattern (version 2), in words."""
    figures: tuple[KpiRow, ...]
    findings: tuple[Finding, ...]
    overloads: tuple[Overload, ...]
    duplications: tuple[Duplication, ...]
    gaps: tuple[Gap, ...]
    conversations: tuple[Conversation, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (with each figure's saving)."""
        data = asdict(self)
        data["figures"] = [{**asdict(row), "saving": row.saving} for row in self.figures]
        return data


def select_clients(
    scenario: Scenario, *, client: str | None = None, household: str | None = None
) -> tuple[Client, ...]:
    """One client, one household's clients, or (neither given) every client.

    Raises ``ValueError`` when both are given, or naming the nearest id when one is unknown.
    """
    if client is not None and household is not None:
        raise ValueError("give a client or a household, not both")
    if client is not None:
        if client not in scenario.client_index:
            raise ValueError(f'no client "{client}"{did_you_mean(client, list(scenario.client_index))}')
        return (scenario.clients[scenario.client_index[client]],)
    if household is not None:
        chosen = tuple(c for c in scenario.clients if c.household == household)
        if not chosen:
            names = sorted({c.household for c in scenario.clients})
            raise ValueError(f'no household "{household}"{did_you_mean(household, names)}')
        return chosen
    return scenario.clients


def whole_picture(
    scenario: Scenario,
    pattern: Pattern | None = None,
    *,
    client: str | None = None,
    household: str | None = None,
) -> WholePicture:
    """The whole picture of one client, one household or (neither given) everyone in the scenario.

    ``pattern`` is the new pattern (a schedule document, a ``SolveResult`` or placed sessions);
    without it the picture is of today's bookings alone. Overload is judged over each
    practitioner's whole booked load. Raises ``ValueError`` for an unknown client or household,
    and ``ScheduleError`` for a schedule document that does not refer to the scenario.
    """
    clients = select_clients(scenario, client=client, household=household)
    sessions = None if pattern is None else placed_sessions(scenario, pattern)
    ids = {c.id for c in clients}
    appointments = tuple(a for a in scenario.appointments if scenario.clients[a.client].id in ids)
    today = sessions_from_bookings(scenario)
    report = validate(scenario)
    before = report.before
    after = None if pattern is None else evaluation(scenario, pattern)
    duplications = tuple(find_duplications(scenario, appointments))
    return WholePicture(
        title=_title(scenario, clients),
        clients=tuple(_summary(scenario, c, today, sessions) for c in clients),
        services=tuple(_service_line(scenario, a) for a in appointments),
        today=_session_lines(scenario, today, ids),
        pattern=None if sessions is None else _session_lines(scenario, sessions, ids),
        companions=_companions(scenario, pattern, ids),
        figures=_figures(scenario, ids, appointments, before, after),
        findings=tuple(_findings(scenario, report, clients, appointments)),
        overloads=tuple(
            o for o in find_overloads(scenario, report) if _serves(scenario, o.practitioner, appointments)
        ),
        duplications=duplications,
        gaps=tuple(find_gaps(scenario, clients)),
        conversations=suggest_conversations(scenario, duplications, timetable(scenario, today), clients),
    )


def _companions(scenario: Scenario, pattern: Pattern | None, ids: set[str]) -> tuple[str, ...]:
    """The pattern's companions among the selected clients (a schedule document lists them)."""
    if not isinstance(pattern, ScheduleDoc):
        return ()
    companions = companions_from_doc(scenario, pattern, placed_sessions(scenario, pattern))
    return tuple(companion_text(scenario, c) for c in companions if scenario.clients[c.client].id in ids)


def _title(scenario: Scenario, clients: Sequence[Client]) -> str:
    if len(clients) == len(scenario.clients) and scenario.name:
        return scenario.name
    return join_words(c.name for c in clients)


def _serves(scenario: Scenario, practitioner: str, appointments: Iterable[Appointment]) -> bool:
    """True when the practitioner is listed on, or has a role of, one of ``appointments``."""
    prac = scenario.practitioners[scenario.practitioner_index[practitioner]]
    return any(
        prac.index in a.practitioners or any(prac.takes(r) for r in (*a.roles, *filter(None, [a.role])))
        for a in appointments
    )


def _people(scenario: Scenario, sessions: Iterable[PlacedSession], client: Client) -> tuple[str, ...]:
    met = set().union(
        *(
            people_met(scenario, s)
            for s in sessions
            if scenario.appointments[s.appointment].client == client.index
        )
    )
    return tuple(sorted(person_name(scenario, p) for p in met))


def _summary(
    scenario: Scenario, client: Client, today: Sequence[PlacedSession], new: Sequence[PlacedSession] | None
) -> ClientSummary:
    return ClientSummary(
        id=client.id,
        name=client.name,
        household=client.household,
        needs=client.needs,
        people_today=_people(scenario, today, client),
        people_new=None if new is None else _people(scenario, new, client),
    )


def providers(scenario: Scenario, appt: Appointment) -> tuple[str, ...]:
    """Who gives an appointment: its practitioners' names, ``"any <role>"`` for a role pool, or
    one ``"any <role>"`` per role of a joint session by roles."""
    if appt.role is not None:
        return (f"any {appt.role}",)
    if appt.roles:
        return tuple(f"any {role}" for role in appt.roles)
    return tuple(scenario.practitioners[p].name for p in appt.practitioners)


def _service_line(scenario: Scenario, appt: Appointment) -> ServiceLine:
    per_week = appt.frequency.sessions_in(scenario.horizon.weeks) / scenario.horizon.weeks
    return ServiceLine(
        client=scenario.clients[appt.client].name,
        appointment=appt.id,
        title=appt.title,
        service=appt.service,
        agency=appt.agency,
        practitioners=providers(scenario, appt),
        venues=tuple(scenario.venues[v].name for v in appt.venues),
        sessions_per_week=per_week,
        hours_per_week=per_week * appt.duration / 60,
    )


def _session_lines(
    scenario: Scenario, sessions: Iterable[PlacedSession], clients: set[str]
) -> tuple[SessionLine, ...]:
    lines = []
    for s in sorted(sessions):
        appt = scenario.appointments[s.appointment]
        client = scenario.clients[appt.client]
        if client.id not in clients:
            continue
        lines.append(
            SessionLine(
                client=client.name,
                appointment=appt.id,
                title=appt.title,
                when=f"{day_text(scenario, s.week, s.day)} {span_label(s.start, s.end)}",
                venue=scenario.venues[s.venue].name,
                people=tuple(sorted(person_name(scenario, p) for p in people_met(scenario, s))),
            )
        )
    return tuple(lines)


def _figures(
    scenario: Scenario,
    clients: set[str],
    appointments: Sequence[Appointment],
    before: Evaluation | None,
    after: Evaluation | None,
) -> tuple[KpiRow, ...]:
    """The clients' figures summed, and the travel of the practitioners who serve them."""

    def total(figures: Evaluation | None, key: str) -> float | None:
        return None if figures is None else sum(figures.kpis[c][key] for c in clients)

    serving = [p.id for p in scenario.practitioners if _serves(scenario, p.id, appointments)]

    def travel(figures: Evaluation | None) -> float | None:
        return None if figures is None else sum(figures.practitioners[p]["travel_minutes"] for p in serving)

    rows = [KpiRow(key, total(before, key), total(after, key)) for key in KPI_KEYS]
    return (*rows, KpiRow("practitioner_travel_minutes", travel(before), travel(after)))


def _findings(
    scenario: Scenario, report: Report, clients: Sequence[Client], appointments: Sequence[Appointment]
) -> Iterator[Finding]:
    """Today's violations about the clients, their appointments, or carers who escort nobody else."""
    ids = {c.id for c in clients}
    subjects = ids | {a.id for a in appointments}
    subjects |= {
        carer.id for carer in scenario.carers if {c.id for c in scenario.clients_of_carer(carer.index)} <= ids
    }
    for v in report.current_violations:
        if v.subject in subjects:
            yield Finding(FINDING_KINDS.get(v.code, "booking"), v.rule, v.where, v.message)
    for companion in current_timetable(scenario).companions:
        client = scenario.clients[companion.client]
        if client.id in ids:
            s = companion.session
            when = f"{day_text(scenario, s.week, s.day)} {span_label(s.start, s.end)}"
            text = companion_text(scenario, companion)
            yield Finding(
                "comes along",
                10,
                f"{client.id}, {when}",
                f"{text}: nobody else looks after {client.name} then",
            )


def find_overloads(scenario: Scenario, report: Report | None = None) -> Iterator[Overload]:
    """Practitioners whose booked load (today's bookings) breaks their limits, does not fit their own
    diary, or needs more hours than they are available in the pattern.

    ``report`` is ``validate(scenario)`` when the caller has it already.
    """
    report = validate(scenario) if report is None else report
    violations, before = report.current_violations, report.before
    for prac in scenario.practitioners:
        reasons = [v.message for v in violations if v.subject == prac.id and v.rule in (3, 8)]
        booked = 0.0 if before is None else before.practitioners[prac.id]["session_minutes"]
        capacity = available_minutes(scenario, prac)
        if capacity is not None and booked > capacity:
            reasons.append(
                f"{prac.name} is booked for {booked / 60:g} h but available for {capacity / 60:g} h "
                f"in the {scenario.horizon.weeks}-week pattern"
            )
        if reasons:
            yield Overload(prac.id, prac.name, prac.agency, tuple(reasons))


def available_minutes(scenario: Scenario, prac: Practitioner) -> int | None:
    """Minutes a practitioner is available over the pattern, less their busy entries; None: unlimited."""
    if prac.available is None:
        return None
    total = 0
    for pattern_day in scenario.days():
        week, day = divmod(pattern_day, 7)
        for span in prac.available.on(day):
            busy = sum(
                max(0, min(span.end, b.span.end) - max(span.start, b.span.start))
                for b in prac.busy_on(week, day)
            )
            total += span.minutes - busy
    return total


def _service_key(service: str) -> str:
    return " ".join(service.casefold().split())


def find_duplications(scenario: Scenario, appointments: Sequence[Appointment]) -> Iterator[Duplication]:
    """Services given to one client by several appointments of different agencies or practitioners."""
    groups: dict[tuple[int, str], list[Appointment]] = {}
    for appt in appointments:
        if appt.service is not None:
            groups.setdefault((appt.client, _service_key(appt.service)), []).append(appt)
    for (client, _), group in groups.items():
        agencies = tuple(sorted({a.agency for a in group if a.agency is not None}))
        who = {providers(scenario, a) for a in group}
        if len(group) > 1 and (len(agencies) > 1 or len(who) > 1):
            yield Duplication(
                client=scenario.clients[client].name,
                service=group[0].service or "",
                appointments=tuple(a.id for a in group),
                agencies=agencies,
                providers=tuple(sorted(set().union(*who))),
            )


def find_gaps(scenario: Scenario, clients: Sequence[Client]) -> Iterator[Gap]:
    """Needs of each client that none of the client's appointments' ``service`` meets."""
    for client in clients:
        services = {_service_key(a.service) for a in scenario.appointments_of(client.index) if a.service}
        for need in client.needs:
            if _service_key(need) not in services:
                yield Gap(client.name, need)


def suggest_conversations(
    scenario: Scenario, duplications: Sequence[Duplication], today: Timetable, clients: Sequence[Client]
) -> tuple[Conversation, ...]:
    """Pairs of practitioners who should talk: they give the same service to one client, or their
    bookings for one client clash or leave no time to travel between them today."""
    reasons: dict[tuple[str, str], list[str]] = {}
    for dup in duplications:
        for pair in itertools.combinations(dup.providers, 2):
            reasons.setdefault(pair, []).append(
                f"both give {dup.service} to {dup.client}: one joint programme?"
            )
    for first, second, why in _clashing_bookings(today, clients):
        for pair in itertools.product(providers(scenario, first), providers(scenario, second)):
            if pair[0] != pair[1]:
                key = (min(pair), max(pair))
                reasons.setdefault(key, []).append(f"{first.id} and {second.id} {why}")
    return tuple(Conversation(a, b, tuple(dict.fromkeys(why))) for (a, b), why in sorted(reasons.items()))


def _clashing_bookings(
    t: Timetable, clients: Sequence[Client]
) -> Iterator[tuple[Appointment, Appointment, str]]:
    """Appointments whose sessions for one client overlap, or follow each other (without overlap)
    with too little time to travel, on a day of ``t`` (the validator's day plans)."""
    ids = {c.id for c in clients}
    appts = t.scenario.appointments
    for plan in t.plans_of("client"):
        if plan.person.id not in ids:
            continue
        when = day_text(t.scenario, plan.week, plan.day)
        for first, second in itertools.combinations(plan.sessions, 2):
            if second.start < first.end and first.appointment != second.appointment:
                yield appts[first.appointment], appts[second.appointment], f"overlap on {when}"
        for leg in t.journeys.legs(plan):
            if (
                leg.before is None
                or leg.after is None
                or leg.before.session is None
                or leg.after.session is None
            ):
                continue
            if 0 <= leg.gap_end - leg.gap_start < leg.minutes:
                first, second = leg.before.session, leg.after.session
                yield (
                    appts[first.appointment],
                    appts[second.appointment],
                    f"leave no time to travel on {when}",
                )
