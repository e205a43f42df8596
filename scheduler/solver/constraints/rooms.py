"""Rule 7: at no minute more sessions at a venue than it has rooms (a home takes one).

Sessions of other groups already placed at the venue count as fixed intervals. A venue-day
whose sessions could not outnumber its rooms (one session per appointment a day) gets no
constraint.
"""

from __future__ import annotations

from scheduler.solver.constraints import Building
from scheduler.solver.rules import Group, RuleKind


def add_rooms(b: Building) -> None:
    """Rule 7 for every venue and day where two sessions could meet."""
    v = b.v
    m = v.model
    for (venue, g), options in v.index.options_by_venue_day.items():
        fixed = v.index.fixed_by_venue_day.get((venue, g), [])
        rooms = v.scenario.venues[venue].rooms
        if len({o.appointment for o in options}) + len(fixed) <= rooms:
            continue
        b.budget.check()
        group = Group(RuleKind.ROOMS, venue)
        intervals = [v.stop_interval(o, b.rules.presence(v.chosen[o.index], group)) for o in options] + [
            m.new_fixed_size_interval_var(f.start, f.end - f.start, "") for f in fixed
        ]
        if rooms == 1:
            m.add_no_overlap(intervals)
        else:
            m.add_cumulative(intervals, [1] * len(intervals), rooms)
