"""The CP-SAT model of a weekly pattern: variables, rule families, objective, and read-back.

:class:`PatternModel` builds, in order, the variables (:mod:`~scheduler.solver.variables`),
every rule family (:mod:`~scheduler.solver.constraints`, in the order of their
``families()``) and the objective (:mod:`~scheduler.solver.objective`); :meth:`PatternModel.read`
turns a solution back into a :class:`Pattern`. Callers (solve, decomposition, explanation)
never reach into the variables.

A model may cover some appointments only (``only``) around sessions of other appointments
already placed (``fixed``): that is how large scenarios are laid out group by group.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.model import Scenario
from scheduler.schedule import PlacedCompanion, PlacedRoutine, PlacedSession, number_occurrences
from scheduler.solver.circuits import Circuits, DayCircuit, RouteLeg
from scheduler.solver.constraints import Building, families
from scheduler.solver.cpsat import Budget, Outcome
from scheduler.solver.objective import SCALE, Objective, Terms, raw_unit
from scheduler.solver.presolve import Option, Presolved
from scheduler.solver.result import Itinerary, Leg
from scheduler.solver.rules import Rules
from scheduler.solver.variables import Variables
from scheduler.travel import Travel
from scheduler.weights import TERMS

Choice = tuple[Option, int]
"""An option and the start slot chosen for it."""


@dataclass(frozen=True)
class Pattern:
    """A solution read back: sessions and what goes with them, and the objective's figures."""

    objective: float
    components: Mapping[str, float]
    choices: tuple[Choice, ...]
    sessions: tuple[PlacedSession, ...]
    routines: tuple[PlacedRoutine, ...]
    itineraries: tuple[Itinerary, ...]
    dropped: tuple[int, ...]
    companions: tuple[PlacedCompanion, ...] = ()


