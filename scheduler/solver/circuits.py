"""A person's day as a circuit over its stops, with travel on every arc (PyJobShop-style).

Node 0 is the depot (home or base). Fixed stops (routines, busy entries at a venue,
sessions of other groups) are mandatory nodes; a session stop is present when one of its
options is chosen. An arc literal from stop i to stop j forces j to start after i ends plus
the travel between their places. Arcs are made only between stops that can follow each
other: in time order for two fixed stops, and for a session only when the journey is known
and, going by the earliest and latest starts pre-solve left, fits in time.

Each arc is travelled by one of its :class:`Route` s: straight from one place to the other,
or, in households (version 2, rule 11), home and back in between. A supervised client's
route also says which carer each leg is travelled with, and goes by that carer's mode
(rule 9 matches it with the carer's own route, see
:mod:`scheduler.solver.constraints.escort`). Routes give the travel and waiting terms of
the objective, the itineraries, and the stretches a person is away from home
(:meth:`Circuits.away`) that rules 4 and 10 read.

Used by the one-place-at-a-time families: clients and practitioners
(:mod:`scheduler.solver.constraints.places`) and carers
(:mod:`scheduler.solver.constraints.carers`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
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
    key: tuple[int, int, int] | None = None
    """(appointment, pattern day, venue) of a session stop: the same stop in everyone's day."""
    escorts: Mapping[int, BoolVar] = field(default_factory=dict)
    """Carer -> a literal true when that carer takes the (supervised) client to this stop."""
    companion: bool = False
    """True for another person's session the client comes along to (version 2)."""
    joined: bool = False
    """True when the stop ends later than its start plus ``duration``: a sequence's joined
    pair, which ends with the second session (:attr:`Variables.stop_end`)."""

    @property
    def planned(self) -> bool:
        """True for a stop the plan decides: a session, the person's own or as a companion."""
        return self.session is not None

    @property
    def own_session(self) -> bool:
        """True for the person's own session (not a companion's stop, not a fixed stop)."""
        return self.session is not None and not self.companion


@dataclass(frozen=True)
class RouteLeg:
    """One journey of a route: places, minutes and pence, and the carer it is travelled with."""

    origin: int
    destination: int
    minutes: int
    pence: int
    escort: int | None = None


@dataclass(frozen=True)
class Route:
    """One way of travelling an arc, true when ``literal`` is: straight to the next stop
    (one leg, or none between stops at one place), or home and back in between (rule 11)."""

    literal: BoolVar
    legs: tuple[RouteLeg, ...]
    via_home: bool = False

    @property
    def minutes(self) -> int:
        """Travel minutes of every leg."""
        return sum(leg.minutes for leg in self.legs)


@dataclass(frozen=True)
class Away:
    """A stretch a person is away from home: at a stop, or on a route (legs and waiting).

    ``node`` is the stop whose company says who is with the person then: the stop itself,
    the stop a leg goes to, or the stop a leg leaves when it goes home.
    """

    interval: cp_model.IntervalVar
    start: Expr
    end: Expr
    present: BoolVar
    node: int
    home_break: Literal["out", "back"] | None = None
    """Going home between two stops (rule 11): the leg home from ``node``, or back to it."""
    starts: tuple[int, int] = (0, MINUTES_PER_DAY)
    """The earliest and latest start the stops' start domains allow (minutes of the day)."""
    ends: tuple[int, int] = (0, MINUTES_PER_DAY)
    """The earliest and latest end likewise."""

    def within(self, start: int, end: int) -> bool | None:
        """Whether the stretch lies within ``start``-``end``: True or False whatever is
        decided, None when that depends on the plan."""
        if self.starts[0] >= start and self.ends[1] <= end:
            return True
        if self.starts[1] < start or self.ends[0] > end or self.ends[0] - self.starts[1] > end - start:
            return False
        return None


