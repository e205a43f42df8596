"""Rule 2: slots, windows, venue hours, availability, busy entries and pins.

All but pins are the start domains pre-solve gives each option
(:mod:`scheduler.solver.presolve`): an option keeps only the starts that respect them. This
family adds the pins: a pinned session is held on its day, at its venue (with its
practitioners and carer, where the pin names them), at its start.
"""

from __future__ import annotations

from scheduler.solver.constraints import Building
from scheduler.solver.rules import Group, RuleKind


def add_pins(b: Building) -> None:
    """Rule 2's pins, for every pinned appointment of the model."""
    v = b.v
    slot = v.scenario.horizon.slot
    for appt in v.appointments:
        if not appt.pinned:
            continue
        group = Group(RuleKind.PIN, appt.index)
        for booking in appt.pinned:
            for week in booking.weeks(v.scenario.horizon.weeks):
                g = week * 7 + booking.day
                matching = [
                    o
                    for o in v.options_on(appt.index, g)
                    if o.venue == booking.venue
                    and (booking.practitioners is None or set(o.practitioners) == set(booking.practitioners))
                    and (booking.carer is None or o.carer == booking.carer)
                    and booking.start % slot == 0
                    and any(lo <= booking.start // slot <= hi for lo, hi in o.slots)
                ]
                if not matching:
                    b.rules.forbid(group)
                    continue
                b.rules.enforce(v.model.add(sum(v.chosen[o.index] for o in matching) == 1), group)
                b.rules.enforce(v.model.add(v.start_slot[(appt.index, g)] == booking.start // slot), group)
