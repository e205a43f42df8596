"""A person's day as a circuit over its stops, with travel on every arc (PyJobShop-style).

Node 0 is the depot (home or base). Fixed stops (routines, busy entries at a venue,
sessions of other groups) are mandatory nodes; a session stop is present when one of its
options is chosen. An arc literal from stop i to stop j forces j to start after i ends plus
the travel between their places. Arcs are made only between stops that can follow each
other: in time order for two fixed stops, and for a session only when the journey is known
and, going by the earliest and latest starts pre-solve left, fits in time. Arc literals
also give the travel and waiting terms of the objective, and the itineraries.

Used by the one-place-at-a-time families: clients and practitioners
(:mod:`scheduler.solver.constraints.places`) and carers
(:mod:`scheduler.solver.constraints.carers`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.model import PersonKind, Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.presolve import Option
from scheduler.solver.rules import BoolVar, Group, RuleKind, Rules
from scheduler.solver.variables import AppointmentDay, Expr, Variables
from scheduler.travel import Travel


@dataclass
class Node:
    """A stop in one person's day; ``present`` None means the stop is fixed (always there)."""

    place: int | None
    start: Expr
    end: Expr
    earliest: int
    latest: int
    duration: int
    present: BoolVar | None
    session: AppointmentDay | None = None


@dataclass
class DayCircuit:
    """A person's day as a circuit: node 0 is the depot."""

    kind: PersonKind
    person: int
    pattern_day: int
    mode: str
    nodes: list[Node]
    arcs: dict[tuple[int, int], BoolVar]
    departures: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = field(default_factory=dict)
    """Node -> (start, end) of the journey leaving it, where a flexible routine needs it
    placed (see :mod:`scheduler.solver.constraints.routines`)."""
    _leaving: dict[int, dict[int, BoolVar]] | None = field(default=None, repr=False)

    def leaving(self, i: int) -> dict[int, BoolVar]:
        """Arcs leaving node ``i``, by head."""
        if self._leaving is None:
            self._leaving = {}
            for (tail, head), arc in self.arcs.items():
                self._leaving.setdefault(tail, {})[head] = arc
        return self._leaving.get(i, {})


