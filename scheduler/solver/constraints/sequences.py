"""Sequences: each session of an appointment with ``after`` starts ``min_gap`` to
``max_gap`` minutes after the start of a session of the appointment it follows, that day.

Both appointments have the same frequency (the loader checks it), so a session of the
follower on every day the first one has a session, and only then, is the k-th after the
k-th: the follower is held on a day only when the first one is, at a start within the gaps.
A follower that is optional and left out leaves the first one free.

When ``min_gap`` is less than the first appointment's duration the two sessions may overlap
(a *joined* pair): they are held at the same venue, and for the client and the venue they
are one stop from the first start to the later end. This family makes that end
(:attr:`~scheduler.solver.variables.Variables.stop_end`), which the client's day, rooms,
limits and flexible routines then use in place of the first session's own end; it must run
before those families.
"""

from __future__ import annotations

from scheduler.clock import MINUTES_PER_DAY
from scheduler.solver.constraints import Building
from scheduler.solver.rules import Group, RuleKind


def add_sequences(b: Building) -> None:
    """The sequence rule for every appointment of the model that follows another one."""
    v = b.v
    m = v.model
    slot = v.scenario.horizon.slot
    for appt in v.appointments:
        after = appt.after
        if after is None:
            continue
        b.budget.check()
        group = Group(RuleKind.SEQUENCE, appt.index)
        first = v.scenario.appointments[after.appointment]
        joined = v.scenario.joined(appt)
        for g in v.days_of(appt.index):
            held = v.held[(appt.index, g)]
            if (first.index, g) not in v.held:
                b.rules.enforce(m.add(held == 0), group)
                continue
            b.rules.enforce(m.add_implication(held, v.held[(first.index, g)]), group)
            gap = (v.start_slot[(appt.index, g)] - v.start_slot[(first.index, g)]) * slot
            b.rules.enforce(m.add(gap >= after.min_gap).only_enforce_if(held), group)
            b.rules.enforce(m.add(gap <= after.max_gap).only_enforce_if(held), group)
            if joined:
                _join(b, appt.index, first.index, g, group)


def _join(b: Building, follower: int, first: int, g: int, group: Group) -> None:
    """A joined pair on pattern day ``g``: the same venue, and the stop's end."""
    v = b.v
    m = v.model
    followers = v.options_on(follower, g)
    for venue in sorted({o.venue for o in followers}):
        here = [v.chosen[o.index] for o in followers if o.venue == venue]
        there = [v.chosen[o.index] for o in v.options_on(first, g) if o.venue == venue]
        b.rules.enforce(m.add(sum(here) <= sum(there, start=0)), group)
    slot = v.scenario.horizon.slot
    held = v.held[(follower, g)]
    follower_end = m.new_int_var(0, MINUTES_PER_DAY, "")
    duration = v.scenario.appointments[follower].duration
    m.add(follower_end == v.start_slot[(follower, g)] * slot + duration).only_enforce_if(held)
    m.add(follower_end == 0).only_enforce_if(held.negated())
    end = m.new_int_var(0, MINUTES_PER_DAY, f"stop end {first} {g}")
    first_end = v.start_slot[(first, g)] * slot + v.scenario.appointments[first].duration
    m.add_max_equality(end, [first_end, follower_end])
    v.stop_end[(first, g)] = end
