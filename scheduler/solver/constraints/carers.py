"""Rule 5: a session that needs a carer has one of the client's carers, who keeps rule 3.

Which carer escorts is part of each option (pre-solve offers only the client's own carers,
when they are free). This family gives each carer's day a circuit over the sessions they
could escort and sessions of other groups they already escort, so a carer escorts one
client to one place at a time, with time to travel. In households (version 2) every
escorting carer has a circuit of their own, which rules 9 and 10 read, and may go home
between stops (rule 11).
"""

from __future__ import annotations

from scheduler.solver.constraints import Building
from scheduler.solver.rules import Group, RuleKind


def add_carer_days(b: Building) -> None:
    """Rule 5 for every carer whose day is not already kept by their client's circuit."""
    v = b.v
    escorting = {c for c, _ in v.index.options_by_carer_day} | set(v.index.fixed_by_carer)
    for carer in (v.scenario.carers[c] for c in sorted(escorting)):
        fixed = v.index.fixed_by_carer.get(carer.index, [])
        if not fixed and not v.households and _implied(b, carer.index):
            continue
        group = Group(RuleKind.CARER, carer.index)
        for g in v.scenario.days():
            options = v.index.options_by_carer_day.get((carer.index, g), [])
            if not options:
                continue
            b.budget.check()
            nodes = b.circuits.session_nodes(options) + b.circuits.fixed_session_nodes(fixed, g)
            b.circuits.add(
                "carer", carer.index, g, carer.travel_mode, carer.home, nodes, group, home_breaks=v.households
            )


def _implied(b: Building, carer: int) -> bool:
    """True when the client's own day already keeps this carer's rule 3.

    A carer who escorts one client only, from that client's home, by the client's mode,
    follows a subsequence of the client's stops; with travel that has no shortcut (no
    measured journeys for the mode) a subsequence never needs more time than the whole.
    """
    s = b.v.scenario
    person = s.carers[carer]
    clients = s.clients_of_carer(carer)
    if len(clients) != 1:
        return False
    (client,) = clients
    metric = not any(key[2] == person.travel_mode for key in s.travel.matrix)
    return metric and person.home == client.home and person.travel_mode == client.travel_mode