class PatternModel:
    """The model of a scenario (or of some of its appointments) built from pre-solved options."""

    def __init__(
        self,
        scenario: Scenario,
        presolved: Presolved,
        travel: Travel,
        budget: Budget,
        *,
        explaining: bool = False,
        only: set[int] | None = None,
        fixed: Sequence[PlacedSession] = (),
        objective: bool = True,
        for_bound: bool = False,
    ) -> None:
        """Build the whole model; checks ``budget`` between steps (raises
        :class:`~scheduler.solver.cpsat.SolveInterruptedError`).

        ``only`` limits the model to those appointments; ``fixed`` are sessions of other
        appointments, already placed, that practitioners, carers and venues must work
        around. ``explaining`` puts every rule group under an assumption literal.
        ``for_bound`` builds a relaxation for lower bounds: practitioners' circuits are left
        out when some measured journey could make a subsequence of stops slower than the
        whole (rooms and limits on a subset of sessions always hold, so they stay).
        """
        started = budget.clock()
        self.scenario = scenario
        self.presolved = presolved if only is None else presolved.subset(only)
        self.travel = travel
        self.cp = cp_model.CpModel()
        appointments = [a for a in scenario.appointments if only is None or a.index in only]
        budget.check()
        self.v = Variables(self.cp, scenario, self.presolved, appointments, fixed, budget)
        self.rules = Rules(self.cp, explaining)
        self.circuits = Circuits(self.v, self.rules, travel)
        building = Building(
            self.v,
            self.rules,
            self.circuits,
            budget,
            practitioner_circuits=not (for_bound and scenario.travel.matrix),
        )
        for family in families():
            family(building)
        self.terms = Terms()
        if objective:
            self.terms = Objective(self.v, self.circuits, budget).build()
            self.cp.minimize(self.terms.weighted(scenario.weights))
        self.build_seconds = budget.clock() - started
        """Seconds this model took to build."""

    def tie_break(self, objective: float) -> None:
        """Keep the objective at ``objective`` (raw units) or better, and order the patterns
        that do by a secondary objective instead: earliest starts, first options, earliest
        free minutes of routines and earliest departures. Hints are cleared, so that a search
        with one worker finds the same pattern however the objective was reached."""
        self.cp.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
        self.cp.add(self.terms.weighted(self.scenario.weights) <= round(objective))
        v = self.v
        secondary = [*v.start_slot.values(), *v.routine_start.values()]
        secondary += [start for c in self.circuits.all for start, _ in c.departures.values()]
        self.cp.minimize(
            cp_model.LinearExpr.sum(secondary)
            + cp_model.LinearExpr.weighted_sum(list(v.chosen.values()), list(v.chosen))
        )

    @property
    def options(self) -> list[Option]:
        """The options of the model."""
        return self.presolved.options

    def hint(self, chosen: Sequence[Choice]) -> None:
        """Hint a pattern: the ``chosen`` options, each at its start slot, and no other."""
        picked = {option.index for option, _ in chosen}
        for index, x in self.v.chosen.items():
            self.cp.add_hint(x, index in picked)
        for option, k in chosen:
            self.cp.add_hint(self.v.start_slot[(option.appointment, option.pattern_day)], k)

    def fixed_to(self, chosen: Sequence[Choice]) -> cp_model.CpModel:
        """A copy of the model holding exactly the options of ``chosen``, at their start
        slots: its search completes that pattern (routes, companions, routines) into values
        of every variable, for :meth:`hint_all`."""
        copy = self.cp.clone()
        starts = {(o.appointment, o.pattern_day): k for o, k in chosen}
        picked = {o.index for o, _ in chosen}
        for index, x in self.v.chosen.items():
            copy.add(copy.get_bool_var_from_proto_index(x.index) == int(index in picked))
        for key, k in starts.items():
            copy.add(copy.get_int_var_from_proto_index(self.v.start_slot[key].index) == k)
        return copy

    def hint_all(self, outcome: Outcome) -> None:
        """Hint every variable with its value in ``outcome``, a solution of this model or of
        a copy of it (:meth:`fixed_to`): a complete hint, where the search starts at once."""
        self.cp.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
        for index, value in enumerate(outcome.solution()):
            self.cp.add_hint(self.cp.get_int_var_from_proto_index(index), value)

    @staticmethod
    def objective_of(raw: float) -> float:
        """A raw objective value (or bound) in the weights' units."""
        return raw / SCALE

    def choices(self, outcome: Outcome) -> tuple[Choice, ...]:
        """The chosen option and start slot of each appointment day in ``outcome``'s solution."""
        v = self.v
        return tuple(
            (o, outcome.value(v.start_slot[(o.appointment, o.pattern_day)]))
            for o in self.presolved.options
            if outcome.truth(v.chosen[o.index])
        )

    def read(self, outcome: Outcome) -> Pattern:
        """The pattern of ``outcome``'s solution, with the objective's figures (weights applied)."""
        s = self.scenario
        choices = self.choices(outcome)
        components = {
            term: s.weights.of(term) * outcome.value(self.terms.expr(term)) * raw_unit(term) for term in TERMS
        }
        routines = tuple(
            PlacedRoutine(
                client,
                s.clients[client].routines[k].name,
                g // 7,
                g % 7,
                outcome.value(var),
                outcome.value(var) + (s.clients[client].routines[k].duration or 0),
            )
            for (client, k, g), var in sorted(self.v.routine_start.items())
        )
        itineraries = tuple(it for c in self.circuits.all if (it := self._itinerary(c, outcome)) is not None)
        dropped = tuple(
            a.index for a in self.v.appointments if a.optional and not outcome.truth(self.v.active[a.index])
        )
        sessions = number_occurrences([o.placed(s, k) for o, k in choices])
        by_day = {(x.appointment, x.pattern_day): x for x in sessions}
        companions = tuple(
            sorted(
                PlacedCompanion(by_day[(a, g)], client, carer)
                for (client, carer, (a, g, _)), comes in self.v.companion.items()
                if outcome.truth(comes)
            )
        )
        return Pattern(
            objective=sum(components.values()),
            components=components,
            choices=choices,
            sessions=sessions,
            routines=routines,
            itineraries=itineraries,
            dropped=dropped,
            companions=companions,
        )

    def _no_time_for(self, c: DayCircuit, i: int, j: int, minutes: int) -> bool:
        """True for a journey between two fixed stops (or the depot) that does not fit in the
        time the data leaves between them: a fault of the data, which no decision changes and
        which rule 3 does not judge, left out of the itinerary."""
        fixed = c.nodes[i].session is None and c.nodes[j].session is None
        return fixed and minutes > self.circuits.time_between_fixed(c, i, j)

    def _itinerary(self, c: DayCircuit, outcome: Outcome) -> Itinerary | None:
        """The legs of one person's day, in order, read from the routes taken."""
        successor = {i: j for (i, j), arc in c.arcs.items() if outcome.truth(arc)}
        order = []
        node = successor.get(0)
        while node not in (None, 0):
            order.append(node)
            node = successor.get(node)
        carers = self.scenario.carers

        def as_leg(leg: RouteLeg, depart: int) -> Leg:
            mode = c.mode if leg.escort is None else carers[leg.escort].travel_mode
            return Leg(
                leg.origin, leg.destination, depart, depart + leg.minutes, leg.minutes, leg.pence, mode
            )

        legs = []
        for prev, nxt in itertools.pairwise([0, *order, 0]):
            route = next((r for r in c.routes.get((prev, nxt), []) if outcome.truth(r.literal)), None)
            if route is None or not route.legs:
                continue
            a, b = c.nodes[prev], c.nodes[nxt]
            if route.via_home:
                out, back = route.legs
                legs.append(as_leg(out, outcome.value(a.end)))
                legs.append(as_leg(back, outcome.value(b.start) - back.minutes))
                continue
            (leg,) = route.legs
            if self._no_time_for(c, prev, nxt, leg.minutes):
                continue  # between two fixed stops, a journey the data gives no time for (its fault)
            if prev in c.departures:
                depart = outcome.value(c.departures[prev][0])
            elif c.at_home(prev):
                depart = outcome.value(b.start) - leg.minutes  # leaving home as late as it may
            else:
                depart = outcome.value(a.end)
            legs.append(as_leg(leg, depart))
        if not legs:
            return None
        return Itinerary(c.kind, c.person, c.pattern_day // 7, c.pattern_day % 7, tuple(legs))
