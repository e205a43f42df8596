"""The CP-SAT solver: from a scenario, the best weekly pattern and proof of how good it is."""

from scheduler.solver.cpsat import SolverBugError
from scheduler.solver.result import Itinerary, Leg, Progress, SolveResult, Status
from scheduler.solver.solve import LOCAL_CLUSTER, Method, solve

__all__ = [
    "LOCAL_CLUSTER",
    "Itinerary",
    "Leg",
    "Method",
    "Progress",
    "SolveResult",
    "SolverBugError",
    "Status",
    "solve",
]
