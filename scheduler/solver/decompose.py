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
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, SolveInterruptedError, run
from scheduler.solver.pattern import Choice, Pattern, PatternModel
from scheduler.solver.presolve import Presolved
from scheduler.travel import Travel

MAX_REPAIRS = 3
"""How many times a group may displace the groups in its way during construction."""
DISPLACED = 3
"""How many groups in its way a group displaces at its first repair; each further repair
displaces twice as many as the one before (groups placed by objective crowd the same
practitioner-days, so a few at a time are sometimes not enough)."""
READ_SECONDS = 5.0
"""At most this long to read the placed pattern back through the whole model."""
IMPROVE_SECONDS = 2.0
"""At most this long for one group's re-solve during improvement."""


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

    choice: dict[tuple[int, int], Choice]
    objective: float


class Decomposition:
    """Drives the three phases within its budget."""

    def __init__(
        self,
        scenario: Scenario,
        presolved: Presolved,
        travel: Travel,
        budget: Budget,
        *,
        seed: int,
        workers: int,
        report: Callable[[], None],
    ) -> None:
        self.s = scenario
        self.p = presolved
        self.travel = travel
        self.budget = budget
        self.seed = seed
        self.workers = workers
        self.report = report
        self.groups = sorted(client_groups(scenario), key=self._need, reverse=True)
        self.placed: dict[int, Placement] = {}
        self._failed: int | None = None
        self.build_seconds = 0.0
        """Seconds spent building the groups' models."""

    def _need(self, group: set[int]) -> int:
        return sum(self.s.appointments[a].frequency.sessions_in(self.s.horizon.weeks) for a in group)

    # ----------------------------------------------------------------- phases

    def lower_bound(self, seconds: float) -> float | None:
        """Sum of each group's proven bound with coupling and practitioner travel relaxed.

        Groups go smallest first, each with an even share of the time left: small groups
        are proven in a fraction of theirs and leave the rest to the large ones. Time left
        after the first pass goes to the groups not yet proven, whose best bound is kept.
        Every term is at least 0, so a group the time does not reach counts 0.
        """
        relaxed = replace(self.s, weights=replace(self.s.weights, practitioner_travel_minutes=0.0))
        budget = self.budget.until(self.budget.clock() + seconds)
        bounds: dict[int, float] = {}
        unproven = sorted(range(len(self.groups)), key=lambda g: len(self.groups[g]))
        try:
            while unproven and budget.left() > 0.1:
                queue, unproven = unproven, []
                for n, gi in enumerate(queue):
                    budget.check()
                    model = self._model(relaxed, budget, only=self.groups[gi], for_bound=True)
                    # Interleaved workers prove tighter bounds in these short runs; they may
                    # also end unproven before their time is up: hence the next pass.
                    params = SearchParams(
                        budget.left() / (len(queue) - n), self.workers, self.seed, interleave=True
                    )
                    outcome = run(model.cp, params, budget)
                    if outcome.status is SearchStatus.INFEASIBLE:
                        return None
                    # The proven bound holds whether or not a solution was found in time.
                    bounds[gi] = max(bounds.get(gi, 0.0), model.objective_of(outcome.bound or 0.0))
                    if outcome.status is not SearchStatus.OPTIMAL:
                        unproven.append(gi)
        except SolveInterruptedError as interrupted:
            if interrupted.stopped:
                return None
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
        try:
            while queue:
                gi = queue.popleft()
                share = max(0.0, until - self.budget.clock()) / (len(queue) + 1)
                placement, blocked = self._place(gi, share=share)
                if placement is not None:
                    self.placed[gi] = placement
                    self.report()
                    continue
                in_the_way = self._in_the_way(gi, DISPLACED * 2 ** repairs[gi]) if blocked else []
                if not in_the_way or repairs[gi] >= MAX_REPAIRS or self.budget.left() <= 0.5:
                    self._failed = gi
                    return False
                repairs[gi] += 1
                for other in in_the_way:
                    del self.placed[other]
                queue.extendleft(reversed([gi, *in_the_way]))
        except SolveInterruptedError:
            return False
        return True

    def _place(self, gi: int, share: float) -> tuple[Placement | None, bool]:
        """Group ``gi`` around the others: the best placement in its ``share`` of the time;
        failing that, the first one found with more and more time. True with no placement
        when the others are proven to leave it no room."""
        placement, blocked = self._solve_group(gi, share, hint=None)
        seconds = share
        while placement is None and not blocked and self.budget.left() > 0.5:
            self.budget.check()
            seconds = min(4 * max(seconds, 0.1), self.budget.left() / 2)
            placement, blocked = self._solve_group(gi, seconds, hint=None, first_only=True)
        return placement, blocked

    def _in_the_way(self, gi: int, count: int) -> list[int]:
        """The ``count`` placed groups with the most sessions on a day group ``gi``
        could use, with a practitioner it could have or at a venue it could use."""
        group = self.groups[gi]
        options = [o for (a, _), day in self.p.by_appointment_day.items() if a in group for o in day]
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
        """The appointments of a group that could not be placed and cannot be placed even
        with no other group (proven in the time left), if any."""
        if self._failed is None:
            return None
        group = self.groups[self._failed]
        try:
            model = self._model(self.s, self.budget, only=group, objective=False)
        except SolveInterruptedError:
            return None
        outcome = run(model.cp, SearchParams(self.budget.left(), self.workers, self.seed), self.budget)
        return group if outcome.status is SearchStatus.INFEASIBLE else None

    def improve(self, until: float) -> int:
        """Re-solve groups one at a time around the others until ``until``; improvements made."""
        improved = 0
        rounds_without = 0
        budget = self.budget.until(until)
        try:
            while budget.left() > 0 and rounds_without < 2:
                changed = False
                for gi in sorted(self.placed, key=lambda g: -self.placed[g].objective):
                    budget.check()
                    seconds = min(budget.left(), IMPROVE_SECONDS)
                    if seconds <= 0.2:
                        return improved
                    old = self.placed[gi]
                    new, _ = self._solve_group(gi, seconds, hint=old, budget=budget)
                    if new is not None and new.objective < old.objective - 1e-9:
                        self.placed[gi] = new
                        improved += 1
                        changed = True
                rounds_without = 0 if changed else rounds_without + 1
        except SolveInterruptedError:
            pass
        return improved

    def pattern(self) -> Pattern | None:
        """The pattern placed, read from the whole model restricted to the chosen options at
        their chosen starts, so that every figure comes from the one model. It has its own
        short budget, past any stop: the work is done and only its reading is left. None if
        even that cannot be done in time."""
        options = [
            replace(option, slots=((slot, slot),))
            for placement in self.placed.values()
            for option, slot in placement.choice.values()
        ]
        budget = Budget.starting_now(READ_SECONDS, clock=self.budget.clock)
        try:
            model = self._model(self.s, budget, presolved=Presolved.of(options))
        except SolveInterruptedError:
            return None
        outcome = run(model.cp, SearchParams(READ_SECONDS, self.workers, self.seed), budget)
        return model.read(outcome) if outcome.status.has_solution else None

    # ---------------------------------------------------------------- helpers

    def _model(
        self, scenario: Scenario, budget: Budget, presolved: Presolved | None = None, **options: Any
    ) -> PatternModel:
        """A model of (some of) the scenario's options, its building time counted."""
        model = PatternModel(scenario, presolved or self.p, self.travel, budget, **options)
        self.build_seconds += model.build_seconds
        return model

    def _fixed_except(self, gi: int) -> list[PlacedSession]:
        return [
            option.placed(self.s, k)
            for other, placement in self.placed.items()
            if other != gi
            for option, k in placement.choice.values()
        ]

    def _solve_group(
        self,
        gi: int,
        seconds: float,
        hint: Placement | None,
        *,
        first_only: bool = False,
        budget: Budget | None = None,
    ) -> tuple[Placement | None, bool]:
        """Group ``gi`` around the others: its best placement in ``seconds``, or with
        ``first_only`` any placement, found as fast as possible (when construction found none
        in its share: improving is the next phase's job; its objective is then unknown,
        infinite). True when there is proven to be none."""
        budget = budget or self.budget
        model = self._model(
            self.s, budget, only=self.groups[gi], fixed=self._fixed_except(gi), objective=not first_only
        )
        if hint is not None:
            model.hint(list(hint.choice.values()))
        # Placements are many, small and cut by the clock: CP-SAT's presolve costs more than
        # it saves, and deterministic (interleaved) search would buy nothing.
        outcome = run(model.cp, SearchParams(seconds, self.workers, self.seed, presolve=False), budget)
        if not outcome.status.has_solution:
            return None, outcome.status is SearchStatus.INFEASIBLE
        objective = math.inf if first_only else model.objective_of(outcome.objective or 0.0)
        choice = {(o.appointment, o.pattern_day): (o, k) for o, k in model.choices(outcome)}
        return Placement(choice, objective), False
