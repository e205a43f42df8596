"""Why there is no pattern, in words a coordinator can act on.

Two steps. :func:`precheck` is fast and needs no search: an appointment that has fewer
possible days than sessions (or a pin that cannot hold) is named with, for each day, the
facts that leave no slot. :func:`explain_infeasible` handles conflicts between
appointments: it solves the model with one assumption literal per group of rules (an
appointment's frequency, its one practitioner of a role, a person's one-place-at-a-time, a
limit, a venue's rooms...), takes the conflicting set CP-SAT reports, and shrinks it by
deletion to a minimal set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scheduler.clock import DAY_NAMES, format_time, span_label
from scheduler.model import Appointment, Scenario
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, SolveInterruptedError, run
from scheduler.solver.pattern import PatternModel
from scheduler.solver.presolve import Presolved, hours_text
from scheduler.solver.rules import BoolVar, Group, RuleKind
from scheduler.travel import Travel
from scheduler.validate.describe import join_words

MAX_FACTS_PER_DAY = 3


def describe(scenario: Scenario, appt: Appointment) -> str:
    """``jonny-slt (Speech and language therapy for Jonny, 45 min, 1 a week)``."""
    client = scenario.clients[appt.client]
    f = appt.frequency
    how_often = f"{f.per_week} a week" if f.per_week is not None else f"1 every {f.every_weeks} weeks"
    return f"{appt.id} ({appt.title} for {client.name}, {appt.duration} min, {how_often})"


def _day_label(scenario: Scenario, g: int) -> str:
    name = DAY_NAMES[g % 7]
    return f"{name} of week {g // 7 + 1}" if scenario.horizon.weeks > 1 else name


def precheck(scenario: Scenario, presolved: Presolved) -> str | None:
    """An explanation when some required appointment cannot get its sessions on its own."""
    problems = []
    for appt in scenario.appointments:
        if appt.optional:
            continue
        message = _missing_days(scenario, presolved, appt) or _broken_pin(scenario, presolved, appt)
        if message:
            problems.append(message)
    if not problems:
        return None
    return "No pattern exists.\n" + "\n".join(f"- {p}" for p in problems)


def _periods(scenario: Scenario, appt: Appointment) -> list[tuple[list[int], int]]:
    """(pattern days, sessions needed) for each week, or each ``every_weeks`` period."""
    f = appt.frequency
    weeks = scenario.horizon.weeks
    if f.every_weeks is not None:
        return [
            ([g for w in range(start, start + f.every_weeks) for g in range(w * 7, w * 7 + 7)], 1)
            for start in range(0, weeks, f.every_weeks)
        ]
    assert f.per_week is not None
    return [(list(range(w * 7, w * 7 + 7)), f.per_week) for w in range(weeks)]


def _missing_days(scenario: Scenario, presolved: Presolved, appt: Appointment) -> str | None:
    for days, needed in _periods(scenario, appt):
        possible = [g for g in days if presolved.options_on(appt.index, g)]
        apart = appt.frequency.min_days_apart
        if _spread(possible, apart) >= needed:
            continue
        window = [g for g in days if g % 7 in appt.window_days]
        lost = []
        for g in window:
            facts = presolved.lost_days.get((appt.index, g))
            if facts:
                lost.append(f"{_day_label(scenario, g)}: " + " / ".join(facts[:MAX_FACTS_PER_DAY]))
        gap = f" at least {apart} days apart" if apart > 1 else ""
        can = (
            f"only {', '.join(_day_label(scenario, g) for g in possible)} can take it"
            if possible
            else "no day can take it"
        )
        outside = sorted({g % 7 for g in days} - set(appt.window_days))
        window_note = f" Its window leaves out {', '.join(DAY_NAMES[d] for d in outside)}." if outside else ""
        return (
            f"{describe(scenario, appt)} needs {needed} day(s){gap} but {can}. "
            + "; ".join(lost)
            + "."
            + window_note
            + _joint_note(appt)
            + _diaries(scenario, appt)
        )
    return None


def _joint_note(appt: Appointment) -> str:
    """For a joint session by roles: that no combination of its practitioners is free together."""
    if not appt.roles:
        return ""
    return (
        f" It is a joint session of one {' and one '.join(appt.roles)}, different people at once: "
        "no combination of practitioners taking those roles is free together where it can go."
    )


def _diaries(scenario: Scenario, appt: Appointment) -> str:
    """``" Diaries: Ana Ruiz works Mon 09:00-17:00. ..."`` for the people the appointment needs."""
    notes = []
    for p in appt.practitioners:
        prac = scenario.practitioners[p]
        if prac.available is not None:
            notes.append(f"{prac.name} works {hours_text(prac.available)}")
    if appt.needs_carer:
        for c in scenario.clients[appt.client].carers:
            carer = scenario.carers[c]
            if carer.available is not None:
                notes.append(f"{carer.name} is free {hours_text(carer.available)}")
    return f" Diaries: {'. '.join(notes)}." if notes else ""


def _spread(days: Sequence[int], apart: int) -> int:
    count, last = 0, -apart
    for d in sorted(days):
        if d - last >= apart:
            count, last = count + 1, d
    return count


def _broken_pin(scenario: Scenario, presolved: Presolved, appt: Appointment) -> str | None:
    slot = scenario.horizon.slot
    for booking in appt.pinned:
        for week in booking.weeks(scenario.horizon.weeks):
            g = week * 7 + booking.day
            fits = booking.start % slot == 0 and any(
                o.venue == booking.venue and any(lo <= booking.start // slot <= hi for lo, hi in o.slots)
                for o in presolved.options_on(appt.index, g)
            )
            if fits:
                continue
            where = scenario.venues[booking.venue].name
            facts = presolved.lost_days.get((appt.index, g), [])
            why = "; ".join(facts[:MAX_FACTS_PER_DAY]) or "that time breaks its window, hours or availability"
            return (
                f"{describe(scenario, appt)} is pinned to {_day_label(scenario, g)} "
                f"{format_time(booking.start)} at {where}, which cannot hold: {why}."
            )
    return None


def explain_infeasible(
    scenario: Scenario,
    presolved: Presolved,
    travel: Travel,
    budget: Budget,
    *,
    only: set[int] | None = None,
) -> str:
    """The smallest set of rule groups found within ``budget`` that cannot hold together, in words.

    ``only`` restricts the search to those appointments (a group that cannot be placed).
    """
    try:
        model = PatternModel(scenario, presolved, travel, budget, explaining=True, only=only, objective=False)
    except SolveInterruptedError:
        return _not_narrowed(scenario, presolved, only)
    groups = model.rules.literals
    core = _core(model, groups, list(groups), budget, budget.left())
    if core is None:
        return _not_narrowed(scenario, presolved, only)
    kept = list(core)
    for n, group in enumerate(core):
        trial = [g for g in kept if g != group]
        smaller = _core(model, groups, trial, budget, max(0.5, budget.left() / (len(core) - n)))
        if smaller is not None:
            kept = [g for g in kept if g in smaller]
    lines = [_group_text(scenario, presolved, g) for g in sorted(kept, key=Group.order)]
    return "No pattern keeps all of these together; relax one of them:\n" + "\n".join(
        f"- {line}" for line in lines
    )


def _not_narrowed(scenario: Scenario, presolved: Presolved, only: set[int] | None) -> str:
    return (
        "No pattern exists, and the conflict could not be narrowed down in the time allowed. "
        "The appointments with the fewest possible slots are: " + _tightest(scenario, presolved, only) + "."
    )


def _core(
    model: PatternModel, literals: dict[Group, BoolVar], assumed: list[Group], budget: Budget, seconds: float
) -> list[Group] | None:
    """Groups of a conflict among ``assumed``, or None when these can hold together (or time ran out)."""
    cp = model.cp
    cp.clear_assumptions()
    cp.add_assumptions([literals[g] for g in assumed])
    outcome = run(cp, SearchParams(seconds), budget)
    if outcome.status is not SearchStatus.INFEASIBLE:
        return None
    by_index = {literals[g].index: g for g in assumed}
    core = [by_index[i] for i in outcome.core() if i in by_index]
    # When presolve alone proves infeasibility, CP-SAT may report no core: all assumed count.
    return core or list(assumed)


def _tightest(scenario: Scenario, presolved: Presolved, only: set[int] | None) -> str:
    days: dict[int, int] = {}
    for a, _ in presolved.by_appointment_day:
        days[a] = days.get(a, 0) + 1
    counts = sorted(
        (days.get(a.index, 0), a.index)
        for a in scenario.appointments
        if not a.optional and (only is None or a.index in only)
    )
    return "; ".join(f"{describe(scenario, scenario.appointments[a])} on {n} day(s)" for n, a in counts[:3])


def _role_text(scenario: Scenario, presolved: Presolved, appt: Appointment) -> str:
    """``therapy (...) must be taken by one therapist, ...; Ana can take it on Monday; ...``."""
    assert appt.role is not None
    days: dict[int, set[int]] = {p.index: set() for p in scenario.practitioners if p.takes(appt.role)}
    for o in presolved.options:
        if o.appointment == appt.index:
            (p,) = o.practitioners
            days[p].add(o.pattern_day)
    who = []
    for p, gs in sorted(days.items()):
        name = scenario.practitioners[p].name
        when = ", ".join(_day_label(scenario, g) for g in sorted(gs))
        who.append(f"{name} can take it on {when}" if gs else f"{name} cannot take it on any day")
    return (
        f"{describe(scenario, appt)} must be taken by one {appt.role}, the same one in every session; "
        + "; ".join(who)
    )


def _group_text(scenario: Scenario, presolved: Presolved, group: Group) -> str:
    """The rule of ``group`` in words."""
    return _TEXTS[group.kind](scenario, presolved, group)


def _frequency_text(s: Scenario, presolved: Presolved, group: Group) -> str:
    appt = s.appointments[group.subject]
    days = sorted({o.pattern_day for o in presolved.options if o.appointment == appt.index})
    where = ", ".join(_day_label(s, g) for g in days) or "no day"
    return f"{describe(s, appt)} must have all its sessions; it can only go on {where}"


def _pin_text(s: Scenario, _: Presolved, group: Group) -> str:
    appt = s.appointments[group.subject]
    pins = ", ".join(
        f"{DAY_NAMES[b.day]} {format_time(b.start)} at {s.venues[b.venue].name}" for b in appt.pinned
    )
    return f"{appt.id} is pinned to {pins}"


def _sequence_text(s: Scenario, presolved: Presolved, group: Group) -> str:
    """``physio must start 30-60 min after the start of hydro, on the same day; ...``."""
    appt = s.appointments[group.subject]
    assert appt.after is not None
    first = s.appointments[appt.after.appointment]
    gaps = appt.after
    when = f"{gaps.min_gap}-{gaps.max_gap} min" if gaps.min_gap != gaps.max_gap else f"{gaps.min_gap} min"
    if gaps.max_gap == 0:
        rule = f"{appt.id} must start at the same time as {first.id}"
    else:
        rule = f"{appt.id} must start {when} after the start of {first.id}"
    days = []
    for a in (first, appt):
        can = sorted({o.pattern_day for o in presolved.options if o.appointment == a.index})
        days.append(f"{a.id} can go on {', '.join(_day_label(s, g) for g in can) or 'no day'}")
    joined = "; they may overlap, so both are at one venue" if s.joined(appt) else ""
    return f"{rule}, on the same day ({describe(s, appt)}){joined}; " + "; ".join(days)


def _client_text(s: Scenario, _: Presolved, group: Group) -> str:
    client = s.clients[group.subject]
    fixed = sorted(
        {
            f"{r.name} {span_label(r.span.start, r.span.end)} at {s.venues[r.at].name}"
            for r in client.routines
            if r.is_fixed
        }
    )
    extra = f"; fixed routines: {', '.join(fixed)}" if fixed else ""
    return f"{client.name} can be in one place at a time, travelling by {client.travel_mode}{extra}"


def _routine_text(s: Scenario, _: Presolved, group: Group) -> str:
    client = s.clients[group.subject]
    r = client.routines[int(group.detail)]
    window = span_label(r.span.start, r.span.end)
    return f"{client.name}'s {r.name} needs {r.duration} free minutes within {window}"


def _carer_text(s: Scenario, _: Presolved, group: Group) -> str:
    carer = s.carers[group.subject]
    hours = f", free {hours_text(carer.available)}" if carer.available is not None else ""
    return f"{carer.name} can escort one client at a time, travelling by {carer.travel_mode}{hours}"


def _practitioner_text(s: Scenario, _: Presolved, group: Group) -> str:
    prac = s.practitioners[group.subject]
    hours = f", works {hours_text(prac.available)}" if prac.available is not None else ""
    return f"{prac.name} can be in one place at a time{hours}"


def _journey_text(s: Scenario, _: Presolved, group: Group) -> str:
    origin, destination = s.venues[group.subject].name, s.venues[group.other].name
    return (
        f"no travel time is known from {origin} to {destination} by {group.detail}, so nobody "
        "goes straight from one to the other: give both venues lat/lon or add a travel.matrix entry"
    )


def _rooms_text(s: Scenario, _: Presolved, group: Group) -> str:
    venue = s.venues[group.subject]
    return f"{venue.name} holds {venue.rooms} session(s) at once"


def _client_limit_text(s: Scenario, _: Presolved, group: Group) -> str:
    client = s.clients[group.subject]
    return f"{client.name}'s limit {group.detail} = {getattr(client.limits, group.detail)}"


def _practitioner_limit_text(s: Scenario, _: Presolved, group: Group) -> str:
    prac = s.practitioners[group.subject]
    return f"{prac.name}'s limit {group.detail} = {getattr(prac.limits, group.detail)}"


def _escort_text(s: Scenario, _: Presolved, group: Group) -> str:
    client = s.clients[group.subject]
    carers = join_words(s.carers[k].name for k in client.carers) or "nobody"
    return (
        f"{client.name} never travels alone: every journey to and from a session is made with "
        f"{carers}, starting from home (nobody collects {client.name} from a routine elsewhere on the way)"
    )


def _alone_text(s: Scenario, _: Presolved, group: Group) -> str:
    client = s.clients[group.subject]
    carers = [s.carers[i] for i in client.carers]
    ways = [f"comes along with {join_words(k.name for k in carers) or 'nobody'}"]
    ways += [
        f"is at {r.name} {span_label(r.span.start, r.span.end)}"
        for r in client.routines
        if r.is_fixed and r.supervised
    ]
    if len(carers) > 1:
        hours = [f"{k.name} free {hours_text(k.available)}" for k in carers if k.available is not None]
        ways.append("stays at home with another of them" + (f" ({'; '.join(hours)})" if hours else ""))
    held = [
        f"{r.name} {span_label(r.span.start, r.span.end)} at "
        + ("home" if r.at == client.home else s.venues[r.at].name)
        for r in client.routines
        if r.is_fixed and not r.supervised
    ]
    text = f"{client.name} is never left alone: while a carer is out, {client.name} {join_words(ways, 'or')}"
    return text + (f"; {client.name}'s {join_words(held)} cannot move" if held else "")


_TEXTS: dict[RuleKind, Callable[[Scenario, Presolved, Group], str]] = {
    RuleKind.FREQUENCY: _frequency_text,
    RuleKind.PIN: _pin_text,
    RuleKind.ROLE: lambda s, presolved, group: _role_text(s, presolved, s.appointments[group.subject]),
    RuleKind.SEQUENCE: _sequence_text,
    RuleKind.CLIENT: _client_text,
    RuleKind.ROUTINE: _routine_text,
    RuleKind.CARER: _carer_text,
    RuleKind.PRACTITIONER: _practitioner_text,
    RuleKind.JOURNEY: _journey_text,
    RuleKind.ROOMS: _rooms_text,
    RuleKind.CLIENT_LIMIT: _client_limit_text,
    RuleKind.PRACTITIONER_LIMIT: _practitioner_limit_text,
    RuleKind.ESCORT: _escort_text,
    RuleKind.ALONE: _alone_text,
}
"""How each rule group is said (every kind has its words)."""
assert set(_TEXTS) == set(RuleKind), "every rule kind needs its words"
