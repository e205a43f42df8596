"""Rule 1: every appointment gets its sessions, on different days, far enough apart.

``per_week`` sessions in every week of the pattern (the ``held`` literals of an appointment
day are at most one a day by construction), at most one within any ``min_days_apart``
days; or one session in each period of ``every_weeks`` weeks. An optional appointment has
all of them or none (its ``active`` literal).
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.solver.constraints import Building
from scheduler.solver.rules import BoolVar, Group, RuleKind


def add_frequency(b: Building) -> None:
    """Rule 1 for every appointment of the model."""
    v = b.v
    weeks = v.scenario.horizon.weeks
    for appt in v.appointments:
        b.budget.check()
        group = Group(RuleKind.FREQUENCY, appt.index)
        f = appt.frequency
        active = v.active[appt.index]
        if f.every_weeks is not None:
            for first in range(0, weeks, f.every_weeks):
                days = [g for w in range(first, first + f.every_weeks) for g in v.days_of(appt.index, w)]
                _exactly(b, [v.held[(appt.index, g)] for g in days], 1, active, group)
            continue
        assert f.per_week is not None
        for week in range(weeks):
            days = v.days_of(appt.index, week)
            _exactly(b, [v.held[(appt.index, g)] for g in days], f.per_week, active, group)
            if f.min_days_apart > 1:
                for first in range(week * 7, week * 7 + 7):
                    near = [v.held[(appt.index, g)] for g in days if first <= g < first + f.min_days_apart]
                    if len(near) > 1:
                        b.rules.enforce(v.model.add(sum(near) <= 1), group)


def _exactly(b: Building, held: Sequence[BoolVar], n: int, active: BoolVar, group: Group) -> None:
    """``n`` of ``held`` when the appointment is active, none otherwise; never more than ``n``."""
    total = sum(held, start=0)
    b.v.model.add(total <= n)
    b.rules.enforce(b.v.model.add(total == n * active), group)
