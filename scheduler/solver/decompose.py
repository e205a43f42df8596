"""Large scenarios: solve group by group, improve by re-solving groups, bound by relaxation.

A *group* is a household together with everyone linked to it through a shared carer: the
smallest set of clients whose days can be laid out on their own. Groups interact only
through practitioners, rooms and practitioner limits, so a group can be scheduled exactly
around the sessions already placed for the others (the model's ``fixed`` sessions).

1. Construction: groups in order of need (most sessions first), each around the others,
   the best placement found in its share of the time, or else the first one found. A group
   the others leave no room for displaces the groups in its way, which are placed again
   after it (ruin and recreate).
2. Bound: each group alone, with coupling constraints and the shared practitioner-travel
   term left out, is a relaxation of its share of the objective; the sum of the groups'
   proven bounds is a valid lower bound of the whole.
3. Improvement (large neighbourhood search): re-solve one group at a time around the
   rest, starting from its current placement, keeping what improves.
The result is read by solving the full model restricted to the chosen options, so every
reported figure comes from the one model.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.model import SCALE, PatternModel
from scheduler.solver.presolve import Option, Presolved
from scheduler.travel import Travel

MAX_REPAIRS = 3
"""How many times a group may displace the groups in its way during construction."""
DISPLACED = 3
"""How many groups in its way a group displaces at its first repair; each further repair
displaces twice as many as the one before (a 100-household town had a group still blocked
after three repairs of three: groups placed by objective crowd the same practitioner-days)."""


def client_groups(scenario: Scenario) -> list[set[int]]:
    """Appointment indices of each group (households joined through shared carers)."""
    parent = list(range(len(scenario.clients)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    by_household: dict[str, int] = {}
    by_carer: dict[int, int] = {}
    for client in scenario.clients:
        join(client.index, by_household.setdefault(client.household, client.index))
        for carer in client.carers:
            join(client.index, by_carer.setdefault(carer, client.index))
    groups: dict[int, set[int]] = {}
    for appt in scenario.appointments:
        groups.setdefault(find(appt.client), set()).add(appt.index)
    return list(groups.values())


@dataclass
class Placement:
    """A group's chosen options and start slots, and its objective around the others
    (infinite when it was placed without one)."""

    choice: dict[tuple[int, int], tuple[Option, int]]
    objective: float


class Decomposition:
    """Drives the three phases within a deadline."""

    def __init__(
        self,
        scenario: Scenario,
        presolved: Presolved,
        travel: Travel,
        *,
        deadline: float,
        seed: int,
        workers: int,
        stop: Callable[[], bool],
        report: Callable[[str], None],
    ) -> None:
        self.s = scenario
        self.p = presolved
        self.travel = travel
        self.deadline = deadline
        self.seed = seed
        self.workers = workers
        self.stop = stop
        self.report = report
        self.groups = sorted(client_groups(scenario), key=self._need, reverse=True)
        self.placed: dict[int, Placement] = {}
        self._failed: int | None = None

    def _need(self, group: set[int]) -> int:
        return sum(self.s.appointments[a].frequency.sessions_in(self.s.horizon.weeks) for a in group)

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    # ----------------------------------------------------------------- phases

    def lower_bound(self, budget: float) -> float | None:
        """Sum of each group's proven bound with coupling and practitioner travel relaxed.

        Groups go smallest first, each with an even share of the budget left: small groups
        are proven in a fraction of theirs and leave the rest to the large ones. Time left
        after the first pass goes to the groups not yet proven, whose best bound is kept.
        Every term is at least 0, so a group the budget does not reach counts 0.
        """
        relaxed = replace(self.s, weights=replace(self.s.weights, practitioner_travel_minutes=0.0))
        until = time.monotonic() + budget
        bounds: dict[int, float] = {}
        unproven = sorted(range(len(self.groups)), key=lambda g: len(self.groups[g]))
        while unproven and time.monotonic() < until - 0.1:
            queue, unproven = unproven, []
            for n, gi in enumerate(queue):
                if self.stop():
                    return None
                if time.monotonic() >= until:
                    break
                built = PatternModel(relaxed, self.p, self.travel, only=self.groups[gi]).build(for_bound=True)
                solver = self._solver((until - time.monotonic()) / (len(queue) - n))
                # Interleaved workers prove tighter bounds in these short runs (sum over the 20
                # groups of a generated town in 20 s: 4539 against 4148 for the portfolio).
                # They may also end unproven before their time is up: hence the next pass.
                solver.parameters.interleave_search = True
                status = solver.solve(built.m)
                if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                    return None
                # The proven bound holds whether or not a solution was found in time.
                bounds[gi] = max(bounds.get(gi, 0.0), solver.best_objective_bound / SCALE)
                if status != cp_model.OPTIMAL:
                    unproven.append(gi)
        return sum(bounds.values())

    def construct(self, until: float) -> bool:
        """Place every group around those placed before it, sharing the time to ``until``
        (a group that finds no placement in its share may go on to the deadline); False if
        one cannot be placed in time.

        A group that is proven to have no placement around the others is placed instead of
        the groups most in its way, which are then placed again after it (ruin and recreate,
        at most :data:`MAX_REPAIRS` times per group).
        """
        queue = deque(range(len(self.groups)))
        repairs: Counter[int] = Counter()
        while queue:
            gi = queue.popleft()
            share = max(0.0, until - time.monotonic()) / (len(queue) + 1)
            placement, blocked = self._place(gi, share=share)
            if placement is not None:
                self.placed[gi] = placement
                self.report(f"placed {len(self.placed)} of {len(self.groups)} groups")
                continue
            in_the_way = self._in_the_way(gi, DISPLACED * 2 ** repairs[gi]) if blocked else []
            if not in_the_way or repairs[gi] >= MAX_REPAIRS or self.stop() or self._left() <= 0.5:
                self._failed = gi
                return False
            repairs[gi] += 1
            for other in in_the_way:
                del self.placed[other]
            queue.extendleft(reversed([gi, *in_the_way]))
        return True

    def _place(self, gi: int, share: float) -> tuple[Placement | None, bool]:
        """Group ``gi`` around the others: the best placement in its ``share`` of the time;
        failing that, the first one found with more and more time. True with no placement
        when the others are proven to leave it no room."""
        placement, blocked = self._solve_group(gi, share, hint=None)
        budget = share
        while placement is None and not blocked and not self.stop() and self._left() > 0.5:
            budget = min(4 * max(budget, 0.1), self._left() / 2)
            placement, blocked = self._solve_group(gi, budget, hint=None, first_only=True)
        return placement, blocked

    def _in_the_way(self, gi: int, count: int) -> list[int]:
        """The ``count`` placed groups with the most sessions on a day group ``gi``
        could use, with a practitioner it could have or at a venue it could use."""
        days = range(7 * self.s.horizon.weeks)
        options = [o for a in self.groups[gi] for g in days for o in self.p.options_on(a, g)]
        wanted = {(o.pattern_day, p) for o in options for p in o.practitioners}
        venues = {(o.pattern_day, o.venue) for o in options}
        clashes = {
            other: sum(
                (o.pattern_day, o.venue) in venues
                or any((o.pattern_day, p) in wanted for p in o.practitioners)
                for o, _ in placement.choice.values()
            )
            for other, placement in self.placed.items()
        }
        ranked = sorted((other for other, n in clashes.items() if n), key=lambda g: (-clashes[g], g))
        return ranked[:count]

    def failed_group(self) -> set[int] | None:
        """The appointments of a group that cannot be placed even with no other group, if any."""
        if self._failed is None:
            return None
        group = self.groups[self._failed]
        built = PatternModel(self.s, self.p, self.travel, only=group).build(objective=False)
        status = self._solver(max(1.0, self._left())).solve(built.m)
        return group if status == cp_model.INFEASIBLE else None

    def improve(self, until: float) -> int:
        """Re-solve groups one at a time around the others until ``until``; improvements made."""
        improved = 0
        rounds_without = 0
        while time.monotonic() < until and not self.stop() and rounds_without < 2:
            changed = False
            for gi in sorted(self.placed, key=lambda g: -self.placed[g].objective):
                budget = min(until - time.monotonic(), 2.0)
                if budget <= 0.2 or self.stop():
                    return improved
                old = self.placed[gi]
                new, _ = self._solve_group(gi, budget, hint=old)
                if new is not None and new.objective < old.objective - 1e-9:
                    self.placed[gi] = new
                    improved += 1
                    changed = True
            rounds_without = 0 if changed else rounds_without + 1
        return improved

    def chosen(self) -> Presolved:
        """The options placed, each narrowed to its chosen start: the input of the final read."""
        options = []
        for placement in self.placed.values():
            for option, slot in placement.choice.values():
                options.append(replace(option, slots=((slot, slot),)))
        return _presolved_of(options)

    # ---------------------------------------------------------------- helpers

    def _fixed_except(self, gi: int) -> list[PlacedSession]:
        out = []
        slot = self.s.horizon.slot
        for other, placement in self.placed.items():
            if other == gi:
                continue
            for option, k in placement.choice.values():
                start = k * slot
                out.append(
                    PlacedSession(
                        week=option.week,
                        day=option.day,
                        start=start,
                        end=start + self.s.appointments[option.appointment].duration,
                        appointment=option.appointment,
                        occurrence=0,
                        venue=option.venue,
                        practitioners=option.practitioners,
                        carer=option.carer,
                    )
                )
        return out

    def _solve_group(
        self, gi: int, budget: float, hint: Placement | None, *, first_only: bool = False
    ) -> tuple[Placement | None, bool]:
        """Group ``gi`` around the others: its best placement in ``budget`` seconds, or with
        ``first_only`` any placement, found as fast as possible (when construction found none
        in its share: improving is the next phase's job; its objective is then unknown,
        infinite). True when there is proven to be none."""
        built = PatternModel(
            self.s, self.p, self.travel, only=self.groups[gi], fixed=self._fixed_except(gi)
        ).build(objective=not first_only)
        if hint is not None:
            built.hint(list(hint.choice.values()))
        solver = self._solver(budget)
        # Placements are many, small and cut by the clock: CP-SAT's presolve costs more than it
        # saves (100 households in 120 s: trips 0.56 of today's without it, 0.69 with it).
        solver.parameters.cp_model_presolve = False
        status = solver.solve(built.m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, status == cp_model.INFEASIBLE
        objective = math.inf if first_only else solver.objective_value / SCALE
        return Placement(self._choice(built, solver), objective), False

    @staticmethod
    def _choice(built: PatternModel, solver: cp_model.CpSolver) -> dict[tuple[int, int], tuple[Option, int]]:
        """The chosen option and start slot of each appointment-day of a solved group."""
        return {
            (o.appointment, o.pattern_day): (o, solver.value(built.k[(o.appointment, o.pattern_day)]))
            for o in built.p.options
            if solver.boolean_value(built.x[o.index])
        }

    def _solver(self, budget: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, min(budget, self._left()))
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        # Sub-problems are cut by the clock, so deterministic (interleaved) search would buy
        # nothing here; the parallel portfolio finds placements sooner (measured on towns).
        # Sub-problems are many and small: presolve probing costs more than it saves here.
        solver.parameters.cp_model_probing_level = 0
        return solver


def _presolved_of(options: Sequence[Option]) -> Presolved:
    out = Presolved()
    for o in options:
        out.options.append(o)
        out.by_appointment_day.setdefault((o.appointment, o.pattern_day), []).append(o)
    return out
