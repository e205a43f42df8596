"""Rule 10: a client with ``supervision: "always"`` is never left alone by the plan.

Each stretch a carer is away from home (:meth:`scheduler.solver.circuits.Circuits.away`: a
stop, a leg, the wait between two stops) leaves each such client of theirs in company:

- with the carer: the client is at that stop (their own session, or coming along as a
  companion); rule 9 then takes them along on the carer's legs to and from it;
- inside one of the client's supervised fixed routines (nursery, school) for all of it;
- or at home with another of their carers who lives there, is available for all of it, and
  is away at no moment of it (their own stretches away must not overlap it).

Each stretch is judged from the carer's day, which does not say where the client is: so the
client's own waits are kept in company too. A client who waits at one place between two
stops (no journey between them) waits there with a carer who takes them to both and stays
between them; otherwise one carer could leave them at the clinic and another come for them
later, or a carer go home while they wait, with the other carer "at home" with nobody.

A stretch is judged on its own, so a stretch half in nursery and half at home with Dad is
refused, though the validator would accept it: the rule is kept, a little strictly.
"""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
from scheduler.model import Carer, Client
from scheduler.solver.circuits import Away, DayCircuit
from scheduler.solver.constraints import Building
from scheduler.solver.rules import BoolVar, Group, RuleKind

Intervals = list[cp_model.IntervalVar]


def add_never_alone(b: Building) -> None:
    """Rule 10 for every client who is never left alone, on every day a carer of theirs goes out."""
    v = b.v
    carers = {(c.person, c.pattern_day): c for c in b.circuits.of_kind("carer")}
    own_days: dict[int, list[DayCircuit]] = {}
    for c in b.circuits.of_kind("client"):
        own_days.setdefault(c.person, []).append(c)
    for client in v.scenario.clients:
        if client.supervision != "always":
            continue
        group = Group(RuleKind.ALONE, client.index)
        for carer in client.carers:
            for g in v.scenario.days():
                out = carers.get((carer, g))
                if out is None:
                    continue
                b.budget.check()
                _keep_company(b, client, out, carers, group)
        for c in own_days.get(client.index, []):
            _wait_in_company(b, c, carers, group)


def _keep_company(
    b: Building, client: Client, out: DayCircuit, carers: dict[tuple[int, int], DayCircuit], group: Group
) -> None:
    """Every stretch ``out``'s carer is away leaves ``client`` with them, in a supervised
    routine, or at home with another carer."""
    v = b.v
    m = v.model
    g = out.pattern_day
    day = g % 7
    routines = [r.span for r in client.fixed_routines_on(day) if r.supervised]
    spans = sorted(
        (r.span.start, r.span.end)
        for r in client.fixed_routines_on(day)
        if not r.supervised and r.at != client.home
    )
    elsewhere = [m.new_fixed_size_interval_var(start, end - start, "") for start, end in spans]
    minders = [v.scenario.carers[k] for k in client.carers if k != out.person]
    minders = [k for k in minders if k.home == client.home]
    at_home: dict[int, list[cp_model.IntervalVar]] = {k.index: [] for k in minders}
    for piece in b.circuits.away(out):
        company = _with_carer(b, client, out, piece)
        if company is True or any(piece.within(span.start, span.end) for span in routines):
            continue
        cover: list[BoolVar] = [] if company is False else [company]
        # Only the routines and minders' hours the stretch may fall within, going by the
        # starts pre-solve left; those it falls within whatever is decided need no timing.
        for span in routines:
            if piece.within(span.start, span.end) is False:
                continue
            inside = m.new_bool_var("")
            m.add(piece.start >= span.start).only_enforce_if(inside)
            m.add(piece.end <= span.end).only_enforce_if(inside)
            cover.append(inside)
        for minder in minders:
            for low, high in _hours(minder, day):
                fits = piece.within(low, high)
                if fits is False:
                    continue
                home = m.new_bool_var("")
                m.add_implication(home, piece.present)
                if fits is None:
                    m.add(piece.start >= low).only_enforce_if(home)
                    m.add(piece.end <= high).only_enforce_if(home)
                size = m.new_int_var(0, high - low, "")
                stretch = m.new_optional_interval_var(piece.start, size, piece.end, home, "")
                at_home[minder.index].append(stretch)
                cover.append(home)
        b.rules.enforce(m.add_bool_or([piece.present.negated(), *cover]), group)
    sequential = b.circuits.away_disjoint(out)
    for minder in minders:
        stretches = at_home[minder.index]
        if not stretches:
            continue
        minder_day = carers.get((minder.index, g))
        minder_away = [] if minder_day is None else [p.interval for p in b.circuits.away(minder_day)]
        # At home with the minder: the minder is out at no moment of it, nor the client
        # elsewhere. The stretches of one carer's day never overlap one another, nor do the
        # minder's or the client's routines elsewhere when the data leaves room between them:
        # then one constraint each keeps them apart (else one per pair).
        minder_sequential = minder_day is None or b.circuits.away_disjoint(minder_day)
        _apart(m, stretches, minder_away, together=sequential and minder_sequential)
        _apart(m, stretches, elsewhere, together=sequential and _disjoint(spans))


