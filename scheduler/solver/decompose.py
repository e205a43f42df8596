"""Large scenarios: solve group by group, improve by re-solving groups, bound by relaxation.

A *group* is a household together with everyone linked to it through a shared carer: the
smallest set of clients whose days can be laid out on their own. Groups interact only
through practitioners, rooms and practitioner limits, so a group can be scheduled exactly
around the sessions already placed for the others (the model's ``fixed`` sessions).

1. Bound: each group alone, with coupling constraints and the shared practitioner-travel
   term left out, is a relaxation of its share of the objective; the sum of the groups'
   proven bounds is a valid lower bound of the whole. Each group's placement alone, which
   reaches its bound, is where its search in construction starts.
2. Construction: groups in order of need (most sessions first), each around the others,
   the best placement found in its share of the time, or else the first one found. A group
   the others leave no room for displaces the groups in its way, which are placed again
   after it (ruin and recreate).
3. Improvement (large neighbourhood search): re-solve one group at a time around the
   rest, starting from its current placement, keeping what improves.
When the time would give each group too little for a bound worth having, construction goes
first and the bound has part of what it leaves.
The result is read by solving the full model restricted to the chosen options, so every
reported figure comes from the one model.

Each phase hands its sub-solves to an :class:`~scheduler.solver.engines.Engine` in batches
of groups that share no practitioner-day and no venue-day: groups of one batch cannot
change each other's constraints, so they may be solved at once (on a cluster) around the
same placement of the rest. With one slot, a batch is one group, in order.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, SolveInterruptedError, run
from scheduler.solver.engines import Engine, InProcess, run_group_tasks
from scheduler.solver.pattern import Pattern, PatternModel
from scheduler.solver.presolve import Option, Presolved
from scheduler.solver.tasks import Choice, Context, GroupAnswer, GroupTask, TaskKind
from scheduler.travel import Travel

MAX_REPAIRS = 3
"""How many times a group may displace the groups in its way during construction."""
DISPLACED = 3
"""How many groups in its way a group displaces at its first repair; each further repair
displaces twice as many as the one before (groups placed by objective crowd the same
practitioner-days, so a few at a time are sometimes not enough)."""
FIRST_SHARES = 20
"""How many times its share of the time a group that found no placement in its share searches
for any placement around the others before it displaces the groups in its way (while it
still may). Searching to the deadline instead, on the 100-household town one household spent
29 s and found none, and the solve ended without a pattern. It is one search, which ends at
its first placement: searches of four, then sixteen shares each began again from nothing,
and most large households of that town found their placement only in the second."""
BEST_MIN_SECONDS = 0.5
"""Below this share of the time, construction places a group by its first placement found
(improvement may better it later), not its best: on the 100-household town, groups given
0.3 s found no placement by objective and then needed their first placement all the same
(0.1-0.3 s more each), so the last groups overran the time planned for them."""
IMPROVE_SECONDS = 2.0
"""At most this long for one group's re-solve during improvement."""
BOUND_SHARE = 0.5
"""Share of the time limit for bounding the groups when that gives each group at least
:data:`BOUND_SECONDS_PER_GROUP`. Households with a child who is never left alone take
seconds each to prove (their placement is found far sooner): with a third of the time,
most of a 5-household town's bound was left unproven; with half, all of it, and the pattern
was no worse, since construction starts from each group's placement alone."""
FIRST_PASS_SHARE = 1 / 3
"""Share of an even split of the bounding time each group has in the first pass. Most groups
are proven in well under a second, a few households take ten seconds and more: with the
whole even split, the hard ones used it up unproven and began again from nothing."""
LATER_PASS_SHARE = 2.0
"""Even shares of the time left each group not yet proven may use in a later pass. With one
share, town-20's three hardest households (5.8-14.7 s each on one core) were cut off unproven
in every pass; with no limit, on town-50 the first two hard groups took all the time and
twelve large groups had no second pass at all."""
BOUND_SECONDS_PER_GROUP = 1.5
"""Below this much bounding time per group (per slot of the engine), construction goes first
and may take all the time: on the 100-household town, bounding first left too little time
to place every group."""

Resource = tuple[str, int, int]
"""("practitioner" or "venue", index, pattern day): what groups may compete for."""


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

    choice: Choice
    objective: float