class Circuits:
    """Builds day circuits of one model and keeps them for the objective and the read-back."""

    def __init__(self, variables: Variables, rules: Rules, travel: Travel) -> None:
        self.v = variables
        self.rules = rules
        self.travel = travel
        self.scenario: Scenario = variables.scenario
        self.all: list[DayCircuit] = []

    # ------------------------------------------------------------------ stops

    def session_nodes(self, options: Sequence[Option]) -> list[Node]:
        """One stop per appointment, day and venue: options that differ only in who attends
        or escorts are the same stop for this person, so they share a node."""
        groups: dict[tuple[int, int, int], list[Option]] = {}
        for o in options:
            groups.setdefault((o.appointment, o.pattern_day, o.venue), []).append(o)
        slot = self.scenario.horizon.slot
        nodes = []
        for (a, g, venue), members in groups.items():
            start = self.v.start_slot[(a, g)] * slot
            d = self.scenario.appointments[a].duration
            nodes.append(
                Node(
                    place=venue,
                    start=start,
                    end=start + d,
                    earliest=min(o.slots[0][0] for o in members) * slot,
                    latest=max(o.slots[-1][1] for o in members) * slot,
                    duration=d,
                    present=self.v.any_of(members),
                    session=(a, g),
                )
            )
        return nodes

    @staticmethod
    def fixed_node(place: int, start: int, end: int) -> Node:
        """A stop that is always there: a routine, a busy entry, a session of another group."""
        return Node(place, start, end, start, start, end - start, None, None)

    def fixed_session_nodes(self, fixed: Sequence[PlacedSession], g: int) -> list[Node]:
        """Stops of sessions already placed (of other groups) on pattern day ``g``."""
        return [self.fixed_node(f.venue, f.start, f.end) for f in fixed if f.pattern_day == g]

    # ---------------------------------------------------------------- circuit

    def add(
        self,
        kind: PersonKind,
        person: int,
        g: int,
        mode: str,
        depot: int | None,
        stops: list[Node],
        group: Group,
    ) -> DayCircuit:
        """One circuit over ``stops`` through the depot, with travel on every arc, under ``group``."""
        m = self.v.model
        h = self.scenario.horizon
        depot_node = Node(depot, h.day_start, h.day_end, h.day_start, h.day_start, 0, None)
        nodes = [depot_node, *stops]
        arcs: dict[tuple[int, int], BoolVar] = {}
        triples: list[tuple[int, int, cp_model.LiteralT]] = []
        for (i, a), (j, b) in itertools.permutations(enumerate(nodes), 2):
            if not self._may_follow(a, b, mode, i, j):
                continue
            arc = m.new_bool_var("")
            arcs[(i, j)] = arc
            triples.append((i, j, arc))
            self._arc_time(i, j, a, b, arc, mode, group)
        for j, b in enumerate(nodes[1:], start=1):
            if b.present is not None:
                triples.append((j, j, b.present.negated()))
        if all(b.present is not None for b in stops):
            idle = m.new_bool_var("")
            triples.append((0, 0, idle))
            for b in stops:
                assert b.present is not None
                m.add_implication(b.present, idle.negated())
        m.add_circuit(triples)
        circuit = DayCircuit(kind, person, g, mode, nodes, arcs)
        self.all.append(circuit)
        return circuit

    def of_kind(self, kind: PersonKind) -> list[DayCircuit]:
        """The circuits of clients, carers or practitioners."""
        return [c for c in self.all if c.kind == kind]

    def _may_follow(self, a: Node, b: Node, mode: str, i: int, j: int) -> bool:
        """Whether the circuit gets an arc from stop ``a`` (node ``i``) to ``b`` (node ``j``)."""
        decided = a.session is not None or b.session is not None
        if not decided and i != 0 and j != 0:
            # Two fixed stops keep the order of their start times; a clash between them is a
            # fault of the data, not of any schedule (the validator does not report it either).
            return (a.earliest, i) < (b.earliest, j)
        if a.session is not None and a.session == b.session:
            return False
        if not decided or self.rules.explaining:
            # The depot and a fixed stop: the data's journey. Explaining: travel must stay a
            # rule that can be switched off, so every arc stays (see _arc_time).
            return True
        if not self.journey_known(a.place, b.place, mode):
            return False
        if i == 0 or j == 0:
            return True
        return a.earliest + a.duration + self.minutes(a.place, b.place, mode) <= b.latest

    def journey_known(self, a: int | None, b: int | None, mode: str) -> bool:
        """False when the scenario gives no journey between the two places: none is made."""
        return a is None or b is None or self.travel.find(a, b, mode) is not None

    def minutes(self, a: int | None, b: int | None, mode: str) -> int:
        """Travel minutes between two places; 0 when either is unknown (no depot) or the
        scenario gives no journey (an arc needing one is never made, see _may_follow)."""
        if a is None or b is None:
            return 0
        journey = self.travel.find(a, b, mode)
        return 0 if journey is None else journey.minutes

    def time_between_fixed(self, c: DayCircuit, i: int, j: int) -> int:
        """Minutes the data leaves between fixed stops (or the depot) ``i`` and ``j`` of ``c``."""
        h = self.scenario.horizon
        a, b = c.nodes[i], c.nodes[j]
        leave = h.day_start if i == 0 else a.earliest + a.duration
        arrive = h.day_end if j == 0 else b.earliest
        return arrive - leave

    def fixed_day_travel(self, stops: Sequence[Node], depot: int | None, mode: str) -> int:
        """Travel minutes of a day made of fixed stops only: the same whatever is decided."""
        places = [n.place for n in sorted(stops, key=lambda n: n.earliest)]
        if not places:
            return 0
        if depot is not None:
            places = [depot, *places, depot]
        return sum(self.minutes(a, b, mode) for a, b in itertools.pairwise(places))

    def _arc_time(self, i: int, j: int, a: Node, b: Node, arc: BoolVar, mode: str, group: Group) -> None:
        """If the arc is used, ``b`` starts after ``a`` ends plus travel; depot arcs keep the day bounds."""
        if a.session is None and b.session is None:
            return  # between fixed stops and the depot: the data's journey, not a decision
        m = self.v.model
        if not self.journey_known(a.place, b.place, mode):
            # Only when explaining (otherwise there is no such arc): the journey is a rule of its own.
            assert a.place is not None
            assert b.place is not None
            journey = Group(RuleKind.JOURNEY, a.place, mode, b.place)
            self.rules.enforce(self.rules.enforce(m.add_bool_or([arc.negated()]), group), journey)
            return
        h = self.scenario.horizon
        t = self.minutes(a.place, b.place, mode)
        if i == 0:
            if a.place is None or b.place == a.place:
                return
            constraint = m.add(b.start >= h.day_start + t)
        elif j == 0:
            if b.place is None or a.place == b.place:
                return
            constraint = m.add(a.end + t <= h.day_end)
        else:
            constraint = m.add(b.start >= a.end + t)
        self.rules.enforce(constraint.only_enforce_if(arc), group)