def _wait_in_company(
    b: Building, c: DayCircuit, carers: dict[tuple[int, int], DayCircuit], group: Group
) -> None:
    """Between two stops at one place, the client of ``c`` waits with a carer who takes them
    to both and goes straight from one to the other."""
    for (i, j), routes in c.routes.items():
        a, z = c.nodes[i], c.nodes[j]
        waits = [route for route in routes if not route.legs]
        if (
            not (waits and a.escorts and z.escorts)
            or a.key is None
            or z.key is None
            or c.at_home(i)
            or c.at_home(j)
        ):
            continue
        stays: list[BoolVar] = []
        for k in sorted(set(a.escorts) & set(z.escorts)):
            day = carers.get((k, c.pattern_day))
            if day is None:
                continue
            first, then = day.node_of(a.key), day.node_of(z.key)
            if first is not None and then is not None:
                stays += [r.literal for r in day.routes.get((first, then), []) if not r.legs]
        for route in waits:
            b.rules.enforce(b.v.model.add_bool_or([route.literal.negated(), *stays]), group)


def _apart(m: cp_model.CpModel, ours: Intervals, theirs: Intervals, *, together: bool) -> None:
    """No interval of ``ours`` overlaps one of ``theirs``: as one no-overlap when neither list
    overlaps itself (``together``), else pair by pair."""
    if not theirs:
        return
    if together:
        m.add_no_overlap([*ours, *theirs])
        return
    for a in ours:
        for z in theirs:
            m.add_no_overlap([a, z])


def _disjoint(spans: list[tuple[int, int]]) -> bool:
    """Whether sorted ``spans`` leave one another alone."""
    return all(a[1] <= z[0] for a, z in itertools.pairwise(spans))


def _with_carer(b: Building, client: Client, out: DayCircuit, piece: Away) -> BoolVar | bool:
    """Whether ``client`` is with the carer of ``out`` during ``piece``: True at the client's
    own session, their companion literal at another client's, False at any other stop. On a
    leg of going home between two stops, only if the client goes home then too (otherwise
    the carer leaves them waiting at the stop)."""
    key = out.nodes[piece.node].key
    if key is None:
        return False
    own = b.v.scenario.appointments[key[0]].client == client.index
    along = True if own else b.v.companion.get((client.index, out.person, key), False)
    if piece.home_break is None or along is False:
        return along
    day = (client.index, out.pattern_day)
    mine = next((c for c in b.circuits.of_kind("client") if (c.person, c.pattern_day) == day), None)
    node = None if mine is None else _stop_of(mine, key, companion=not own)
    if mine is None or node is None:
        return False
    routes = mine.routes_out_of(node) if piece.home_break == "out" else mine.routes_into(node)
    return b.v.either([r.literal for _, r in routes if r.via_home])


def _stop_of(c: DayCircuit, key: tuple[int, int, int], *, companion: bool) -> int | None:
    """The node of session stop ``key`` in ``c``: the client's own, or their companion's stop."""
    return next((i for i, n in enumerate(c.nodes) if n.key == key and n.companion == companion), None)


def _hours(carer: Carer, day: int) -> list[tuple[int, int]]:
    """The carer's available spans on ``day`` (the whole day when they give no hours)."""
    if carer.available is None:
        return [(0, MINUTES_PER_DAY)]
    return [(s.start, s.end) for s in carer.available.on(day)]
