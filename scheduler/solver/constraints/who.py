"""Rule 6: the listed practitioners attend; a role appointment is taken by one practitioner
of that role, the same one in every session.

Attendance, home visits and practitioners' venues are in the options pre-solve makes. This
family adds continuity: each option implies its practitioner is the one chosen, and at most
one is chosen. Switching the group off (when explaining) lets sessions change hands.
"""

from __future__ import annotations

from scheduler.solver.constraints import Building
from scheduler.solver.rules import BoolVar, Group, RuleKind


def add_role_continuity(b: Building) -> None:
    """Rule 6's continuity, for every role appointment of the model."""
    v = b.v
    for appt in v.appointments:
        if appt.role is None:
            continue
        chosen: dict[int, BoolVar] = {}
        for o in v.index.options_by_appointment.get(appt.index, []):
            (p,) = o.practitioners
            if p not in chosen:
                chosen[p] = v.model.new_bool_var(f"role {appt.id} {p}")
            v.model.add_implication(v.chosen[o.index], chosen[p])
        if chosen:
            b.rules.enforce(v.model.add(sum(chosen.values()) <= 1), Group(RuleKind.ROLE, appt.index))