class Decomposition:
    """Drives the three phases within its budget, running sub-solves on ``engine``."""

    def __init__(
        self,
        scenario: Scenario,
        presolved: Presolved,
        travel: Travel,
        budget: Budget,
        engine: Engine,
        *,
        seed: int,
        report: Callable[[], None],
        groups: Sequence[set[int]] | None = None,
        bound_engine: Engine | None = None,
    ) -> None:
        """``groups`` are the groups to lay out (default: every group of the scenario);
        ``presolved`` need hold only their options. Bounds are proven on ``bound_engine``
        (default: ``engine``)."""
        self.s = scenario
        self.p = presolved
        self.travel = travel
        self.budget = budget
        self.engine = engine
        self.bound_engine = bound_engine or engine
        self.seed = seed
        self.report = report
        self.groups = sorted(
            client_groups(scenario) if groups is None else groups, key=self._need, reverse=True
        )
        self.options = {o.index: o for o in presolved.options}
        self.uses = {o.index: _uses(o) for o in presolved.options}
        """Option index -> the practitioner-days and venue-day it takes."""
        self.resources, self.neighbours = self._competition()
        self.placed: dict[int, Placement] = {}
        self.alone: dict[int, Choice] = {}
        """Group -> its best placement found alone, with coupling relaxed (by bounding)."""
        self._failed: int | None = None
        self.build_seconds = 0.0
        """Seconds spent building the groups' models."""

    def _need(self, group: set[int]) -> tuple[bool, int]:
        """Groups with a client never left alone first (placed while practitioners are free,
        at home where they can be), then by sessions."""
        clients = {self.s.appointments[a].client for a in group}
        always = any(self.s.clients[c].supervision == "always" for c in clients)
        return always, sum(self.s.appointments[a].frequency.sessions_in(self.s.horizon.weeks) for a in group)

    def _competition(self) -> tuple[list[frozenset[Resource]], list[frozenset[int]]]:
        """Per group, the practitioner-days and venue-days any of its options could use, and
        the other groups that could use one of them too (its neighbours)."""
        group_of = {a: gi for gi, group in enumerate(self.groups) for a in group}
        resources: list[set[Resource]] = [set() for _ in self.groups]
        for o in self.p.options:
            resources[group_of[o.appointment]] |= self.uses[o.index]
        users: dict[Resource, set[int]] = {}
        for gi, used in enumerate(resources):
            for r in used:
                users.setdefault(r, set()).add(gi)
        neighbours = [
            frozenset(set().union(*(users[r] for r in used)) - {gi}) for gi, used in enumerate(resources)
        ]
        return [frozenset(r) for r in resources], neighbours

    # ----------------------------------------------------------------- phases

    def run_phases(self, limit: float, *, warm: bool, on_bound: Callable[[float | None], None]) -> bool:
        """Bound, construction and improvement within the budget (of a solve of ``limit``
        seconds); the bound goes to ``on_bound``. True when every group is placed; False when
        construction failed (see :meth:`failed_group`).

        Bounding pays when :data:`BOUND_SHARE` of the time gives each group
        :data:`BOUND_SECONDS_PER_GROUP` or more: it then goes first, and each group's placement
        alone (which reaches its bound) is where construction starts that group's search.
        Otherwise placing each group well is worth more: construction goes first and the bound
        has half of what it leaves. Construction may take all the time; with a ``warm`` start
        to follow, improvement leaves it half.
        """
        bound_time = BOUND_SHARE * limit
        bound_first = bound_time * self.bound_engine.slots >= BOUND_SECONDS_PER_GROUP * len(self.groups)
        if bound_first:
            on_bound(self.lower_bound(seconds=min(bound_time, self.budget.left())))
        if not self.construct(until=self.budget.deadline):
            return False
        if not bound_first:
            on_bound(self.lower_bound(seconds=0.5 * self.budget.left()))
        self.improve(until=self.budget.clock() + 0.5 * self.budget.left() if warm else self.budget.deadline)
        return True

    def lower_bound(self, seconds: float) -> float | None:
        """Sum of each group's proven bound with coupling and practitioner travel relaxed.

        In passes, smallest groups first, as many at once as the bound engine has slots: the
        first pass gives every group a :data:`FIRST_PASS_SHARE` of an even share of the time,
        which proves the easy ones. Each later pass starts the groups not yet proven again
        from their placement found so far, each with :data:`LATER_PASS_SHARE` even shares of
        the time left: the groups that need less leave the rest to those that need more, and
        the groups the time does not reach keep their bound from the pass before. A group's
        best bound is kept. Every term is at least 0, so a group never reached counts 0.
        """
        budget = self.budget.until(self.budget.clock() + seconds)
        bounds: dict[int, float] = {}
        unproven = sorted(range(len(self.groups)), key=lambda g: len(self.groups[g]))
        slots = self.bound_engine.slots
        first = True
        while unproven and budget.left() > 0.1 and not budget.stopped:
            share = budget.left() / math.ceil(len(unproven) / slots)
            share = min(budget.left(), share * (FIRST_PASS_SHARE if first else LATER_PASS_SHARE))
            first = False
            ends_by = time.time() + budget.left()
            queue, unproven = unproven, []
            for answer in self._run(queue, TaskKind.BOUND, share, ends_by=ends_by):
                if answer.status is SearchStatus.INFEASIBLE:
                    return None
                if answer.choice:
                    self.alone[answer.group] = answer.choice
                # The proven bound holds whether or not a solution was found in time.
                if answer.bound is not None:
                    bounds[answer.group] = max(bounds.get(answer.group, 0.0), answer.bound)
                if answer.status is not SearchStatus.OPTIMAL:
                    unproven.append(answer.group)
        if budget.stopped:
            return None
        return sum(bounds.values())

    def construct(self, until: float) -> bool:
        """Place every group around those placed before it, sharing the time to ``until``
        (a group whose share is under :data:`BEST_MIN_SECONDS` takes its first placement);
        False if one cannot be placed in time.

        A group that has no placement around the others, proven or not found in
        :data:`FIRST_SHARES` times its share, is placed instead of the groups most in its way,
        which are then placed again after it (ruin and recreate, at most :data:`MAX_REPAIRS`
        times per group). A group that may displace no more searches until the deadline.
        """
        queue = deque(range(len(self.groups)))
        repairs: Counter[int] = Counter()
        while queue:
            if self.budget.stopped:
                return False
            batch = self._batch(queue)
            rounds = math.ceil((len(queue) + len(batch)) / self.engine.slots)
            share = max(0.0, until - self.budget.clock()) / rounds
            blocked = []
            kind = TaskKind.BEST if share >= BEST_MIN_SECONDS else TaskKind.FIRST
            for answer in self._run(batch, kind, share):
                gi = answer.group
                if answer.status.has_solution:
                    objective = math.inf if answer.objective is None else answer.objective
                    self._keep(gi, Placement(answer.choice, objective))
                elif answer.status is SearchStatus.INFEASIBLE:
                    blocked.append(gi)
                elif not self._place_first(gi, share, repairs[gi]):
                    if self._failed is not None:
                        return False
                    blocked.append(gi)
            for gi in blocked:
                in_the_way = self._in_the_way(gi, DISPLACED * 2 ** repairs[gi])
                if not in_the_way or repairs[gi] >= MAX_REPAIRS or self.budget.left() <= 0.5:
                    self._failed = gi
                    return False
                repairs[gi] += 1
                for other in in_the_way:
                    del self.placed[other]
                queue.extendleft(reversed([gi, *in_the_way]))
        return True

    def adopt(self, placed: Sequence[tuple[Choice, float]]) -> None:
        """Take placements made elsewhere (each set of groups laid out on its own), so that
        :meth:`pattern` reads them; groups are then numbered by the order given."""
        self.placed = {n: Placement(choice, objective) for n, (choice, objective) in enumerate(placed)}

    def _place_first(self, gi: int, share: float, repairs: int) -> bool:
        """Any placement of group ``gi`` around the others, after ``repairs`` repairs: for
        :data:`FIRST_SHARES` times its ``share`` of the time while it may still displace a
        group, else to the deadline. False when it finds none: with ``_failed`` set when that
        was to the deadline, or unset when the group is blocked (proven to have none, or none
        found in its time)."""
        may_displace = repairs < MAX_REPAIRS and any(o in self.placed for o in self.neighbours[gi])
        seconds = FIRST_SHARES * max(share, 0.1) if may_displace else self.budget.left()
        if self.budget.left() > 0.5 and not self.budget.stopped:
            (answer,) = self._run([gi], TaskKind.FIRST, seconds)
            if answer.status.has_solution:
                self._keep(gi, Placement(answer.choice, math.inf))
                return True
            if answer.status is SearchStatus.INFEASIBLE or may_displace:
                return False
        self._failed = gi
        return False

    def _keep(self, gi: int, placement: Placement) -> None:
        self.placed[gi] = placement
        self.report()

    def _batch(self, queue: deque[int]) -> list[int]:
        """Take from ``queue``, in order, up to the engine's slots of groups that share no
        practitioner-day or venue-day with each other."""
        batch: list[int] = []
        used: set[Resource] = set()
        for gi in list(queue):
            if len(batch) == self.engine.slots:
                break
            if batch and not self.resources[gi].isdisjoint(used):
                continue
            batch.append(gi)
            used |= self.resources[gi]
            queue.remove(gi)
        return batch

    def _in_the_way(self, gi: int, count: int) -> list[int]:
        """The ``count`` placed groups with the most sessions on a practitioner-day or
        venue-day of group ``gi``'s placement alone (when bounding found one), then on one
        ``gi`` could use."""
        alone = frozenset().union(*(self.uses[index] for index, _ in self.alone.get(gi, ())))
        clashes = {
            other: (self._sessions_on(other, alone), self._sessions_on(other, self.resources[gi]))
            for other in self.neighbours[gi]
            if other in self.placed
        }
        in_reach = [other for other, (_, n) in clashes.items() if n]
        return sorted(in_reach, key=lambda o: (-clashes[o][0], -clashes[o][1], o))[:count]

    def _sessions_on(self, gi: int, resources: frozenset[Resource]) -> int:
        """How many sessions of placed group ``gi`` are on one of ``resources``."""
        return sum(not self.uses[index].isdisjoint(resources) for index, _ in self.placed[gi].choice)

    def failed_group(self) -> set[int] | None:
        """The appointments of a group that could not be placed and cannot be placed even
        with no other group (proven in the time left), if any."""
        if self._failed is None:
            return None
        group = self.groups[self._failed]
        try:
            model = self._model(self.budget, only=group, objective=False)
        except SolveInterruptedError:
            return None
        outcome = run(
            model.cp, SearchParams(self.budget.left(), self.engine.threads_per_task, self.seed), self.budget
        )
        return group if outcome.status is SearchStatus.INFEASIBLE else None

    def improve(self, until: float) -> int:
        """Re-solve groups around the others until ``until``, in batches of independent
        groups, worst first; improvements made."""
        improved = 0
        rounds_without = 0
        budget = self.budget.until(until)
        while budget.left() > 0.2 and rounds_without < 2 and not budget.stopped:
            changed = False
            queue = deque(sorted(self.placed, key=lambda g: -self.placed[g].objective))
            while queue:
                seconds = min(budget.left(), IMPROVE_SECONDS)
                if seconds <= 0.2 or budget.stopped:
                    return improved
                batch = self._batch(queue)
                for answer in self._run(batch, TaskKind.BEST, seconds):
                    old = self.placed[answer.group]
                    if answer.objective is not None and answer.objective < old.objective - 1e-9:
                        self.placed[answer.group] = Placement(answer.choice, answer.objective)
                        improved += 1
                        changed = True
            rounds_without = 0 if changed else rounds_without + 1
        return improved

    def pattern(self, deadline: float) -> Pattern | None:
        """The pattern placed, read from the whole model restricted to the chosen options at
        their chosen starts, so that every figure comes from the one model. It is read until
        ``deadline`` whatever stop was asked for: the work is done, only its reading is left.
        None if even that cannot be done in time."""
        options = [
            replace(self.options[index], slots=((slot, slot),))
            for placement in self.placed.values()
            for index, slot in placement.choice
        ]
        budget = Budget(deadline, clock=self.budget.clock)
        try:
            model = self._model(budget, presolved=Presolved.of(options))
        except SolveInterruptedError:
            return None
        outcome = run(model.cp, SearchParams(budget.left(), self.engine.threads_per_task, self.seed), budget)
        return model.read(outcome) if outcome.status.has_solution else None

    # ---------------------------------------------------------------- helpers

    def _run(
        self, groups: Iterable[int], kind: TaskKind, seconds: float, *, ends_by: float | None = None
    ) -> list[GroupAnswer]:
        """Each of ``groups`` as a task of ``kind`` (around the others, but for a bound), at
        once; ``ends_by`` is the wall-clock time by which they end (see :class:`GroupTask`)."""
        engine = self.bound_engine if kind is TaskKind.BOUND else self.engine
        tasks = [
            GroupTask(
                group=gi,
                appointments=frozenset(self.groups[gi]),
                kind=kind,
                seconds=max(0.1, min(seconds, self.budget.left())),
                seed=self.seed,
                workers=engine.threads_per_task,
                fixed=() if kind is TaskKind.BOUND else self._fixed_around(gi),
                hint=() if kind is TaskKind.FIRST else self._hint(gi),
                ends_by=ends_by,
            )
            for gi in groups
        ]
        answers = run_group_tasks(engine, tasks, self.budget.stop)
        self.build_seconds += sum(a.build_seconds for a in answers)
        return answers

    def _hint(self, gi: int) -> Choice:
        """Where a search of group ``gi`` starts: its placement, else its placement alone."""
        if gi in self.placed:
            return self.placed[gi].choice
        return self.alone.get(gi, ())

    def _fixed_around(self, gi: int) -> tuple[PlacedSession, ...]:
        """Sessions of other placed groups on a practitioner-day or venue-day ``gi`` could use."""
        wanted = self.resources[gi]
        return tuple(
            self.options[index].placed(self.s, slot)
            for other in sorted(self.neighbours[gi])
            if other in self.placed
            for index, slot in self.placed[other].choice
            if not self.uses[index].isdisjoint(wanted)
        )

    def _model(
        self,
        budget: Budget,
        *,
        presolved: Presolved | None = None,
        only: set[int] | None = None,
        objective: bool = True,
    ) -> PatternModel:
        """A model of (some of) the scenario's options, built here, its building time counted."""
        model = PatternModel(self.s, presolved or self.p, self.travel, budget, only=only, objective=objective)
        self.build_seconds += model.build_seconds
        return model


