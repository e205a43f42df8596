"""The objective: one builder per term, mirroring :mod:`scheduler.validate.objective`.

Each builder adds the raw figure of its term (a sum of linear expressions over the model's
variables) to :class:`Terms`; the objective is the weighted sum of every term, with
weights from :mod:`scheduler.weights` scaled to integers by :data:`SCALE`. A term whose
weight is 0 is not built (its figure reads 0). Some builders also state redundant
constraints that tighten the linear relaxation; each says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
from scheduler.model import Appointment, Client, Span
from scheduler.solver.circuits import Circuits, DayCircuit, Route
from scheduler.solver.cpsat import Budget
from scheduler.solver.rules import BoolVar
from scheduler.solver.variables import Expr, Variables
from scheduler.travel import PENCE_PER_UNIT
from scheduler.weights import TERMS, Weights

SCALE = 10_000
"""Objective units per unit of weight x raw figure (weights are kept to 4 decimals)."""


def raw_unit(term: str) -> float:
    """The term's unit in its raw figure: pence for the travel cost, else 1."""
    return 1 / PENCE_PER_UNIT if term == "family_travel_cost" else 1.0


def coefficient(weights: Weights, term: str) -> int:
    """Integer objective coefficient of one unit of ``term``'s raw figure."""
    return round(weights.of(term) * raw_unit(term) * SCALE)


@dataclass
class Terms:
    """Raw objective figures as linear expressions, by term name (cost in pence)."""

    parts: dict[str, list[Expr]] = field(default_factory=lambda: {t: [] for t in TERMS})

    def add(self, term: str, expr: Expr) -> None:
        """Add ``expr`` to ``term``."""
        self.parts[term].append(expr)

    def expr(self, term: str) -> cp_model.LinearExprT:
        """The whole raw figure of ``term``."""
        return cp_model.LinearExpr.sum(self.parts[term])

    def weighted(self, weights: Weights) -> cp_model.LinearExprT:
        """The objective: every term times its coefficient."""
        return cp_model.LinearExpr.weighted_sum(
            [self.expr(t) for t in TERMS], [coefficient(weights, t) for t in TERMS]
        )


