"""Rule 3: one place at a time, travel included, inside the day's bounds.

A client's day is a circuit from home over their session stops and fixed routines (rule 4's
fixed part: a routine holds the client at its place), and their sessions never overlap,
sessions inside a routine included. A practitioner's day is a circuit from their base over
their session stops, busy entries at a venue, and sessions of other groups already placed.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.model import Client
from scheduler.solver.circuits import Node
from scheduler.solver.constraints import Building
from scheduler.solver.presolve import Option
from scheduler.solver.rules import Group, RuleKind


def add_client_days(b: Building) -> None:
    """Rule 3 for every client of the model: a circuit per day with sessions, no overlap."""
    v = b.v
    for client in _clients(b):
        group = Group(RuleKind.CLIENT, client.index)
        for g in v.scenario.days():
            options = v.index.options_by_client_day.get((client.index, g), [])
            b.budget.check()
            no_overlap(b, options, group, extra=0)
            companions = companion_nodes(b, client, g) if client.supervision == "always" else []
            if not options and not companions:
                continue
            supervised = client.supervision != "none"
            nodes = b.circuits.session_nodes([o for o in options if o.inside is None], escorted=supervised)
            nodes += companions
            for node in nodes:
                if node.session in v.stop_end and not node.companion:
                    node.end = v.stop_end[node.session]  # a sequence's joined pair is one stop
                    node.joined = True
            for r in client.fixed_routines_on(g % 7):
                nodes.append(b.circuits.fixed_node(r.at, r.span.start, r.span.end))
            b.circuits.add(
                "client",
                client.index,
                g,
                client.travel_mode,
                client.home,
                nodes,
                group,
                home_breaks=v.households,
            )


def _clients(b: Building) -> list[Client]:
    """Clients of the model, and those who may come along with a carer of theirs who has a
    session to escort in the model."""
    v = b.v
    escorting = {carer for carer, _ in v.index.options_by_carer_day}
    return [
        c
        for c in v.scenario.clients
        if c in v.clients or (c.supervision == "always" and escorting.intersection(c.carers))
    ]


def companion_nodes(b: Building, client: Client, g: int) -> list[Node]:
    """A stop for each session away from ``client``'s home of another client that a carer of
    theirs may escort on pattern day ``g``, present when ``client`` comes along with that
    carer (at home there is nowhere to come along to)."""
    v = b.v
    nodes = []
    for carer in client.carers:
        stops: dict[tuple[int, int, int], list[Option]] = {}
        for o in v.index.options_by_carer_day.get((carer, g), []):
            if v.scenario.appointments[o.appointment].client != client.index and o.venue != client.home:
                stops.setdefault((o.appointment, g, o.venue), []).append(o)
        for key, members in sorted(stops.items()):
            comes = v.model.new_bool_var(f"companion {client.index} {carer} {key}")
            v.model.add_implication(comes, v.any_of(members))
            v.companion[(client.index, carer, key)] = comes
            nodes.append(b.circuits.stop_node(key, members, comes, {carer: comes}, companion=True))
    return nodes


def add_practitioner_days(b: Building) -> None:
    """Rule 3 for every practitioner: a circuit for each day with session options.

    A day without options is the same whatever is decided: its travel (busy entries at a
    venue) is a constant of the objective, counted when the model covers every appointment.
    """
    if not b.practitioner_circuits:
        return
    v = b.v
    circuits = b.circuits
    for prac in v.scenario.practitioners:
        group = Group(RuleKind.PRACTITIONER, prac.index)
        for g in v.scenario.days():
            options = v.index.options_by_practitioner_day.get((prac.index, g), [])
            if not options and not v.whole:
                continue
            b.budget.check()
            fixed = circuits.fixed_session_nodes(
                v.index.fixed_by_practitioner_day.get((prac.index, g), []), g
            )
            for busy in prac.busy_on(g // 7, g % 7):
                if busy.venue is not None:
                    fixed.append(circuits.fixed_node(busy.venue, busy.span.start, busy.span.end))
            if options:
                nodes = circuits.session_nodes(options) + fixed
                circuits.add("practitioner", prac.index, g, prac.travel_mode, prac.base, nodes, group)
            else:
                v.fixed_practitioner_travel += circuits.fixed_day_travel(fixed, prac.base, prac.travel_mode)


def no_overlap(b: Building, options: Sequence[Option], group: Group, *, extra: int) -> None:
    """Sessions of ``options`` do not overlap, with ``extra`` minutes after each, under ``group``."""
    if len(options) < 2:
        return
    v = b.v
    intervals = [v.stop_interval(o, b.rules.presence(v.chosen[o.index], group), extra) for o in options]
    v.model.add_no_overlap(intervals)
