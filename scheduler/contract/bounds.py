"""The allowed range of every number and date of the scenario format, in one place.

The ranges are wide enough that no real scenario comes near them, and narrow enough that
nothing built from a scenario overflows: CP-SAT works in 64-bit integers, and the engine's
calendar arithmetic stays inside the years the time-zone database describes. ``docs/format.md``
gives each field's range; the contract models (:mod:`scheduler.contract.scenario`) apply them
and the loader applies the ones that relate two fields (dates, venue spread).

Why the objective cannot overflow 2**63 (about 9.2e18). The solver's objective is
``round(weight * SCALE)`` (``SCALE`` = 1e4 in ``scheduler/solver/objective.py``; for the cost
term, per penny: weight * 0.01 * SCALE) times each raw figure, summed:

- per unit (a trip, a day, a person, a minute): at most ``WEIGHT_MAX`` * 1e4 = 1e7;
- one journey: a matrix entry is at most ``MATRIX_MINUTES_MAX`` (1,440) minutes and
  ``MATRIX_COST_MAX`` (1e4, i.e. 1e6 pence); a computed one spans at most
  2 * ``VENUE_RADIUS_KM`` = 1,000 km great-circle, times ``DETOUR_FACTOR_MAX`` (3) is
  3,000 km, at ``SPEED_KMH_MIN`` (1 km/h) 180,000 minutes and at ``COST_PER_KM_MAX`` (10)
  3e6 pence;
- so one arc of a day's circuit adds at most 1.8e5 * 1e7 (its minutes, for a client or a
  practitioner) + 3e6 * 1e5 (its cost) + 1,440 * 1e7 (the wait before its next stop) =
  2.1e12, and every count term at most 1e7 per trip, day, person, session or dropped
  appointment.

Overflow would take more than four million arcs, all at the far end of every range at once:
a model far beyond any memory the engine runs in (a 2,000-appointment scenario's model
already takes about 4 GB). Every other integer CP-SAT sees is a minute of one day, a count
of sessions or a seed.
"""

from __future__ import annotations

from datetime import date

DATE_MIN = date(1970, 1, 1)
"""Earliest date of the format: the time-zone database records local time from 1970 on."""
DATE_MAX = date(2199, 12, 31)
"""Latest date of the format."""
REPEAT_YEARS_MAX = 5
"""``horizon.repeat_until`` lies at most this many years after ``horizon.start``."""

MINUTES_PER_DAY = 24 * 60
"""Upper bound of every duration, limit in minutes and measured journey."""
COUNT_MAX = 1000
"""Upper bound of rooms and of the session and people counts of limits."""
JOINT_ROLES_MAX = 6
"""Most roles of one joint session by roles: the solver offers every combination of free
practitioners, which grows as the product of the roles' pools."""
SEQUENCE_GAP_MAX = MINUTES_PER_DAY
"""Largest ``min_gap`` and ``max_gap`` of a sequence: both sessions are on one day."""

WEIGHT_MAX = 1000.0
"""Upper bound of every objective weight (the defaults go up to 500)."""
MATRIX_MINUTES_MAX = MINUTES_PER_DAY
"""A measured journey takes at most a day."""
MATRIX_COST_MAX = 10_000.0
"""Cost of one measured journey, in the currency's main unit."""
COST_PER_KM_MAX = 10.0
"""Cost of a kilometre by any mode."""
SPEED_KMH_MIN = 1.0
"""Slowest speed of a mode (km/h)."""
SPEED_KMH_MAX = 200.0
"""Fastest speed of a mode (km/h)."""
DETOUR_FACTOR_MAX = 3.0
"""Road distance is at most this many times the great-circle distance."""
VENUE_RADIUS_KM = 500.0
"""Every venue with coordinates lies within this great-circle distance of the first one."""

SOLVER_SECONDS_MAX = 3600.0
"""Longest time limit of one solve."""
SOLVER_WORKERS_MAX = 64
"""Most search threads."""
SEED_MAX = 2**31 - 1
"""CP-SAT's random seed is a 32-bit signed integer."""

ID_LENGTH_MAX = 200
"""Longest id, role, service, household or name."""
TEXT_LENGTH_MAX = 10_000
"""Longest free text (a description, an address, what to bring)."""
