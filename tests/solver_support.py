"""``solve_checked``: every solver test solves through it, so every pattern is proven right.

Whenever the solver returns a pattern (``optimal`` or ``feasible``) it asserts that

- the schedule document round-trips through the schedule contract (JSON and back, unchanged);
- the independent validator finds no violation in it;
- the validator's recomputed objective equals the solver's, term by term and in total;
- occurrences are numbered 1..N per appointment in order of week, day and start;
- the proven bound is not above the objective, and equals it when the status is ``optimal``;
- every itinerary keeps time: each leg arrives its minutes after it departs, legs follow
  one another, and all of them lie within the day.

Without a pattern it asserts that none is reported, and that an ``infeasible`` answer
explains itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.clock import DAYS, parse_time
from scheduler.contract.schedule import ScheduleDoc, Session
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule
from scheduler.solver import SolveResult, solve
from scheduler.validate import Report, validate
from scheduler.weights import TERMS

TOLERANCE = 1e-6
BOUND_TOLERANCE = 1e-3
"""A proven optimum's bound is CP-SAT's, in objective units of 1/10000 of a weight unit."""

ScenarioInput = Scenario | Mapping[str, Any]


@dataclass(frozen=True)
class Solved:
    """A checked solve: the scenario, the solver's result, its document and the validator's report."""

    scenario: Scenario
    result: SolveResult
    doc: ScheduleDoc
    report: Report | None

    @property
    def status(self) -> str:
        """The result's status."""
        return self.result.status

    @property
    def explanation(self) -> str:
        """The explanation ("" when there is none)."""
        return self.result.explanation or ""

    @property
    def components(self) -> dict[str, float]:
        """The objective's components, weights applied."""
        return dict(self.result.components)

    @property
    def objective(self) -> float:
        """The objective (a pattern must have been found)."""
        assert self.result.objective is not None
        return self.result.objective

    def sessions(self, appointment: str | None = None) -> list[Session]:
        """The document's sessions (of one appointment), in order of week, day and start."""
        return [s for s in self.doc.sessions if appointment is None or s.appointment == appointment]

    def only(self, appointment: str) -> Session:
        """The single session of ``appointment``."""
        (session,) = self.sessions(appointment)
        return session

    def placements(self) -> set[tuple[str, int, int, str, str, str, tuple[str, ...], str | None]]:
        """Every session as (appointment, occurrence, week, day, start, venue, practitioners, carer)."""
        return {
            (s.appointment, s.occurrence, s.week, s.day, s.start, s.venue, tuple(s.practitioners), s.carer)
            for s in self.doc.sessions
        }


def scenario_of(scenario: ScenarioInput) -> Scenario:
    """A loaded scenario (dicts go through the loader, so they are checked like any input)."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def solve_checked(
    scenario: ScenarioInput,
    *,
    time_limit: float = 5.0,
    workers: int = 1,
    seed: int = 0,
    **kw: Any,
) -> Solved:
    """Solve ``scenario`` and check the answer as the module docstring says."""
    model = scenario_of(scenario)
    result = solve(model, time_limit=time_limit, workers=workers, seed=seed, **kw)
    document = result.to_doc(model)
    if not result.has_schedule:
        assert result.sessions == (), f"status {result.status} with sessions"
        assert document.sessions == []
        if result.status == "infeasible":
            assert result.explanation, "an infeasible answer must say why"
        return Solved(model, result, document, None)

    round_tripped = read_schedule(json.loads(json.dumps(document.model_dump(mode="json", by_alias=True))))
    assert round_tripped == document, "the schedule document does not round-trip"

    report = validate(model, round_tripped)
    assert report.violations == (), "the validator found violations:\n" + "\n".join(
        f"  rule {v.rule} {v.code}: {v}" for v in report.violations
    )
    assert report.objective_mismatches == (), report.objective_mismatches
    assert report.evaluation is not None
    recomputed = report.evaluation.components
    assert set(result.components) == set(TERMS) == set(recomputed)
    differing = {
        term: (result.components[term], recomputed[term])
        for term in TERMS
        if abs(result.components[term] - recomputed[term]) > TOLERANCE
    }
    assert not differing, f"solver vs validator components differ: {differing}"
    assert result.objective is not None
    assert abs(result.objective - report.evaluation.total) <= TOLERANCE

    _assert_occurrences_numbered(document)
    if result.bound is not None:
        assert result.bound <= result.objective + TOLERANCE, (result.bound, result.objective)
        if result.status == "optimal":
            assert abs(result.bound - result.objective) <= BOUND_TOLERANCE, (result.bound, result.objective)
            assert document.objective.gap == 0
    _assert_itineraries_keep_time(model, document)
    dropped = set(document.dropped)
    assert not dropped & {s.appointment for s in document.sessions}, "a dropped appointment has sessions"
    return Solved(model, result, document, report)


def _assert_occurrences_numbered(document: ScheduleDoc) -> None:
    by_appointment: dict[str, list[Session]] = {}
    for s in document.sessions:
        by_appointment.setdefault(s.appointment, []).append(s)
    for appointment, sessions in by_appointment.items():
        ordered = sorted(sessions, key=lambda s: (s.week, DAYS.index(s.day), s.start))
        assert [s.occurrence for s in ordered] == list(range(1, len(ordered) + 1)), (
            f"{appointment}: occurrences {[s.occurrence for s in ordered]} are not 1..N in time order"
        )


def _assert_itineraries_keep_time(scenario: Scenario, document: ScheduleDoc) -> None:
    h = scenario.horizon
    seen: set[tuple[str | None, str, int, str]] = set()
    for it in document.itineraries:
        key = (it.role, it.person, it.week, it.day)
        assert key not in seen, f"two itineraries for {key}"
        seen.add(key)
        previous_arrival = h.day_start
        for leg in it.legs:
            depart, arrive = parse_time(leg.depart), parse_time(leg.arrive)
            assert arrive - depart == leg.minutes, f"{key}: {leg}"
            assert depart >= previous_arrival, f"{key}: {leg.depart} departs before the last leg arrives"
            previous_arrival = arrive
        assert previous_arrival <= h.day_end, f"{key}: home after the day ends"


def bookings_of(solved: Solved) -> dict[str, list[dict[str, Any]]]:
    """The solved pattern as ``current`` bookings per appointment id (week, day, start, venue)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for s in solved.doc.sessions:
        out.setdefault(s.appointment, []).append(
            {"week": s.week, "day": s.day, "start": s.start, "venue": s.venue}
        )
    return out
