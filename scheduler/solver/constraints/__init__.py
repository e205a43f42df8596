"""The hard rules as constraint families, one module per rule of the contract, mirroring
:mod:`scheduler.validate.rules`:

==============  ====  =============================================================
module          rule  what it adds
==============  ====  =============================================================
frequency       1     sessions per week (or per period), on days far enough apart
hours           2     pins (windows, venue hours, availability and busy entries are
                      the start domains pre-solve gives each option)
who             6     one practitioner of a role throughout
sequences       --    a session after another one's start, within its gaps (a joined
                      pair: one stop)
places          3     clients' and practitioners' days as circuits with travel
routines        4     flexible routines' free minutes clear of sessions and journeys
carers          5     a carer's day as a circuit: one client, one place at a time
rooms           7     sessions at once at a venue within its rooms
limits          8     clients' and practitioners' daily and weekly limits
escort          9     a supervised client's journeys made with a carer, on the
                      carer's own routes
alone           10    a client who needs company always has it while a carer is out
==============  ====  =============================================================

Rule 11 (going home between stops) is a way of travelling an arc, not a restriction: see
:class:`scheduler.solver.circuits.Route`.

:func:`families` gives the order they are added: structure first (frequency, pins, roles),
then the days (routines need the clients' circuits), then shared resources and limits,
then the households' rules (they read the clients' and carers' circuits).
Every family adds its constraints through :class:`scheduler.solver.rules.Rules` under its
rule's group, so the same code serves solving and explaining.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scheduler.solver.circuits import Circuits
from scheduler.solver.cpsat import Budget
from scheduler.solver.rules import Rules
from scheduler.solver.variables import Variables


@dataclass(frozen=True)
class Building:
    """What a family needs to add its constraints to a model under construction."""

    v: Variables
    rules: Rules
    circuits: Circuits
    budget: Budget
    practitioner_circuits: bool = True
    """False for a bound's relaxation, which may leave practitioners' days out."""


Family = Callable[[Building], None]


def families() -> tuple[Family, ...]:
    """Every family, in the order they are added."""
    from scheduler.solver.constraints import (
        alone,
        carers,
        escort,
        frequency,
        hours,
        limits,
        places,
        rooms,
        routines,
        sequences,
        who,
    )

    return (
        frequency.add_frequency,
        hours.add_pins,
        who.add_role_continuity,
        sequences.add_sequences,
        places.add_client_days,
        routines.add_flexible_routines,
        carers.add_carer_days,
        places.add_practitioner_days,
        rooms.add_rooms,
        limits.add_client_limits,
        limits.add_practitioner_limits,
        escort.add_escorts,
        alone.add_never_alone,
    )