@dataclass
class DayCircuit:
    """A person's day as a circuit: node 0 is the depot."""

    kind: PersonKind
    person: int
    pattern_day: int
    mode: str
    nodes: list[Node]
    arcs: dict[tuple[int, int], BoolVar]
    routes: dict[tuple[int, int], list[Route]] = field(default_factory=dict)
    """Arc -> the ways it may be travelled; exactly one is taken when the arc is."""
    departures: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = field(default_factory=dict)
    """Node -> (start, end) of the journey leaving it, where a flexible routine needs it
    placed (see :mod:`scheduler.solver.constraints.routines`)."""
    _leaving: dict[int, dict[int, BoolVar]] | None = field(default=None, repr=False)
    _away: list[Away] | None = field(default=None, repr=False)

    @property
    def depot(self) -> int | None:
        """The depot's place (home or base), None for a person without one."""
        return self.nodes[0].place

    def at_home(self, i: int) -> bool:
        """True when node ``i`` is the depot or a stop at the depot's place."""
        return i == 0 or (self.depot is not None and self.nodes[i].place == self.depot)

    def routes_into(self, j: int) -> list[tuple[int, Route]]:
        """(tail, route) of every route into node ``j``."""
        return [(i, r) for (i, head), routes in self.routes.items() if head == j for r in routes]

    def routes_out_of(self, i: int) -> list[tuple[int, Route]]:
        """(head, route) of every route out of node ``i``."""
        return [(j, r) for (tail, j), routes in self.routes.items() if tail == i for r in routes]

    def node_of(self, key: tuple[int, int, int]) -> int | None:
        """The node of the session stop ``key`` in this day, if it has one."""
        for i, n in enumerate(self.nodes):
            if n.key == key and not n.companion:
                return i
        return None

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

    def session_nodes(self, options: Sequence[Option], *, escorted: bool = False) -> list[Node]:
        """One stop per appointment, day and venue: options that differ only in who attends
        or escorts are the same stop for this person, so they share a node. ``escorted``:
        the stop knows which carer takes the client (a supervised client's day)."""
        groups: dict[tuple[int, int, int], list[Option]] = {}
        for o in options:
            groups.setdefault((o.appointment, o.pattern_day, o.venue), []).append(o)
        nodes = []
        for key, members in groups.items():
            escorts: dict[int, BoolVar] = {}
            if escorted:
                for carer in sorted({o.carer for o in members if o.carer is not None}):
                    escorts[carer] = self.v.any_of([o for o in members if o.carer == carer])
            nodes.append(self.stop_node(key, members, self.v.any_of(members), escorts))
        return nodes

    def stop_node(
        self,
        key: tuple[int, int, int],
        members: Sequence[Option],
        present: BoolVar,
        escorts: Mapping[int, BoolVar],
        *,
        companion: bool = False,
    ) -> Node:
        """The stop of session ``key`` (appointment, pattern day, venue) offered by ``members``,
        there when ``present`` is true."""
        a, g, venue = key
        slot = self.scenario.horizon.slot
        start = self.v.start_slot[(a, g)] * slot
        d = self.scenario.appointments[a].duration
        return Node(
            place=venue,
            start=start,
            end=start + d,
            earliest=min(o.slots[0][0] for o in members) * slot,
            latest=max(o.slots[-1][1] for o in members) * slot,
            duration=d,
            present=present,
            session=(a, g),
            key=key,
            escorts=escorts,
            companion=companion,
        )

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
        *,
        home_breaks: bool = False,
    ) -> DayCircuit:
        """One circuit over ``stops`` through the depot, with travel on every arc, under ``group``.

        ``home_breaks``: between two stops away from the depot the person may go home and
        back (rule 11). Stops with ``escorts`` are travelled to and from with a carer, by
        the carer's mode (rule 9).
        """
        m = self.v.model
        h = self.scenario.horizon
        depot_node = Node(depot, h.day_start, h.day_end, h.day_start, h.day_start, 0, None)
        nodes = [depot_node, *stops]
        circuit = DayCircuit(kind, person, g, mode, nodes, {})
        triples: list[tuple[int, int, cp_model.LiteralT]] = []
        via = depot if home_breaks else None
        for (i, a), (j, b) in itertools.permutations(enumerate(nodes), 2):
            if not self._may_follow(a, b, self._modes(mode, a, b), i, j, via):
                continue
            arc = m.new_bool_var("")
            circuit.arcs[(i, j)] = arc
            triples.append((i, j, arc))
            self._route(circuit, i, j, arc, group, home_breaks)
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
        self.all.append(circuit)
        return circuit

    def of_kind(self, kind: PersonKind) -> list[DayCircuit]:
        """The circuits of clients, carers or practitioners."""
        return [c for c in self.all if c.kind == kind]

    def _modes(self, mode: str, a: Node, b: Node) -> set[str]:
        """Modes an arc from ``a`` to ``b`` may be travelled by: the person's, or their escorts'."""
        carers = self.scenario.carers
        return {mode} | {carers[k].travel_mode for end in (a, b) for k in end.escorts}

    def _may_follow(self, a: Node, b: Node, modes: set[str], i: int, j: int, via: int | None) -> bool:
        """Whether the circuit gets an arc from stop ``a`` (node ``i``) to ``b`` (node ``j``).
        ``via`` is the home a route may go by between them (rule 11): measured journeys need
        not keep the triangle inequality, so going home and back may be the faster way."""
        decided = a.session is not None or b.session is not None
        if not decided and i != 0 and j != 0:
            # Two fixed stops keep the order of their start times; a clash between them is a
            # fault of the data, not of any schedule (the validator does not report it either).
            return (a.earliest, i) < (b.earliest, j)
        if a.session is not None and a.session == b.session:
            return False
        if not decided or self.rules.explaining:
            # The depot and a fixed stop: the data's journey. Explaining: travel must stay a
            # rule that can be switched off, so every arc stays (see _route).
            return True
        if i == 0 or j == 0:
            return any(self.journey_known(a.place, b.place, mode) for mode in modes)
        ways = [self._fastest(a.place, b.place, modes)]
        if via is not None and via not in (a.place, b.place):
            there, back = self._fastest(a.place, via, modes), self._fastest(via, b.place, modes)
            ways.append(None if there is None or back is None else there + back)
        known = [minutes for minutes in ways if minutes is not None]
        if not known:
            return False
        fastest = min(known)
        return a.earliest + a.duration + fastest <= b.latest

    def _fastest(self, a: int | None, b: int | None, modes: set[str]) -> int | None:
        """The fewest minutes from ``a`` to ``b`` by any of ``modes``; None when the scenario
        gives no journey by any."""
        known = [self.minutes(a, b, mode) for mode in modes if self.journey_known(a, b, mode)]
        return min(known, default=None)

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

    # ----------------------------------------------------------------- routes

    def _route(self, c: DayCircuit, i: int, j: int, arc: BoolVar, group: Group, home_breaks: bool) -> None:
        """The ways of travelling arc (i, j), each timed: exactly one is taken with the arc."""
        m = self.v.model
        a, b = c.nodes[i], c.nodes[j]
        if a.place is None or b.place is None:
            c.routes[(i, j)] = [Route(arc, ())]
            return
        shapes: list[tuple[tuple[tuple[int, int, Node | None], ...], bool]] = []
        # A shape: the route's legs as (origin, destination, the stop whose escort takes it).
        # Only a stop away from home needs company on the way (the school run home does not).
        escort_a = a if a.escorts and not c.at_home(i) else None
        escort_b = b if b.escorts and not c.at_home(j) else None
        if a.place == b.place:
            shapes.append(((), False))
        else:
            shapes.append((((a.place, b.place, escort_b or escort_a),), False))
        depot = c.depot
        if (
            home_breaks
            and depot is not None
            and (a.session is not None or b.session is not None)
            and not c.at_home(i)
            and not c.at_home(j)
        ):
            shapes.append((((a.place, depot, escort_a), (depot, b.place, escort_b)), True))
        candidates: list[tuple[tuple[RouteLeg, ...], bool, list[BoolVar]]] = []
        for legs, via_home in shapes:
            for chosen in self._escorted(legs, c.mode):
                if chosen is None:
                    continue
                minutes = sum(leg.minutes for leg, _ in chosen)
                if via_home and not self.rules.explaining and a.earliest + a.duration + minutes > b.latest:
                    continue  # no time to go home and back, going by the starts pre-solve left
                escorts = [lit for _, lit in chosen if lit is not None]
                candidates.append((tuple(leg for leg, _ in chosen), via_home, escorts))
        if not candidates:
            if self.rules.explaining and (a.session is not None or b.session is not None):
                journey = Group(RuleKind.JOURNEY, a.place, c.mode, b.place)
                self.rules.enforce(self.rules.enforce(m.add_bool_or([arc.negated()]), group), journey)
            else:
                m.add_bool_or([arc.negated()])
            c.routes[(i, j)] = []
            return
        if len(candidates) == 1 and not candidates[0][2]:
            literals = [arc]
        else:
            literals = [m.new_bool_var("") for _ in candidates]
            m.add(sum(literals) == arc)
        routes = []
        for literal, (legs_, via_home, escorts) in zip(literals, candidates, strict=True):
            for escort in escorts:
                m.add_implication(literal, escort)
            routes.append(Route(literal, legs_, via_home))
            self._time(c, i, j, literal, sum(leg.minutes for leg in legs_), group)
        c.routes[(i, j)] = routes

    def _escorted(
        self, legs: tuple[tuple[int, int, Node | None], ...], mode: str
    ) -> list[list[tuple[RouteLeg, BoolVar | None]] | None]:
        """Every way of travelling ``legs``: each leg by the person's mode, or, to or from a
        stop with escorts, with one of them by their mode (with the escort's literal).
        None for a way that needs a journey the scenario cannot give."""
        ways: list[list[tuple[RouteLeg, BoolVar | None]] | None] = [[]]
        for origin, destination, stop in legs:
            choices: list[tuple[int | None, str, BoolVar | None]]
            if stop is not None and stop.escorts:
                carers = self.scenario.carers
                choices = [(k, carers[k].travel_mode, lit) for k, lit in stop.escorts.items()]
            else:
                choices = [(None, mode, None)]
            grown: list[list[tuple[RouteLeg, BoolVar | None]] | None] = []
            for way in ways:
                for carer, by, lit in choices:
                    journey = self.travel.find(origin, destination, by)
                    if way is None or journey is None:
                        grown.append(None)
                        continue
                    leg = RouteLeg(origin, destination, journey.minutes, journey.pence, carer)
                    grown.append([*way, (leg, lit)])
            ways = grown
        return ways

    def _time(self, c: DayCircuit, i: int, j: int, literal: BoolVar, minutes: int, group: Group) -> None:
        """If the route is taken, ``j`` starts after ``i`` ends plus its travel; depot routes
        keep the day's bounds. Routes between fixed stops are the data's: not timed."""
        a, b = c.nodes[i], c.nodes[j]
        if a.session is None and b.session is None:
            return
        m = self.v.model
        h = self.scenario.horizon
        if i == 0:
            if minutes == 0:
                return
            constraint = m.add(b.start >= h.day_start + minutes)
        elif j == 0:
            if minutes == 0:
                return
            constraint = m.add(a.end + minutes <= h.day_end)
        else:
            constraint = m.add(b.start >= a.end + minutes)
        self.rules.enforce(constraint.only_enforce_if(literal), group)

    # ------------------------------------------------------------- away from home

    def away_disjoint(self, c: DayCircuit) -> bool:
        """True when the stretches of :meth:`away` never overlap one another: the data's fixed
        stops do not overlap and leave time for their journeys (otherwise a fault of the data,
        which no decision mends, could make two of them overlap)."""
        fixed = sorted((n.earliest, i) for i, n in enumerate(c.nodes) if i and n.present is None)
        for (_, i), (_, j) in itertools.pairwise(fixed):
            a = c.nodes[i]
            longest = max((r.minutes for r in c.routes.get((i, j), [])), default=0)
            if a.earliest + a.duration + longest > c.nodes[j].earliest:
                return False
        return True

    def away(self, c: DayCircuit) -> list[Away]:
        """The stretches the person of ``c`` is away from their depot, as the validator times
        them: at each stop elsewhere; on a route, a leg home from its stop's end, any other leg
        up to the start of the stop it goes to, and between two stops elsewhere the whole gap."""
        if c._away is not None:
            return c._away
        m = self.v.model
        pieces: list[Away] = []

        def piece(
            start: Expr,
            end: Expr,
            present: BoolVar,
            node: int,
            starts: tuple[int, int],
            ends: tuple[int, int],
            home_break: Literal["out", "back"] | None = None,
        ) -> None:
            size = m.new_int_var(0, MINUTES_PER_DAY, "")
            interval = m.new_optional_interval_var(start, size, end, present, "")
            pieces.append(Away(interval, start, end, present, node, home_break, starts, ends))

        def starts(n: Node, shift: int = 0) -> tuple[int, int]:
            return n.earliest + shift, n.latest + shift

        def ends(n: Node, shift: int = 0) -> tuple[int, int]:
            latest = MINUTES_PER_DAY if n.joined else n.latest + n.duration
            return n.earliest + n.duration + shift, latest + shift

        if c.depot is not None:
            for i, n in enumerate(c.nodes):
                if not c.at_home(i):
                    present = n.present if n.present is not None else m.new_constant(1)
                    piece(n.start, n.end, present, i, starts(n), ends(n))
            for (i, j), routes in c.routes.items():
                a, b = c.nodes[i], c.nodes[j]
                for r in routes:
                    home_i, home_j = c.at_home(i), c.at_home(j)
                    if home_i and home_j:
                        continue
                    leaving, arriving = ends(a), starts(b)
                    if r.via_home:
                        there, back = r.legs[0].minutes, r.legs[1].minutes
                        home = ends(a, there)
                        piece(a.end, a.end + there, r.literal, i, leaving, home, "out")
                        piece(b.start - back, b.start, r.literal, j, starts(b, -back), arriving, "back")
                    elif home_i:
                        piece(b.start - r.minutes, b.start, r.literal, j, starts(b, -r.minutes), arriving)
                    elif home_j:
                        home = ends(a, r.minutes)
                        piece(a.end, a.end + r.minutes, r.literal, i, leaving, home)
                    elif a.planned or b.planned or a.earliest + a.duration <= b.earliest:
                        piece(a.end, b.start, r.literal, i, leaving, arriving)
        c._away = pieces
        return pieces