@dataclass
class Objective:
    """Builds the terms of one model."""

    v: Variables
    circuits: Circuits
    budget: Budget
    terms: Terms = field(default_factory=Terms)
    trip: dict[tuple[int, int], BoolVar] = field(default_factory=dict)
    """(client, pattern day) -> the client travels to a session stop that day."""
    late: dict[tuple[int, int], cp_model.IntVar] | None = None
    """Appointment day -> minutes its session starts after ``start_by`` (0 when not held)."""

    def build(self) -> Terms:
        """Every term with a positive weight (travel minutes also when only its cost is weighted)."""
        w = self.v.scenario.weights
        for term, builder in BUILDERS.items():
            self.budget.check()
            needed = w.of(term) > 0 or (term == "family_travel_minutes" and w.of("family_travel_cost") > 0)
            if needed:
                builder(self)
        return self.terms

    # ------------------------------------------------------------------ terms

    def trips(self) -> None:
        """Days a client travels to a session stop; with clustering "avoid", extra sessions a day."""
        v = self.v
        for client in v.clients:
            self.budget.check()
            avoid = client.preferences.same_day_clustering == "avoid"
            for g in v.scenario.days():
                appts = v.index.appointments_by_client_day.get((client.index, g), [])
                if not appts:
                    continue
                if avoid:
                    count = sum(v.held[(a, g)] for a in appts)
                    extra = v.model.new_int_var(0, len(appts), "")
                    v.model.add_max_equality(extra, [0, count - 1])
                    self.terms.add("trips", extra)
                    continue
                away = []
                for a in appts:
                    members = [o for o in v.options_on(a, g) if o.inside is None and o.venue != client.home]
                    if members:
                        away.append(v.any_of(members))
                trip = v.either(away)
                self.trip[(client.index, g)] = trip
                self.terms.add("trips", trip)
            if not avoid:
                self._at_least_days(client, self._always_away, self._trip_on)

    def appointment_days(self) -> None:
        """Days with any session."""
        v = self.v
        for client in v.clients:
            for g in v.scenario.days():
                self.terms.add("appointment_days", v.client_day_used(client.index, g))
            self._at_least_days(client, None, v.client_day_used)

    def family_travel(self) -> None:
        """Minutes and pence of a client's legs with their own session at either end, as
        travelled (with a carer, by the carer's mode)."""
        for c in self.circuits.of_kind("client"):
            self.budget.check()
            for (i, j), routes in c.routes.items():
                a, b = c.nodes[i], c.nodes[j]
                for route in routes:
                    for k, leg in enumerate(route.legs):
                        ends = (a, b) if not route.via_home else ((a,) if k == 0 else (b,))
                        if not any(end.own_session for end in ends):
                            continue
                        if leg.minutes:
                            self.terms.add("family_travel_minutes", route.literal * leg.minutes)
                        if leg.pence:
                            self.terms.add("family_travel_cost", route.literal * leg.pence)

    def distinct_people(self) -> None:
        """Practitioners a client meets in the pattern.

        Redundant but strong: an active appointment meets all its listed practitioners, and
        one practitioner of its role.
        """
        v = self.v
        for client in v.clients:
            self.budget.check()
            met = v.people_met(client.index, list(v.scenario.days()))
            for literal in met.values():
                self.terms.add("distinct_people", literal)
            for appt in v.appointments:
                if appt.client != client.index:
                    continue
                active = v.active[appt.index]
                for p in appt.practitioners:
                    if p in met:
                        v.model.add(met[p] >= active)
                if appt.role is not None:
                    pool = [lit for p, lit in met.items() if v.scenario.practitioners[p].takes(appt.role)]
                    if pool:
                        v.model.add(sum(pool) >= active)

    def outside_preferred_windows(self) -> None:
        """Session minutes outside the client's preferred windows."""
        v = self.v
        slot = v.scenario.horizon.slot
        for (a, g), k in v.start_slot.items():
            appt = v.scenario.appointments[a]
            windows = v.scenario.clients[appt.client].preferences.preferred_windows
            if not windows:
                continue
            lo, hi = v.slot_range[(a, g)]
            # Indexed by the slot number itself: an affine index expression is not supported.
            table = [
                appt.duration - _covered(s * slot, s * slot + appt.duration, windows) if s >= lo else 0
                for s in range(hi + 1)
            ]
            if not any(table):
                continue
            value = v.model.new_int_var(0, appt.duration, "")
            v.model.add_element(k, table, value)
            out = v.model.new_int_var(0, appt.duration, "")
            v.model.add(out == value).only_enforce_if(v.held[(a, g)])
            v.model.add(out == 0).only_enforce_if(v.held[(a, g)].negated())
            self.terms.add("outside_preferred_windows", out)

    def avoided_days(self) -> None:
        """Sessions on the client's avoid days."""
        v = self.v
        for (a, g), held in v.held.items():
            client = v.scenario.clients[v.scenario.appointments[a].client]
            if g % 7 in client.preferences.avoid_days:
                self.terms.add("avoided_days", held)

    def waiting(self) -> None:
        """Idle minutes between consecutive stops of a client, at least one their own session,
        not both at home, less the journey as travelled; none when they go home between."""
        v = self.v
        for c in self.circuits.of_kind("client"):
            self.budget.check()
            home = v.scenario.clients[c.person].home
            for (i, j), routes in c.routes.items():
                if i == 0 or j == 0:
                    continue
                a, b = c.nodes[i], c.nodes[j]
                if not (a.own_session or b.own_session) or (a.place == home and b.place == home):
                    continue
                for route in routes:
                    if route.via_home:
                        continue
                    wait = v.model.new_int_var(0, MINUTES_PER_DAY, "")
                    v.model.add(wait == b.start - a.end - route.minutes).only_enforce_if(route.literal)
                    v.model.add(wait == 0).only_enforce_if(route.literal.negated())
                    self.terms.add("waiting_minutes", wait)

    def disruption(self) -> None:
        """Sessions of appointments with current bookings that keep none of them."""
        v = self.v
        for appt in v.appointments:
            if not appt.current:
                continue
            for g in v.days_of(appt.index):
                kept = self._kept_bookings(appt, g)
                self.terms.add("disruption", v.held[(appt.index, g)] - cp_model.LinearExpr.sum(kept))

    def practitioner_travel(self) -> None:
        """Minutes of practitioners' legs, base legs included (days of fixed stops only too)."""
        self.terms.add("practitioner_travel_minutes", self.v.fixed_practitioner_travel)
        for c in self.circuits.of_kind("practitioner"):
            self.budget.check()
            for routes in c.routes.values():
                for route in routes:
                    if route.minutes:
                        self.terms.add("practitioner_travel_minutes", route.literal * route.minutes)

    def accompanying(self) -> None:
        """Minutes a client who is never left alone spends on outings with a companion's stop,
        less their own sessions' minutes: stops, legs and waits of those outings.

        An outing is a run of stops away from home joined by straight routes; a stop's flag
        ``early`` is true when the outing has a companion's stop at or before it, ``late``
        at or after it, each set by its neighbour along the route actually taken, so that
        the flags are exact in every solution, not only in an optimal one.
        """
        v = self.v
        m = v.model
        for c in self.circuits.of_kind("client"):
            if v.scenario.clients[c.person].supervision != "always":
                continue
            self.budget.check()
            away = [i for i in range(1, len(c.nodes)) if not c.at_home(i)]
            if not any(c.nodes[i].companion for i in away):
                continue
            early = {i: m.new_bool_var("") for i in away}
            late = {i: m.new_bool_var("") for i in away}
            for i in away:
                self._spread(c, i, early, late)
            flag = {i: v.either([early[i], late[i]]) for i in away}
            for i in away:
                n = c.nodes[i]
                if not n.own_session:
                    self.terms.add("accompanying_minutes", n.duration * flag[i])
            for (i, j), routes in c.routes.items():
                for r in routes:
                    self._accompanying_route(c, i, j, r, flag)

    def _spread(self, c: DayCircuit, i: int, early: dict[int, BoolVar], late: dict[int, BoolVar]) -> None:
        """``early[i]``: a companion's stop at node ``i`` or, along a straight route, before it
        on the same outing; ``late[i]`` likewise after it."""
        m = self.v.model
        n = c.nodes[i]
        own: list[BoolVar] = [n.present] if n.companion and n.present is not None else []
        for flags, routes in ((early, c.routes_into(i)), (late, c.routes_out_of(i))):
            reasons = list(own)
            for k, r in routes:
                if r.via_home or k not in flags:
                    continue
                reasons.append(self._both(r.literal, flags[k]))
            if reasons:
                m.add_max_equality(flags[i], reasons)
            else:
                m.add(flags[i] == 0)

    def _accompanying_route(self, c: DayCircuit, i: int, j: int, r: Route, flag: dict[int, BoolVar]) -> None:
        """The minutes away on route ``r`` from node ``i`` to ``j`` that belong to a companion's outing."""
        m = self.v.model
        a, b = c.nodes[i], c.nodes[j]

        def counted(node: int, minutes: int) -> None:
            if minutes and node in flag:
                self.terms.add("accompanying_minutes", minutes * self._both(r.literal, flag[node]))

        if r.via_home:
            counted(i, r.legs[0].minutes)
            counted(j, r.legs[1].minutes)
        elif i in flag and j in flag:
            gap = m.new_int_var(0, MINUTES_PER_DAY, "")
            on = self._both(r.literal, flag[i])
            m.add(gap == b.start - a.end).only_enforce_if(on)
            m.add(gap == 0).only_enforce_if(on.negated())
            self.terms.add("accompanying_minutes", gap)
        elif j in flag:
            counted(j, r.minutes)
        elif i in flag:
            counted(i, r.minutes)

    def _both(self, x: BoolVar, y: BoolVar) -> BoolVar:
        """A literal equal to ``x and y``."""
        m = self.v.model
        both = m.new_bool_var("")
        m.add_bool_and([x, y]).only_enforce_if(both)
        m.add_bool_or([x.negated(), y.negated(), both])
        return both

    def dropped_optional(self) -> None:
        """Optional appointments left out."""
        for appt in self.v.appointments:
            if appt.optional:
                self.terms.add("dropped_optional", 1 - self.v.active[appt.index])

    def total_lateness(self) -> None:
        """Minutes sessions start after their appointment's ``start_by``, summed."""
        for late in self._lateness().values():
            self.terms.add("total_lateness", late)

    def max_lateness(self) -> None:
        """The most minutes any one session starts late, sessions already placed (of other
        groups) included."""
        late = list(self._lateness().values())
        placed = max(
            (self.v.scenario.appointments[f.appointment].lateness(f.start) for f in self.v.fixed), default=0
        )
        if not late:
            self.terms.add("max_lateness", placed)
            return
        most = self.v.model.new_int_var(0, MINUTES_PER_DAY, "max lateness")
        self.v.model.add_max_equality(most, [*late, placed])
        self.terms.add("max_lateness", most)

    # ---------------------------------------------------------------- helpers

    def _lateness(self) -> dict[tuple[int, int], cp_model.IntVar]:
        """Per appointment day that can start after its ``start_by``, its minutes late, made once."""
        if self.late is not None:
            return self.late
        v = self.v
        slot = v.scenario.horizon.slot
        self.late = {}
        for (a, g), k in v.start_slot.items():
            start_by = v.scenario.appointments[a].start_by
            if start_by is None or v.slot_range[(a, g)][1] * slot <= start_by:
                continue
            after = v.model.new_int_var(0, MINUTES_PER_DAY, "")
            v.model.add_max_equality(after, [0, k * slot - start_by])
            late = v.model.new_int_var(0, MINUTES_PER_DAY, f"late {a} {g}")
            v.model.add(late == after).only_enforce_if(v.held[(a, g)])
            v.model.add(late == 0).only_enforce_if(v.held[(a, g)].negated())
            self.late[(a, g)] = late
        return self.late

    def _trip_on(self, client: int, g: int) -> BoolVar:
        """The trip literal of a client's pattern day (a constant 0 on a day with no option)."""
        trip = self.trip.get((client, g))
        return trip if trip is not None else self.v.model.new_constant(0)

    def _always_away(self, appt: Appointment) -> bool:
        """True when every option of ``appt`` is a journey: not at home, not inside a routine."""
        home = self.v.scenario.clients[appt.client].home
        return all(
            o.inside is None and o.venue != home
            for o in self.v.index.options_by_appointment.get(appt.index, [])
        )

    def _at_least_days(
        self,
        client: Client,
        counts: Callable[[Appointment], bool] | None,
        day_literal: Callable[[int, int], BoolVar],
    ) -> None:
        """Redundant: with at most L sessions a day, N required sessions of a week take at
        least ceil(N / L) days; stated so the linear relaxation sees it."""
        v = self.v
        cap = client.limits.max_sessions_per_day
        if not cap:
            return
        needed = sum(
            a.frequency.per_week or 0
            for a in v.appointments
            if a.client == client.index and not a.optional and (counts is None or counts(a))
        )
        if needed <= cap:
            return
        for week in range(v.scenario.horizon.weeks):
            days = [day_literal(client.index, g) for g in range(week * 7, week * 7 + 7)]
            v.model.add(sum(days) >= -(-needed // cap))

    def _kept_bookings(self, appt: Appointment, g: int) -> list[BoolVar]:
        """Literals, one per current booking this session could keep, true when it keeps it."""
        v = self.v
        slot = v.scenario.horizon.slot
        kept = []
        k = v.start_slot[(appt.index, g)]
        for booking in appt.current:
            if (
                booking.day != g % 7
                or g // 7 not in booking.weeks(v.scenario.horizon.weeks)
                or booking.start % slot
            ):
                continue
            value = booking.start // slot
            for o in v.options_on(appt.index, g):
                if o.venue != booking.venue or not any(lo <= value <= hi for lo, hi in o.slots):
                    continue
                at_time = v.model.new_bool_var("")
                v.model.add(k == value).only_enforce_if(at_time)
                v.model.add(k != value).only_enforce_if(at_time.negated())
                keep = v.model.new_bool_var("")
                v.model.add_bool_and([v.chosen[o.index], at_time]).only_enforce_if(keep)
                v.model.add_bool_or([v.chosen[o.index].negated(), at_time.negated(), keep])
                kept.append(keep)
        return kept


BUILDERS: dict[str, Callable[[Objective], None]] = {
    "trips": Objective.trips,
    "appointment_days": Objective.appointment_days,
    "family_travel_minutes": Objective.family_travel,
    "family_travel_cost": lambda _: None,  # built with the minutes, from the same legs
    "distinct_people": Objective.distinct_people,
    "outside_preferred_windows": Objective.outside_preferred_windows,
    "avoided_days": Objective.avoided_days,
    "waiting_minutes": Objective.waiting,
    "disruption": Objective.disruption,
    "practitioner_travel_minutes": Objective.practitioner_travel,
    "dropped_optional": Objective.dropped_optional,
    "accompanying_minutes": Objective.accompanying,
    "total_lateness": Objective.total_lateness,
    "max_lateness": Objective.max_lateness,
}
"""One builder per term of :data:`scheduler.weights.TERMS`, in its order."""
assert list(BUILDERS) == list(TERMS), "every term needs a builder"


def _covered(start: int, end: int, windows: tuple[Span, ...]) -> int:
    """Minutes of ``[start, end)`` inside the union of ``windows`` (which may overlap)."""
    covered, reached = 0, start
    for w in sorted(windows):
        lo, hi = max(reached, w.start), min(end, w.end)
        if hi > lo:
            covered += hi - lo
            reached = hi
    return covered
