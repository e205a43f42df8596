"""The CP-SAT model of a weekly pattern.

Decisions. Each pre-solved :class:`Option` (appointment, pattern day, venue, practitioners,
carer, placement) has a presence literal; each appointment and pattern day has one start
variable (a slot number) shared by its options, and at most one of those options is present.

Each person's day is one circuit over its optional stops (PyJobShop-style sequencing):
node 0 is the depot (home or base), fixed stops (routines, busy entries at a venue) are
mandatory nodes, and an arc literal from stop i to stop j forces j to start after i ends
plus the travel between their places. Arc literals also give the travel and waiting terms.

Constraint families are added in :meth:`PatternModel.build` in this order: frequency, pins,
role continuity (structure first), then one place at a time for clients (with flexible
routines), carers and practitioners, rooms, and limits. Each family can be tied to a
*group* literal, so that :mod:`scheduler.solver.explain` can ask which groups cannot hold
together; in a normal solve no literal is created.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.model import Appointment, Client, Scenario, Span
from scheduler.schedule import PlacedSession
from scheduler.solver.presolve import Option, Presolved
from scheduler.solver.starts import Starts
from scheduler.travel import Travel
from scheduler.weights import TERMS

SCALE = 10_000
"""Objective units per unit of weight x raw figure (weights are kept to 4 decimals)."""

Literal = cp_model.IntVar
Expr = cp_model.LinearExpr | int


@dataclass(frozen=True)
class Group:
    """A family of constraints that can be switched off to explain infeasibility."""

    kind: str
    subject: int
    detail: str = ""
    other: int = -1
    """A second index where the group needs one (a journey's destination)."""


@dataclass
class Groups:
    """Literals of constraint groups; with ``relaxable`` False every group is always on."""

    model: cp_model.CpModel
    relaxable: bool
    literals: dict[Group, Literal] = field(default_factory=dict)

    def lit(self, group: Group) -> Literal | None:
        """The literal that switches ``group`` on, or None when groups are not relaxable."""
        if not self.relaxable:
            return None
        if group not in self.literals:
            self.literals[group] = self.model.new_bool_var(
                f"group {group.kind} {group.subject} {group.detail}"
            )
        return self.literals[group]


def _when(*literals: Literal | None) -> list[Literal]:
    return [lit for lit in literals if lit is not None]


@dataclass
class Node:
    """A stop in one person's day; ``present`` None means the stop is fixed (always there)."""

    place: int | None
    start: Expr
    end: Expr
    earliest: int
    latest: int
    duration: int
    present: Literal | None
    session: tuple[int, int] | None = None
    label: str = ""


@dataclass
class DayCircuit:
    """A person's day as a circuit: node 0 is the depot."""

    kind: str
    person: int
    pattern_day: int
    mode: str
    nodes: list[Node]
    arcs: dict[tuple[int, int], Literal]
    travel_intervals: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = field(default_factory=dict)


@dataclass
class Terms:
    """Raw objective figures as linear expressions, by term name (cost in pence)."""

    parts: dict[str, list[Expr]] = field(default_factory=lambda: {t: [] for t in TERMS})

    def add(self, term: str, expr: Expr) -> None:
        """Add ``expr`` to ``term``."""
        self.parts[term].append(expr)

    def expr(self, term: str) -> Expr:
        """The whole raw figure of ``term``."""
        return cp_model.LinearExpr.sum(self.parts[term])


class PatternModel:
    """Builds the CP-SAT model of a scenario from its pre-solved options."""

    def __init__(
        self,
        scenario: Scenario,
        presolved: Presolved,
        travel: Travel,
        *,
        relaxable: bool = False,
        only: set[int] | None = None,
        fixed: Sequence[PlacedSession] = (),
    ) -> None:
        """``only`` limits the model to those appointments; ``fixed`` are sessions of other
        appointments, already placed, that practitioners, carers and venues must work around."""
        self.s = scenario
        self.p = presolved if only is None else presolved.subset(only)
        self.appointments = [a for a in scenario.appointments if only is None or a.index in only]
        with_sessions = {a.client for a in self.appointments}
        self.clients = [c for c in scenario.clients if c.index in with_sessions]
        self.fixed = tuple(fixed)
        self.travel = travel
        self.m = cp_model.CpModel()
        self.groups = Groups(self.m, relaxable)
        self.terms = Terms()
        self.x: dict[int, Literal] = {}
        self.k: dict[tuple[int, int], cp_model.IntVar] = {}
        self.k_range: dict[tuple[int, int], tuple[int, int]] = {}
        self.present: dict[tuple[int, int], Literal] = {}
        self.active: dict[int, Literal] = {}
        self.intervals: dict[int, cp_model.IntervalVar] = {}
        self.circuits: list[DayCircuit] = []
        self.routine_vars: dict[tuple[int, str, int], cp_model.IntVar] = {}
        self._merged: dict[frozenset[int], Literal] = {}
        self.fixed_practitioner_travel = 0
        self._trip: dict[tuple[int, int], Literal] = {}

    # ------------------------------------------------------------------ build

    def build(self, *, objective: bool = True, for_bound: bool = False) -> PatternModel:
        """Create variables, every constraint family, and (optionally) the objective.

        ``for_bound`` builds a relaxation for lower bounds: practitioners' circuits are left
        out when some measured journey could make a subsequence of stops slower than the
        whole (rooms and limits on a subset of sessions always hold, so they stay).
        """
        self._variables()
        self._frequency()
        self._pins()
        self._role_continuity()
        self._client_days()
        self._carer_days()
        if not (for_bound and self.s.travel.matrix):
            self._practitioner_days()
        self._rooms()
        self._client_limits()
        self._practitioner_limits()
        if objective:
            self._objective()
        return self

    def hint(self, chosen: Sequence[tuple[Option, int]]) -> None:
        """Hint a pattern: the ``chosen`` options, each at its start slot, and no other."""
        picked = {option.index for option, _ in chosen}
        for index, x in self.x.items():
            self.m.add_hint(x, index in picked)
        for option, k in chosen:
            self.m.add_hint(self.k[(option.appointment, option.pattern_day)], k)

    def start_expr(self, option: Option) -> Expr:
        """Start minute of ``option``'s session."""
        return self.k[(option.appointment, option.pattern_day)] * self.s.horizon.slot

    def _duration(self, option: Option) -> int:
        return self.s.appointments[option.appointment].duration

    # ------------------------------------------------------------- variables

    def _variables(self) -> None:
        """Presence per option, one start slot per appointment-day, activity per appointment."""
        slot = self.s.horizon.slot
        for appt in self.appointments:
            self.active[appt.index] = (
                self.m.new_bool_var(f"active {appt.id}") if appt.optional else self.m.new_constant(1)
            )
        for (a, g), options in self.p.by_appointment_day.items():
            union = _union([o.slots for o in options])
            k = self.m.new_int_var_from_domain(
                cp_model.Domain.from_intervals([list(r) for r in union]), f"k {a} {g}"
            )
            self.k[(a, g)] = k
            self.k_range[(a, g)] = (union[0][0], union[-1][1])
            xs = []
            for o in options:
                x = self.m.new_bool_var(f"x {o.index}")
                self.x[o.index] = x
                xs.append(x)
                if o.slots != union:
                    self.m.add_linear_expression_in_domain(
                        k, cp_model.Domain.from_intervals([list(r) for r in o.slots])
                    ).only_enforce_if(x)
                self.intervals[o.index] = self.m.new_optional_fixed_size_interval_var(
                    k * slot, self._duration(o), x, f"session {o.index}"
                )
            present = self.m.new_bool_var(f"present {a} {g}")
            self.m.add(sum(xs) == present)
            self.present[(a, g)] = present

    def _days_of(self, a: int, week: int | None = None) -> list[int]:
        return [g for (appt, g) in self.present if appt == a and (week is None or g // 7 == week)]

    # ------------------------------------------------------------- structure

    def _frequency(self) -> None:
        """Rule 1: n sessions every week on different days min_days_apart apart, or one per k weeks."""
        for appt in self.appointments:
            lit = self.groups.lit(Group("frequency", appt.index))
            f = appt.frequency
            active = self.active[appt.index]
            if f.every_weeks is not None:
                periods = [
                    list(range(start, start + f.every_weeks))
                    for start in range(0, self.s.horizon.weeks, f.every_weeks)
                ]
                for weeks in periods:
                    days = [g for w in weeks for g in self._days_of(appt.index, w)]
                    self._exactly(days, appt.index, 1, active, lit)
                continue
            assert f.per_week is not None
            for week in range(self.s.horizon.weeks):
                days = self._days_of(appt.index, week)
                self._exactly(days, appt.index, f.per_week, active, lit)
                if f.min_days_apart > 1:
                    for first in range(week * 7, week * 7 + 7):
                        near = [g for g in days if first <= g < first + f.min_days_apart]
                        if len(near) > 1:
                            self.m.add(sum(self.present[(appt.index, g)] for g in near) <= 1).only_enforce_if(
                                _when(lit)
                            )

    def _exactly(self, days: Sequence[int], a: int, n: int, active: Literal, lit: Literal | None) -> None:
        total = sum((self.present[(a, g)] for g in days), start=0)
        self.m.add(total <= n)
        self.m.add(total == n * active).only_enforce_if(_when(lit))

    def _pins(self) -> None:
        """Rule 2: pinned sessions stay exactly as pinned."""
        slot = self.s.horizon.slot
        for appt in self.appointments:
            if not appt.pinned:
                continue
            lit = self.groups.lit(Group("pin", appt.index))
            for booking in appt.pinned:
                for week in booking.weeks(self.s.horizon.weeks):
                    g = week * 7 + booking.day
                    matching = [
                        o
                        for o in self.p.options_on(appt.index, g)
                        if o.venue == booking.venue
                        and (
                            booking.practitioners is None
                            or set(o.practitioners) == set(booking.practitioners)
                        )
                        and (booking.carer is None or o.carer == booking.carer)
                        and booking.start % slot == 0
                        and any(lo <= booking.start // slot <= hi for lo, hi in o.slots)
                    ]
                    if not matching:
                        self.m.add_bool_or([]).only_enforce_if(_when(lit))
                        continue
                    self.m.add(sum(self.x[o.index] for o in matching) == 1).only_enforce_if(_when(lit))
                    self.m.add(self.k[(appt.index, g)] == booking.start // slot).only_enforce_if(_when(lit))

    def _role_continuity(self) -> None:
        """Rule 6: a role appointment is taken by one practitioner with that role throughout.

        Each option implies its practitioner is chosen; the group ``role`` of the appointment
        is the rule that at most one is chosen, so switching it off lets sessions change hands.
        """
        for appt in self.appointments:
            if appt.role is None:
                continue
            chosen: dict[int, Literal] = {}
            for (a, _), options in self.p.by_appointment_day.items():
                if a != appt.index:
                    continue
                for o in options:
                    (p,) = o.practitioners
                    if p not in chosen:
                        chosen[p] = self.m.new_bool_var(f"role {appt.id} {p}")
                    self.m.add_implication(self.x[o.index], chosen[p])
            if chosen:
                lit = self.groups.lit(Group("role", appt.index))
                self.m.add(sum(chosen.values()) <= 1).only_enforce_if(_when(lit))

    # ------------------------------------------------------ one place at a time

    def _client_days(self) -> None:
        """Rules 3 and 4 for clients: sessions and fixed routines in a travel-feasible order."""
        for client in self.clients:
            lit = self.groups.lit(Group("client", client.index))
            appts = {a.index for a in self.appointments if a.client == client.index}
            gap = client.limits.min_gap_minutes or 0
            gap_lit = self.groups.lit(Group("limit", client.index, "min_gap_minutes")) if gap else None
            for g in self.s.days():
                options = [o for o in self._options_on_day(g) if o.appointment in appts]
                if not options:
                    continue
                day = g % 7
                self._no_overlap(options, lit, extra=0)
                if gap:
                    self._no_overlap(options, gap_lit, extra=gap)
                nodes = self._session_nodes([o for o in options if o.inside is None])
                for r in client.fixed_routines_on(day):
                    nodes.append(self._fixed_node(r.at, r.span.start, r.span.end, f"routine:{r.name}"))
                circuit = self._circuit(
                    "client", client.index, g, client.travel_mode, client.home, nodes, lit
                )
                flexible = client.flexible_routines_on(day)
                if flexible:
                    self._flexible_routines(client.index, g, circuit, options, flexible)

    def _carer_days(self) -> None:
        """Rules 3 and 5: a carer escorts one client to one place at a time."""
        for carer in self.s.carers:
            fixed = [f for f in self.fixed if f.carer == carer.index]
            if not fixed and self._carer_implied(carer.index):
                continue
            lit = self.groups.lit(Group("carer", carer.index))
            for g in self.s.days():
                options = [o for o in self._options_on_day(g) if o.carer == carer.index]
                if not options:
                    continue
                nodes = self._session_nodes(options) + self._fixed_session_nodes(fixed, g)
                self._circuit("carer", carer.index, g, carer.travel_mode, carer.home, nodes, lit)

    def _carer_implied(self, carer: int) -> bool:
        """True when the client's own day already keeps this carer's rule 3.

        A carer who escorts one client only, from that client's home, by the client's mode,
        follows a subsequence of the client's stops; with travel that has no shortcut (no
        measured journeys for the mode) a subsequence never needs more time than the whole.
        """
        person = self.s.carers[carer]
        clients = self.s.clients_of_carer(carer)
        if len(clients) != 1:
            return False
        (client,) = clients
        metric = not any(key[2] == person.travel_mode for key in self.s.travel.matrix)
        return metric and person.home == client.home and person.travel_mode == client.travel_mode

    def _practitioner_days(self) -> None:
        """Rule 3 for practitioners: sessions and busy entries at venues, with travel from base."""
        for prac in self.s.practitioners:
            lit = self.groups.lit(Group("practitioner", prac.index))
            for g in self.s.days():
                options = [o for o in self._options_on_day(g) if prac.index in o.practitioners]
                fixed = self._fixed_session_nodes([f for f in self.fixed if prac.index in f.practitioners], g)
                for busy in prac.busy_on(g // 7, g % 7):
                    if busy.venue is not None:
                        fixed.append(
                            self._fixed_node(busy.venue, busy.span.start, busy.span.end, f"busy:{busy.label}")
                        )
                if options:
                    nodes = self._session_nodes(options) + fixed
                    self._circuit("practitioner", prac.index, g, prac.travel_mode, prac.base, nodes, lit)
                else:
                    self.fixed_practitioner_travel += self._fixed_day_travel(
                        fixed, prac.base, prac.travel_mode
                    )

    def _fixed_day_travel(self, stops: Sequence[Node], depot: int | None, mode: str) -> int:
        """Travel minutes of a day made of fixed stops only: the same whatever is decided."""
        places = [n.place for n in sorted(stops, key=lambda n: n.earliest)]
        if not places:
            return 0
        if depot is not None:
            places = [depot, *places, depot]
        return sum(self._minutes(a, b, mode) for a, b in itertools.pairwise(places))

    def _options_on_day(self, g: int) -> list[Option]:
        if not hasattr(self, "_by_day"):
            self._by_day: dict[int, list[Option]] = {}
            for o in self.p.options:
                self._by_day.setdefault(o.pattern_day, []).append(o)
        return self._by_day.get(g, [])

    def _session_nodes(self, options: Sequence[Option]) -> list[Node]:
        """One stop per appointment, day and venue: options that differ only in who attends
        or escorts are the same stop for this person, so they share a node."""
        groups: dict[tuple[int, int, int], list[Option]] = {}
        for o in options:
            groups.setdefault((o.appointment, o.pattern_day, o.venue), []).append(o)
        slot = self.s.horizon.slot
        nodes = []
        for (a, g, venue), members in groups.items():
            start = self.k[(a, g)] * slot
            d = self.s.appointments[a].duration
            nodes.append(
                Node(
                    place=venue,
                    start=start,
                    end=start + d,
                    earliest=min(o.slots[0][0] for o in members) * slot,
                    latest=max(o.slots[-1][1] for o in members) * slot,
                    duration=d,
                    present=self._any_of(members),
                    session=(a, g),
                )
            )
        return nodes

    def _any_of(self, options: Sequence[Option]) -> Literal:
        """A literal true when one of ``options`` (of one appointment-day, so exclusive) is chosen."""
        if len(options) == 1:
            return self.x[options[0].index]
        key = frozenset(o.index for o in options)
        if key not in self._merged:
            merged = self.m.new_bool_var("")
            self.m.add(merged == sum(self.x[o.index] for o in options))
            self._merged[key] = merged
        return self._merged[key]

    def _fixed_session_nodes(self, fixed: Sequence[PlacedSession], g: int) -> list[Node]:
        return [
            self._fixed_node(f.venue, f.start, f.end, f"fixed:{self.s.appointments[f.appointment].id}")
            for f in fixed
            if f.pattern_day == g
        ]

    @staticmethod
    def _fixed_node(place: int, start: int, end: int, label: str) -> Node:
        return Node(place, start, end, start, start, end - start, None, None, label)

    def _no_overlap(self, options: Sequence[Option], lit: Literal | None, *, extra: int) -> None:
        """Sessions of ``options`` do not overlap, with ``extra`` minutes after each."""
        if len(options) < 2:
            return
        intervals = []
        for o in options:
            presence = self._and(self.x[o.index], lit)
            d = self._duration(o) + extra
            intervals.append(self.m.new_optional_fixed_size_interval_var(self.start_expr(o), d, presence, ""))
        self.m.add_no_overlap(intervals)

    def _and(self, x: Literal, lit: Literal | None) -> Literal:
        """``x`` when groups are not relaxable, else a literal true exactly when both are."""
        if lit is None:
            return x
        both = self.m.new_bool_var("")
        self.m.add_bool_and([x, lit]).only_enforce_if(both)
        self.m.add_bool_or([x.negated(), lit.negated(), both])
        return both

    def _circuit(
        self,
        kind: str,
        person: int,
        g: int,
        mode: str,
        depot: int | None,
        stops: list[Node],
        lit: Literal | None,
    ) -> DayCircuit:
        """One circuit over ``stops`` through the depot, with travel on every arc."""
        h = self.s.horizon
        depot_node = Node(depot, h.day_start, h.day_end, h.day_start, h.day_start, 0, None)
        nodes = [depot_node, *stops]
        arcs: dict[tuple[int, int], Literal] = {}
        triples: list[tuple[int, int, cp_model.LiteralT]] = []
        for i, a in enumerate(nodes):
            for j, b in enumerate(nodes):
                if i == j or not self._may_follow(a, b, mode, i, j):
                    continue
                arc = self.m.new_bool_var("")
                arcs[(i, j)] = arc
                triples.append((i, j, arc))
                self._arc_time(i, j, a, b, arc, mode, lit)
        for j, b in enumerate(nodes[1:], start=1):
            if b.present is not None:
                triples.append((j, j, b.present.negated()))
        if all(b.present is not None for b in stops):
            idle = self.m.new_bool_var("")
            triples.append((0, 0, idle))
            for b in stops:
                assert b.present is not None
                self.m.add_implication(b.present, idle.negated())
        self.m.add_circuit(triples)
        circuit = DayCircuit(kind, person, g, mode, nodes, arcs)
        self.circuits.append(circuit)
        return circuit

    def _may_follow(self, a: Node, b: Node, mode: str, i: int, j: int) -> bool:
        """Whether the circuit gets an arc from stop ``a`` (node ``i``) to ``b`` (node ``j``)."""
        decided = a.session is not None or b.session is not None
        if not decided and i != 0 and j != 0:
            # Two fixed stops keep the order of their start times; a clash between them is a
            # fault of the data, not of any schedule (the validator does not report it either).
            return (a.earliest, i) < (b.earliest, j)
        if a.session is not None and a.session == b.session:
            return False
        if not decided or self.groups.relaxable:
            # The depot and a fixed stop: the data's journey. Explaining: travel must stay a
            # rule that can be switched off, so every arc stays (see _arc_time).
            return True
        if not self._journey_known(a.place, b.place, mode):
            return False
        if i == 0 or j == 0:
            return True
        return a.earliest + a.duration + self._minutes(a.place, b.place, mode) <= b.latest

    def _journey_known(self, a: int | None, b: int | None, mode: str) -> bool:
        """False when the scenario gives no journey between the two places: none is made."""
        return a is None or b is None or self.travel.find(a, b, mode) is not None

    def _minutes(self, a: int | None, b: int | None, mode: str) -> int:
        """Travel minutes between two places; 0 when either is unknown (no depot) or the
        scenario gives no journey (an arc needing one is never used, see _may_follow)."""
        if a is None or b is None:
            return 0
        journey = self.travel.find(a, b, mode)
        return 0 if journey is None else journey.minutes

    def _arc_time(
        self, i: int, j: int, a: Node, b: Node, arc: Literal, mode: str, lit: Literal | None
    ) -> None:
        """If the arc is used, ``b`` starts after ``a`` ends plus travel; depot arcs keep the day bounds."""
        if a.session is None and b.session is None:
            return  # between fixed stops and the depot: the data's journey, not a decision
        when = _when(arc, lit)
        if not self._journey_known(a.place, b.place, mode):
            # Only when explaining (otherwise there is no such arc): the journey is a rule of its own.
            assert a.place is not None
            assert b.place is not None
            journey = self.groups.lit(Group("journey", a.place, mode, b.place))
            self.m.add_bool_or([arc.negated(), *(x.negated() for x in _when(lit, journey))])
            return
        h = self.s.horizon
        t = self._minutes(a.place, b.place, mode)
        if i == 0:
            if a.place is not None and b.place != a.place:
                self.m.add(b.start >= h.day_start + t).only_enforce_if(when)
        elif j == 0:
            if b.place is not None and a.place != b.place:
                self.m.add(a.end + t <= h.day_end).only_enforce_if(when)
        else:
            self.m.add(b.start >= a.end + t).only_enforce_if(when)

    def _flexible_routines(
        self, client: int, g: int, circuit: DayCircuit, options: Sequence[Option], routines: Iterable[Any]
    ) -> None:
        """Rule 4: free minutes in one piece in the window, with no session and no travel.

        Each stop's journey to its successor is an interval placed anywhere in the gap
        between them; the routine must overlap neither those journeys nor any session.
        """
        travel_intervals = self._travel_intervals(circuit)
        sessions = [self.intervals[o.index] for o in options]
        for r in routines:
            lit = self.groups.lit(Group("routine", client, r.name))
            start = self.m.new_int_var(
                r.span.start, r.span.end - r.duration, f"routine {client} {r.name} {g}"
            )
            self.routine_vars[(client, r.name, g)] = start
            presence = self.m.new_constant(1) if lit is None else lit
            interval = self.m.new_optional_fixed_size_interval_var(start, r.duration, presence, "")
            self.m.add_no_overlap([interval, *sessions, *travel_intervals])

    def _journey_in_gap(self, i: int, j: int, a: Node, b: Node, mode: str) -> int:
        """Minutes of the journey from ``a`` to ``b``; between fixed stops (or the depot) no
        more than the data leaves for it, so that a clash in the data blocks no schedule."""
        t = self._minutes(a.place, b.place, mode)
        if a.session is not None or b.session is not None:
            return t
        h = self.s.horizon
        leave = h.day_start if i == 0 else a.earliest + a.duration
        arrive = h.day_end if j == 0 else b.earliest
        return max(0, min(t, arrive - leave))

    def _travel_intervals(self, circuit: DayCircuit) -> list[cp_model.IntervalVar]:
        out = []
        mode = circuit.mode
        for i, a in enumerate(circuit.nodes):
            leaving = {j: arc for (tail, j), arc in circuit.arcs.items() if tail == i}
            if not leaving:
                continue
            durations = {j: self._journey_in_gap(i, j, a, circuit.nodes[j], mode) for j in leaving}
            if not any(durations.values()):
                continue
            size = self.m.new_int_var(0, max(durations.values()), "")
            self.m.add(size == sum(arc * durations[j] for j, arc in leaving.items()))
            start = self.m.new_int_var(0, 24 * 60, "")
            end = self.m.new_int_var(0, 24 * 60, "")
            h = self.s.horizon
            self.m.add(start >= (a.end if i != 0 else h.day_start))
            for j, arc in leaving.items():
                self.m.add(end <= (circuit.nodes[j].start if j != 0 else h.day_end)).only_enforce_if(arc)
            presence = a.present if a.present is not None else self.m.new_constant(1)
            out.append(self.m.new_optional_interval_var(start, size, end, presence, ""))
            circuit.travel_intervals[i] = (start, end)
        return out

    # --------------------------------------------------------------- rooms

    def _rooms(self) -> None:
        """Rule 7: at most ``rooms`` sessions at a venue at once (a home takes one)."""
        by_venue_day: dict[tuple[int, int], list[Option]] = {}
        for o in self.p.options:
            by_venue_day.setdefault((o.venue, o.pattern_day), []).append(o)
        for (v, g), options in by_venue_day.items():
            fixed = [f for f in self.fixed if f.venue == v and f.pattern_day == g]
            if len({o.appointment for o in options}) + len(fixed) < 2:
                continue
            lit = self.groups.lit(Group("rooms", v))
            intervals = [
                self.m.new_optional_fixed_size_interval_var(
                    self.start_expr(o), self._duration(o), self._and(self.x[o.index], lit), ""
                )
                for o in options
            ] + [self.m.new_fixed_size_interval_var(f.start, f.end - f.start, "") for f in fixed]
            rooms = self.s.venues[v].rooms
            if rooms == 1:
                self.m.add_no_overlap(intervals)
            else:
                self.m.add_cumulative(intervals, [1] * len(intervals), rooms)

    # -------------------------------------------------------------- limits

    def _client_limits(self) -> None:
        """Rule 8 for clients: sessions and minutes a day, days and people a week."""
        for client in self.clients:
            lim = client.limits
            appts = [a for a in self.appointments if a.client == client.index]
            for g in self.s.days():
                here = [(a, self.present[(a.index, g)]) for a in appts if (a.index, g) in self.present]
                if lim.max_sessions_per_day is not None and len(here) > lim.max_sessions_per_day:
                    lit = self.groups.lit(Group("limit", client.index, "max_sessions_per_day"))
                    self.m.add(sum(p for _, p in here) <= lim.max_sessions_per_day).only_enforce_if(
                        _when(lit)
                    )
                minutes = sum(a.duration for a, _ in here)
                if lim.max_session_minutes_per_day is not None and minutes > lim.max_session_minutes_per_day:
                    lit = self.groups.lit(Group("limit", client.index, "max_session_minutes_per_day"))
                    self.m.add(
                        sum(p * a.duration for a, p in here) <= lim.max_session_minutes_per_day
                    ).only_enforce_if(_when(lit))
            for week in range(self.s.horizon.weeks):
                week_days = range(week * 7, week * 7 + 7)
                if lim.max_days_per_week is not None:
                    lit = self.groups.lit(Group("limit", client.index, "max_days_per_week"))
                    used = [self.client_day_used(client.index, g) for g in week_days]
                    self.m.add(sum(used) <= lim.max_days_per_week).only_enforce_if(_when(lit))
                if lim.max_people_per_week is not None:
                    lit = self.groups.lit(Group("limit", client.index, "max_people_per_week"))
                    met = self._people_met(client.index, week_days)
                    self.m.add(sum(met.values()) <= lim.max_people_per_week).only_enforce_if(_when(lit))

    def _practitioner_limits(self) -> None:
        """Rule 8 for practitioners: sessions and session minutes every day (fixed ones count)."""
        for prac in self.s.practitioners:
            lim = prac.limits
            for g in self.s.days():
                options = [o for o in self._options_on_day(g) if prac.index in o.practitioners]
                fixed = [f for f in self.fixed if prac.index in f.practitioners and f.pattern_day == g]
                if not options:
                    continue
                cap = lim.max_sessions_per_day
                if cap is not None and len(options) + len(fixed) > cap:
                    lit = self.groups.lit(Group("plimit", prac.index, "max_sessions_per_day"))
                    self.m.add(sum(self.x[o.index] for o in options) <= cap - len(fixed)).only_enforce_if(
                        _when(lit)
                    )
                cap = lim.max_session_minutes_per_day
                already = sum(f.end - f.start for f in fixed)
                if cap is not None and sum(self._duration(o) for o in options) + already > cap:
                    lit = self.groups.lit(Group("plimit", prac.index, "max_session_minutes_per_day"))
                    self.m.add(
                        sum(self.x[o.index] * self._duration(o) for o in options) <= cap - already
                    ).only_enforce_if(_when(lit))

    # ------------------------------------------------------ derived literals

    def client_day_used(self, client: int, g: int) -> Literal:
        """A literal true exactly when the client has any session on pattern day ``g``.

        Built over each appointment's presence that day (a sum of exclusive options), which
        is exact and gives a much tighter linear relaxation than a maximum over options.
        """
        key = ("day", client, g)
        if key not in self._cache:
            present = [
                p for (a, day), p in self.present.items() if day == g and self._client_of_appt(a) == client
            ]
            self._cache[key] = self._max_of(present)
        return self._cache[key]

    def _people_met(self, client: int, days: Iterable[int]) -> dict[int, Literal]:
        """Per practitioner, a literal true exactly when the client meets them on ``days``."""
        day_set = set(days)
        by_prac: dict[int, list[Literal]] = {}
        for (a, g), options in self.p.by_appointment_day.items():
            if g not in day_set or self._client_of_appt(a) != client:
                continue
            for p in sorted({p for o in options for p in o.practitioners}):
                by_prac.setdefault(p, []).append(self._any_of([o for o in options if p in o.practitioners]))
        return {p: self._max_of(lits) for p, lits in by_prac.items()}

    def _client_of_appt(self, a: int) -> int:
        return self.s.appointments[a].client

    @property
    def _cache(self) -> dict[tuple[str, int, int], Literal]:
        if not hasattr(self, "_literal_cache"):
            self._literal_cache: dict[tuple[str, int, int], Literal] = {}
        return self._literal_cache

    def _max_of(self, literals: Sequence[Literal]) -> Literal:
        """A literal equal to the OR of ``literals`` (a constant 0 for none)."""
        if not literals:
            return self.m.new_constant(0)
        if len(literals) == 1:
            return literals[0]
        out = self.m.new_bool_var("")
        self.m.add_max_equality(out, literals)
        return out

    # ------------------------------------------------------------ objective

    def _objective(self) -> None:
        """Every term of the spec, each exactly defined, weighted in one sum."""
        w = self.s.weights
        builders: dict[str, Callable[[], None]] = {
            "trips": self._term_trips,
            "appointment_days": self._term_appointment_days,
            "family_travel_minutes": self._term_family_travel,
            "family_travel_cost": lambda: None,
            "distinct_people": self._term_distinct_people,
            "outside_preferred_windows": self._term_outside_preferred_windows,
            "avoided_days": self._term_avoided_days,
            "waiting_minutes": self._term_waiting,
            "disruption": self._term_disruption,
            "practitioner_travel_minutes": self._term_practitioner_travel,
            "dropped_optional": self._term_dropped_optional,
        }
        for term, build in builders.items():
            if w.of(term) > 0 or (term == "family_travel_minutes" and w.of("family_travel_cost") > 0):
                build()
        self.m.minimize(
            cp_model.LinearExpr.weighted_sum(
                [self.terms.expr(t) for t in TERMS], [self.coefficient(t) for t in TERMS]
            )
        )

    def coefficient(self, term: str) -> int:
        """Integer objective coefficient of one unit of ``term``'s raw figure."""
        unit = 0.01 if term == "family_travel_cost" else 1.0
        return round(self.s.weights.of(term) * unit * SCALE)

    def _term_trips(self) -> None:
        """Days a client travels to a session stop; with clustering "avoid", extra sessions a day."""
        for client in self.clients:
            for g in self.s.days():
                by_appt = [
                    (a, options)
                    for (a, day), options in self.p.by_appointment_day.items()
                    if day == g and self._client_of_appt(a) == client.index
                ]
                if not by_appt:
                    continue
                if client.preferences.same_day_clustering == "avoid":
                    count = sum(self.present[(a, g)] for a, _ in by_appt)
                    extra = self.m.new_int_var(0, len(by_appt), "")
                    self.m.add_max_equality(extra, [0, count - 1])
                    self.terms.add("trips", extra)
                    continue
                away = []
                for _, options in by_appt:
                    members = [o for o in options if o.inside is None and o.venue != client.home]
                    if members:
                        away.append(self._any_of(members))
                trip = self._max_of(away)
                self._trip[(client.index, g)] = trip
                self.terms.add("trips", trip)
            if client.preferences.same_day_clustering != "avoid":
                self._at_least_days(client, self._always_away, self._trip_on)

    def _trip_on(self, client: int, g: int) -> Literal:
        """The trip literal of a client's pattern day (a constant 0 on a day with no option)."""
        trip = self._trip.get((client, g))
        return trip if trip is not None else self.m.new_constant(0)

    def _always_away(self, appt: Appointment) -> bool:
        """True when every option of ``appt`` is a journey: not at home, not inside a routine."""
        home = self.s.clients[appt.client].home
        return all(
            o.inside is None and o.venue != home
            for (a, _), options in self.p.by_appointment_day.items()
            if a == appt.index
            for o in options
        )

    def _term_appointment_days(self) -> None:
        """Days with any session."""
        for client in self.clients:
            for g in self.s.days():
                self.terms.add("appointment_days", self.client_day_used(client.index, g))
            self._at_least_days(client, None, self.client_day_used)

    def _at_least_days(
        self,
        client: Client,
        counts: Callable[[Appointment], bool] | None,
        day_literal: Callable[[int, int], Literal],
    ) -> None:
        """Redundant: with at most L sessions a day, N required sessions of a week take at
        least ceil(N / L) days; stated so the linear relaxation sees it."""
        cap = client.limits.max_sessions_per_day
        if not cap:
            return
        for week in range(self.s.horizon.weeks):
            needed = sum(
                a.frequency.per_week or 0
                for a in self.appointments
                if a.client == client.index and not a.optional and (counts is None or counts(a))
            )
            if needed > cap:
                days = [day_literal(client.index, g) for g in range(week * 7, week * 7 + 7)]
                self.m.add(sum(days) >= -(-needed // cap))

    def _term_family_travel(self) -> None:
        """Minutes and pence of a client's legs with a session at either end."""
        for c in self.circuits:
            if c.kind != "client":
                continue
            for (i, j), arc in c.arcs.items():
                a, b = c.nodes[i], c.nodes[j]
                if a.session is None and b.session is None:
                    continue
                journey = (
                    self.travel.find(a.place, b.place, c.mode)
                    if a.place is not None and b.place is not None
                    else None
                )
                if journey is None or (journey.minutes == 0 and journey.pence == 0):
                    continue
                self.terms.add("family_travel_minutes", arc * journey.minutes)
                self.terms.add("family_travel_cost", arc * journey.pence)

    def _term_distinct_people(self) -> None:
        """Practitioners a client meets in the pattern.

        Redundant but strong: an active appointment meets all its listed practitioners, and
        one practitioner of its role.
        """
        for client in self.clients:
            met = self._people_met(client.index, self.s.days())
            for lit in met.values():
                self.terms.add("distinct_people", lit)
            for appt in self.appointments:
                if appt.client != client.index:
                    continue
                active = self.active[appt.index]
                for p in appt.practitioners:
                    if p in met:
                        self.m.add(met[p] >= active)
                if appt.role is not None:
                    pool = [lit for p, lit in met.items() if self.s.practitioners[p].role == appt.role]
                    if pool:
                        self.m.add(sum(pool) >= active)

    def _term_outside_preferred_windows(self) -> None:
        """Session minutes outside the client's preferred windows."""
        slot = self.s.horizon.slot
        for (a, g), k in self.k.items():
            appt = self.s.appointments[a]
            windows = self.s.clients[appt.client].preferences.preferred_windows
            if not windows:
                continue
            lo, hi = self.k_range[(a, g)]
            # Indexed by the slot number itself: an affine index expression is not supported.
            table = [
                appt.duration - _covered(s * slot, s * slot + appt.duration, windows) if s >= lo else 0
                for s in range(hi + 1)
            ]
            if not any(table):
                continue
            value = self.m.new_int_var(0, appt.duration, "")
            self.m.add_element(k, table, value)
            out = self.m.new_int_var(0, appt.duration, "")
            self.m.add(out == value).only_enforce_if(self.present[(a, g)])
            self.m.add(out == 0).only_enforce_if(self.present[(a, g)].negated())
            self.terms.add("outside_preferred_windows", out)

    def _term_avoided_days(self) -> None:
        """Sessions on the client's avoid days."""
        for (a, g), present in self.present.items():
            client = self.s.clients[self.s.appointments[a].client]
            if g % 7 in client.preferences.avoid_days:
                self.terms.add("avoided_days", present)

    def _term_waiting(self) -> None:
        """Idle minutes between consecutive stops of a client, at least one a session, not both at home."""
        for c in self.circuits:
            if c.kind != "client":
                continue
            home = self.s.clients[c.person].home
            for (i, j), arc in c.arcs.items():
                if i == 0 or j == 0:
                    continue
                a, b = c.nodes[i], c.nodes[j]
                if (a.session is None and b.session is None) or (a.place == home and b.place == home):
                    continue
                t = self._minutes(a.place, b.place, c.mode)
                wait = self.m.new_int_var(0, 24 * 60, "")
                self.m.add(wait == b.start - a.end - t).only_enforce_if(arc)
                self.m.add(wait == 0).only_enforce_if(arc.negated())
                self.terms.add("waiting_minutes", wait)

    def _term_disruption(self) -> None:
        """Sessions of appointments with current bookings that keep none of them."""
        slot = self.s.horizon.slot
        for appt in self.appointments:
            if not appt.current:
                continue
            for (a, g), present in self.present.items():
                if a != appt.index:
                    continue
                kept = self._kept_bookings(appt, g, slot)
                self.terms.add("disruption", present - cp_model.LinearExpr.sum(kept))

    def _kept_bookings(self, appt: Appointment, g: int, slot: int) -> list[Literal]:
        kept = []
        k = self.k[(appt.index, g)]
        for booking in appt.current:
            if (
                booking.day != g % 7
                or g // 7 not in booking.weeks(self.s.horizon.weeks)
                or booking.start % slot
            ):
                continue
            value = booking.start // slot
            for o in self.p.options_on(appt.index, g):
                if o.venue != booking.venue or not any(lo <= value <= hi for lo, hi in o.slots):
                    continue
                at_time = self.m.new_bool_var("")
                self.m.add(k == value).only_enforce_if(at_time)
                self.m.add(k != value).only_enforce_if(at_time.negated())
                keep = self.m.new_bool_var("")
                self.m.add_bool_and([self.x[o.index], at_time]).only_enforce_if(keep)
                self.m.add_bool_or([self.x[o.index].negated(), at_time.negated(), keep])
                kept.append(keep)
        return kept

    def _term_practitioner_travel(self) -> None:
        """Minutes of practitioners' legs, base legs included (days of fixed stops only too)."""
        self.terms.add("practitioner_travel_minutes", self.fixed_practitioner_travel)
        for c in self.circuits:
            if c.kind != "practitioner":
                continue
            for (i, j), arc in c.arcs.items():
                t = self._minutes(c.nodes[i].place, c.nodes[j].place, c.mode)
                if t:
                    self.terms.add("practitioner_travel_minutes", arc * t)

    def _term_dropped_optional(self) -> None:
        """Optional appointments left out."""
        for appt in self.appointments:
            if appt.optional:
                self.terms.add("dropped_optional", 1 - self.active[appt.index])


def _union(ranges: Sequence[Starts]) -> Starts:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for rs in ranges for r in rs):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _covered(start: int, end: int, windows: Sequence[Span]) -> int:
    """Minutes of ``[start, end)`` inside the union of ``windows`` (which may overlap)."""
    covered, reached = 0, start
    for w in sorted(windows):
        lo, hi = max(reached, w.start), min(end, w.end)
        if hi > lo:
            covered += hi - lo
            reached = hi
    return covered