def _uses(o: Option) -> frozenset[Resource]:
    """The practitioner-days and the venue-day option ``o`` takes."""
    return frozenset(
        {("venue", o.venue, o.pattern_day), *(("practitioner", p, o.pattern_day) for p in o.practitioners)}
    )


def components(scenario: Scenario, presolved: Presolved) -> list[list[set[int]]]:
    """The groups of the scenario in sets that share no practitioner-day or venue-day with
    another set (a county's towns): each can be laid out on its own, largest first."""
    groups = client_groups(scenario)
    group_of = {a: gi for gi, group in enumerate(groups) for a in group}
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_user: dict[Resource, int] = {}
    for o in presolved.options:
        gi = group_of[o.appointment]
        for r in _uses(o):
            parent[find(gi)] = find(first_user.setdefault(r, gi))
    sets: dict[int, list[set[int]]] = {}
    for gi, group in enumerate(groups):
        sets.setdefault(find(gi), []).append(group)
    return sorted(sets.values(), key=len, reverse=True)


@dataclass(frozen=True)
class ComponentTask:
    """A set of groups sharing nothing with the rest, laid out on its own (a whole town)."""

    component: int
    groups: tuple[frozenset[int], ...]
    seconds: float
    seed: int


@dataclass(frozen=True)
class ComponentAnswer:
    """A laid-out component: each group's choice and objective (None when construction
    failed), the component's bound, and its building seconds."""

    component: int
    placed: tuple[tuple[Choice, float], ...] | None
    bound: float | None
    build_seconds: float


def run_component(
    context: Context, task: ComponentTask, stop: threading.Event | None = None
) -> ComponentAnswer:
    """Lay out ``task``'s groups in this process within its seconds (the three phases)."""
    appointments = set().union(*task.groups)
    presolved = context.presolved.subset(appointments)
    here = Context(context.scenario, presolved, context.travel)
    dec = Decomposition(
        context.scenario,
        presolved,
        context.travel,
        Budget.starting_now(task.seconds, stop),
        InProcess(here, threads=1),
        seed=task.seed,
        report=lambda: None,
        groups=[set(g) for g in task.groups],
    )
    bounds: list[float | None] = []
    laid_out = dec.run_phases(task.seconds, warm=False, on_bound=bounds.append)
    placed = tuple((p.choice, p.objective) for p in dec.placed.values()) if laid_out else None
    return ComponentAnswer(task.component, placed, bounds[0] if bounds else None, dec.build_seconds)
