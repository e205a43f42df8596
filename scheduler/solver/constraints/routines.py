"""Rule 4: a flexible routine keeps its free minutes in one piece inside its window.

(Fixed routines hold the client at their place: they are stops of the client's circuit,
see :mod:`scheduler.solver.constraints.places`.) On a day with sessions, each of the
client's stops has its journey to its successor as an interval placed anywhere in the gap
between them; the routine's free minutes are an interval of the window that overlaps
neither those journeys nor any session. Between two fixed stops (or the depot) a journey
takes no more than the data leaves for it, so that a clash in the data blocks no schedule.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
from scheduler.solver.circuits import DayCircuit, Node
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
            v.stop_interval(o, v.chosen[o.index]) for o in v.index.options_by_client_day[(client.index, g)]
        ]
        for k, r in flexible:
            assert r.duration is not None
            group = Group(RuleKind.ROUTINE, client.index, str(k))
            start = v.model.new_int_var(
                r.span.start, r.span.end - r.duration, f"routine {client.index} {k} {g}"
            )
            v.routine_start[(client.index, k, g)] = start
            free = v.model.new_optional_fixed_size_interval_var(start, r.duration, b.rules.holds(group), "")
            v.model.add_no_overlap([free, *sessions, *journeys])


def _journey_intervals(b: Building, circuit: DayCircuit) -> list[cp_model.IntervalVar]:
    """For each stop, the journey to its successor as an interval inside the gap between them."""
    m = b.v.model
    h = b.v.scenario.horizon
    out = []
    for i, a in enumerate(circuit.nodes):
        leaving = circuit.leaving(i)
        if not leaving:
            continue
        durations = {j: _journey_in_gap(b, circuit, i, j) for j in leaving}
        if not any(durations.values()):
            continue
        size = m.new_int_var(0, max(durations.values()), "")
        m.add(size == sum(arc * durations[j] for j, arc in leaving.items()))
        start = m.new_int_var(0, MINUTES_PER_DAY, "")
        end = m.new_int_var(0, MINUTES_PER_DAY, "")
        m.add(start >= (a.end if i != 0 else h.day_start))
        for j, arc in leaving.items():
            m.add(end <= (circuit.nodes[j].start if j != 0 else h.day_end)).only_enforce_if(arc)
        presence = a.present if a.present is not None else m.new_constant(1)
        out.append(m.new_optional_interval_var(start, size, end, presence, ""))
        circuit.departures[i] = (start, end)
    return out


def _journey_in_gap(b: Building, circuit: DayCircuit, i: int, j: int) -> int:
    """Minutes of the journey from node ``i`` to node ``j``; between fixed stops (or the
    depot) no more than the data leaves for it."""
    a: Node = circuit.nodes[i]
    z: Node = circuit.nodes[j]
    t = b.circuits.minutes(a.place, z.place, circuit.mode)
    if a.session is not None or z.session is not None:
        return t
    return max(0, min(t, b.circuits.time_between_fixed(circuit, i, j)))
