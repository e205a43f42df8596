"""The CP-SAT solver: from a scenario, the best weekly pattern and proof of how good it is."""

from scheduler.solver.result import Itinerary, Leg, Progress, SolveResult, Status
from scheduler.solver.solve import solve

__all__ = ["Itinerary", "Leg", "Progress", "SolveResult", "Status", "solve"]
