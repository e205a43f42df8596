"""Rule 9: a client who never travels alone makes every planned journey with a carer.

A supervised client's stop knows which carer takes them there (the session's carer, or the
carer they come along with), and each leg of the client's routes to or from such a stop is
travelled with that carer, by the carer's mode (see :mod:`scheduler.solver.circuits`). This
family makes the carer's own day agree: the carer's route into that stop starts where the
client's leg starts, and the carer's route out of it goes where the client's leg goes. So
a carer cannot collect a child from school on the way (they would need a stop there), and
going home between two stops is done together.
"""

from __future__ import annotations

from scheduler.solver.circuits import DayCircuit, Route, RouteLeg
from scheduler.solver.constraints import Building
from scheduler.solver.rules import BoolVar, Group, RuleKind


def add_escorts(b: Building) -> None:
    """Rule 9 for every day circuit of a client with ``supervision`` ``escort`` or ``always``."""
    v = b.v
    carers = {(c.person, c.pattern_day): c for c in b.circuits.of_kind("carer")}
    for c in b.circuits.of_kind("client"):
        client = v.scenario.clients[c.person]
        if client.supervision == "none":
            continue
        b.budget.check()
        group = Group(RuleKind.ESCORT, client.index)
        for (i, j), routes in c.routes.items():
            for route in routes:
                for k, leg in enumerate(route.legs):
                    if leg.escort is None:
                        continue
                    escort = carers.get((leg.escort, c.pattern_day))
                    # The leg goes to a stop the carer takes the client to, or leaves one;
                    # a straight route's one leg may do both.
                    goes_to = j if (not route.via_home or k == 1) and _escorted(c, j) else None
                    leaves = i if (not route.via_home or k == 0) and _escorted(c, i) else None
                    if goes_to is not None:
                        _match(b, route, group, _into(c, goes_to, escort, leg))
                    if leaves is not None:
                        _match(b, route, group, _out_of(c, leaves, escort, leg))


def _escorted(c: DayCircuit, i: int) -> bool:
    """True when node ``i`` is a stop away from home that a carer takes the client to."""
    return bool(c.nodes[i].escorts) and not c.at_home(i)


def _match(b: Building, route: Route, group: Group, matches: list[BoolVar]) -> None:
    """The client's route is taken only with one of the carer's ``matches``."""
    b.rules.enforce(b.v.model.add_bool_or([route.literal.negated(), *matches]), group)


def _into(c: DayCircuit, j: int, escort: DayCircuit | None, leg: RouteLeg) -> list[BoolVar]:
    """The escort's routes into the stop of node ``j`` whose last leg starts where ``leg`` does."""
    key = c.nodes[j].key
    node = None if escort is None or key is None else escort.node_of(key)
    if escort is None or node is None:
        return []
    return [r.literal for _, r in escort.routes_into(node) if r.legs and r.legs[-1].origin == leg.origin]


def _out_of(c: DayCircuit, i: int, escort: DayCircuit | None, leg: RouteLeg) -> list[BoolVar]:
    """The escort's routes out of the stop of node ``i`` whose first leg goes where ``leg`` does."""
    key = c.nodes[i].key
    node = None if escort is None or key is None else escort.node_of(key)
    if escort is None or node is None:
        return []
    routes = escort.routes_out_of(node)
    return [r.literal for _, r in routes if r.legs and r.legs[0].destination == leg.destination]
