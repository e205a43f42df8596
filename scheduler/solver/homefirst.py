"""A first pattern, fast: every session that may be at the client's home is placed there.

Laying out a household from nothing is slow when a client is never left alone: every
outing of a carer must take the client along or leave them with someone (rule 10), and the
search wanders among outings before it finds a day that keeps them all. A visit at home asks
nothing of the household. The model whose sessions are at home wherever the appointment
offers a home visit is far smaller, and its pattern, when it has one, is a pattern of the
whole model too: the search of the whole model starts from it (a hint) and improves on it.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.model import Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver.cpsat import Budget, SearchParams, SolveInterruptedError, run
from scheduler.solver.pattern import Choice, PatternModel
from scheduler.solver.presolve import Option, Presolved
from scheduler.travel import Travel

HOME_FIRST_SHARE = 0.25
"""At most this share of a whole solve's time goes to its first pattern with the visits at
home."""
HOME_FIRST_SHARE_OF_GROUP = 0.5
"""At most this share of a group's placement goes to it: the search of the whole group has
seconds at most, and often finds nothing in them for a household with a baby around a busy
town, when the placement at home is kept (see :mod:`scheduler.solver.tasks`)."""


def at_home(scenario: Scenario, options: Sequence[Option]) -> list[Option]:
    """``options`` less those away from home of an appointment that offers a visit at home."""

    def home(o: Option) -> int:
        return scenario.clients[scenario.appointments[o.appointment].client].home

    visited = {o.appointment for o in options if o.venue == home(o)}
    return [o for o in options if o.appointment not in visited or o.venue == home(o)]


def first_at_home(
    scenario: Scenario,
    presolved: Presolved,
    travel: Travel,
    budget: Budget,
    *,
    only: set[int] | None = None,
    fixed: Sequence[PlacedSession] = (),
    params: SearchParams,
) -> list[Choice] | None:
    """A pattern of ``presolved``'s options (of the ``only`` appointments, around ``fixed``
    sessions) with every visit at home that can be, found within ``params`` and ``budget``;
    None when there is none in time, or when no appointment offers a visit at home (the
    whole model is then no smaller)."""
    options = presolved.options if only is None else presolved.subset(only).options
    kept = at_home(scenario, options)
    if len(kept) == len(options):
        return None
    try:
        model = PatternModel(
            scenario, Presolved.of(kept), travel, budget, only=only, fixed=fixed, objective=False
        )
    except SolveInterruptedError:
        return None
    outcome = run(model.cp, params, budget)
    return list(model.choices(outcome)) if outcome.status.has_solution else None
