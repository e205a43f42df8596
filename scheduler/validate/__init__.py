"""The independent validator: every rule and objective term, from the spec and ``docs/rules.md`` alone.

It shares no code with the solver, so it can prove the solver's answers right.
"""

from scheduler.schedule import PlacedRoutine
from scheduler.validate.objective import (
    CARER_KPI_KEYS,
    KPI_KEYS,
    Evaluation,
    evaluate_current,
    evaluate_sessions,
)
from scheduler.validate.report import Report, check_sessions, compare_objective, routines_from_doc, validate
from scheduler.validate.rules import RoutineSpan
from scheduler.validate.violation import Violation

__all__ = [
    "CARER_KPI_KEYS",
    "KPI_KEYS",
    "Evaluation",
    "PlacedRoutine",
    "Report",
    "RoutineSpan",
    "Violation",
    "check_sessions",
    "compare_objective",
    "evaluate_current",
    "evaluate_sessions",
    "routines_from_doc",
    "validate",
]
