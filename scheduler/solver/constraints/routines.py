"""Rule 4: a flexible routine keeps its free minutes in one piece inside its window.

(Fixed routines hold the client at their place: they are stops of the client's circuit,
see :mod:`scheduler.solver.constraints.places`.) On a day with sessions (or stops as a
companion), each of the client's stops has its journey to its successor as an interval
placed anywhere in the gap between them (going home between two stops: the way out at the
start of the gap, the way back at its end); the routine's free minutes are an interval of
the window that overlaps neither those journeys nor any session. A routine at home
(version 2) also overlaps none of the stretches the client is away from home. Between two
fixed stops (or the depot) a journey takes no more than the data leaves for it, so that a
clash in the data blocks no schedule.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
from scheduler.solver.circuits import DayCircuit, Node, Route
from scheduler.solver.constraints import Building
from scheduler.solver.rules import Group, RuleKind


def add_flexible_routines(b: Building) -> None:
    """Rule 4 for every client day with sessions and a flexible routine."""
    v = b.v
    for circuit in b.circuits.of_kind("client"):
        client = v.scenario.clients[circuit.person]
        g = circuit.pattern_day
        flexible = [(k, r) for k, r in enumerate(client.routines) if r in client.flexible_routines_on(g % 7)]
        if not flexible:
            continue
        b.budget.check()
        journeys = _journey_intervals(b, circuit)
        sessions = [
            v.stop_interval(o, v.chosen[o.index])
            for o in v.index.options_by_client_day.get((client.index, g), [])
        ]
        for k, r in flexible:
            assert r.place in (None, client.home), "solve() refuses routines at another place"
            assert r.duration is not None
            group = Group(RuleKind.ROUTINE, client.index, str(k))
            start = v.model.new_int_var(
                r.span.start, r.span.end - r.duration, f"routine {client.index} {k} {g}"
            )
            v.routine_start[(client.index, k, g)] = start
            free = v.model.new_optional_fixed_size_interval_var(start, r.duration, b.rules.holds(group), "")
            v.model.add_no_overlap([free, *sessions, *journeys])
            if r.place is not None:
                # Apart from each stretch away (which may overlap a session inside a routine).
                for piece in b.circuits.away(circuit):
                    v.model.add_no_overlap([free, piece.interval])


def _journey_intervals(b: Building, circuit: DayCircuit) -> list[cp_model.IntervalVar]:
    """For each stop, the journey to its successor as an interval inside the gap between them;
    going home between two stops, the way out and the way back at the ends of the gap."""
    m = b.v.model
    h = b.v.scenario.horizon
    out = []
    for i, a in enumerate(circuit.nodes):
        leaving = circuit.routes_out_of(i)
        straight = [(j, r) for j, r in leaving if not r.via_home]
        for j, r in leaving:
            if r.via_home:
                there, back = r.legs
                z = circuit.nodes[j]
                leave, arrive = a.end, z.start - back.minutes
                out.append(m.new_optional_fixed_size_interval_var(leave, there.minutes, r.literal, ""))
                out.append(m.new_optional_fixed_size_interval_var(arrive, back.minutes, r.literal, ""))
        if not straight:
            continue
        durations = [(j, r, _journey_in_gap(b, circuit, i, j, r)) for j, r in straight]
        if not any(d for _, _, d in durations):
            continue
        size = m.new_int_var(0, max(d for _, _, d in durations), "")
        m.add(size == sum(r.literal * d for _, r, d in durations))
        start = m.new_int_var(0, MINUTES_PER_DAY, "")
        end = m.new_int_var(0, MINUTES_PER_DAY, "")
        m.add(start >= (a.end if i != 0 else h.day_start))
        for j, r, _ in durations:
            m.add(end <= (circuit.nodes[j].start if j != 0 else h.day_end)).only_enforce_if(r.literal)
        presence = a.present if a.present is not None else m.new_constant(1)
        out.append(m.new_optional_interval_var(start, size, end, presence, ""))
        circuit.departures[i] = (start, end)
    return out


def _journey_in_gap(b: Building, circuit: DayCircuit, i: int, j: int, route: Route) -> int:
    """Minutes of the route's journey from node ``i`` to node ``j``; between fixed stops (or
    the depot) no more than the data leaves for it."""
    a: Node = circuit.nodes[i]
    z: Node = circuit.nodes[j]
    if a.session is not None or z.session is not None:
        return route.minutes
    return max(0, min(route.minutes, b.circuits.time_between_fixed(circuit, i, j)))
