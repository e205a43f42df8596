"""The validator's entry points: check a schedule document or placed sessions, and report.

:func:`validate` is what the CLI and the HTTP API call; :func:`check_sessions` is the rule
checks on their own, for the solver's tests and for today's bookings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scheduler.clock import day_index, parse_time
from scheduler.contract.errors import did_you_mean
from scheduler.contract.schedule import Objective, ScheduleDoc
from scheduler.errors import InputIssue, ScheduleError
from scheduler.loader import scenario_warnings
from scheduler.model import Scenario
from scheduler.schedule import (
    PlacedCompanion,
    PlacedRoutine,
    PlacedSession,
    companions_from_doc,
    home_stays_from_doc,
    sessions_from_doc,
)
from scheduler.validate.describe import session_where
from scheduler.validate.objective import (
    KPI_KEYS,
    Evaluation,
    current_timetable,
    evaluate_current,
    evaluate_timetable,
)
from scheduler.validate.plans import timetable
from scheduler.validate.rules import RoutineSpan, check_occurrences, check_rules
from scheduler.validate.violation import Violation
from scheduler.weights import TERMS

OBJECTIVE_TOLERANCE = 1e-6
"""Relative (and absolute, near zero) difference beyond which a claimed objective is wrong."""


@dataclass(frozen=True)
class Report:
    """What the validator found: the schedule's violations and objective, and today's bookings'.

    ``violations`` and ``evaluation`` are about the schedule (empty and None without one);
    ``current_violations`` and ``before`` about today's ``current`` bookings (``before`` is
    None when no appointment has any); ``objective_mismatches`` lists where the schedule's
    claimed objective differs from the recomputed one; ``warnings`` what the scenario
    probably did not mean (:func:`scheduler.loader.scenario_warnings`): they break nothing.
    ``current_companions`` are the clients today's bookings make come along to other
    people's sessions (version 2: a client never left alone whose carer goes out), in words;
    ``companions`` the schedule's own (its ``accompanying`` list).
    """

    violations: tuple[Violation, ...]
    evaluation: Evaluation | None
    current_violations: tuple[Violation, ...]
    before: Evaluation | None
    objective_mismatches: tuple[str, ...] = ()
    warnings: tuple[InputIssue, ...] = ()
    current_companions: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the schedule breaks no rule."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the HTTP API's answer)."""
        return {
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "evaluation": None if self.evaluation is None else self.evaluation.to_dict(),
            "objective_mismatches": list(self.objective_mismatches),
            "current_violations": [v.to_dict() for v in self.current_violations],
            "before": None if self.before is None else self.before.to_dict(),
            "current_companions": list(self.current_companions),
            "companions": list(self.companions),
            "warnings": [{"location": w.location, "message": w.message} for w in self.warnings],
        }

    def to_text(self) -> str:
        """A plain-text rendering for people (the CLI's output)."""
        lines = [f"warning: {w}" for w in self.warnings]
        if self.evaluation is not None:
            lines += _violation_lines("Schedule", self.violations)
            if self.companions:
                lines.append("The schedule brings along:")
                lines += [f"  {c}" for c in self.companions]
            lines += _evaluation_lines("Objective (recomputed)", self.evaluation)
            if self.objective_mismatches:
                lines.append("Objective MISMATCH with what the schedule claims:")
                lines += [f"  {m}" for m in self.objective_mismatches]
        if self.before is None:
            lines.append("Today's bookings: none given.")
        else:
            lines += _violation_lines("Today's bookings", self.current_violations)
            if self.current_companions:
                lines.append("Today's bookings make these come along:")
                lines += [f"  {c}" for c in self.current_companions]
            lines += _evaluation_lines("Today's bookings objective", self.before)
        return "\n".join(lines)


def _violation_lines(title: str, violations: tuple[Violation, ...]) -> list[str]:
    if not violations:
        return [f"{title}: every rule holds."]
    lines = [f"{title}: {len(violations)} rule violation(s)"]
    lines += [f"  rule {v.rule} {v.code}: {v}" for v in violations]
    return lines


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _evaluation_lines(title: str, evaluation: Evaluation) -> list[str]:
    lines = [f"{title}: total {_number(evaluation.total)}"]
    width = max(len(term) for term in TERMS)
    for term in TERMS:
        raw = evaluation.raw[term]
        lines.append(f"  {term:<{width}}  {_number(evaluation.components[term]):>10}  (raw {_number(raw)})")
    lines.append("  per client:")
    for client, kpis in evaluation.kpis.items():
        figures = ", ".join(f"{key} {_number(kpis[key])}" for key in KPI_KEYS)
        lines.append(f"    {client}: {figures}")
    lines.append("  per practitioner:")
    for prac, figures_by_key in evaluation.practitioners.items():
        figures = ", ".join(f"{key} {_number(value)}" for key, value in figures_by_key.items())
        lines.append(f"    {prac}: {figures}")
    return lines


def check_sessions(
    scenario: Scenario,
    sessions: Iterable[PlacedSession],
    *,
    routines: Iterable[RoutineSpan] | None = None,
    partial: bool = False,
) -> tuple[Violation, ...]:
    """Every hard rule (1-12) on placed sessions (without companions or stays at home between
    stops), in rule order; empty when all hold.

    ``routines`` are the schedule's placements of flexible routines, checked too when given.
    ``partial`` is for today's bookings: appointments without any session are not held to
    their frequency, and role sessions booked without a name are not held to the role.
    """
    return check_rules(timetable(scenario, sessions), routines=routines, partial=partial)


def companion_text(scenario: Scenario, companion: PlacedCompanion) -> str:
    """``Poppy comes along with Claire to alfie-physio occurrence 1, Wed 14:00-14:45 at Nene CDC``."""
    s = companion.session
    return (
        f"{scenario.clients[companion.client].name} comes along with {scenario.carers[companion.carer].name} "
        f"to {session_where(scenario, s)} at {scenario.venues[s.venue].name}"
    )


def routines_from_doc(scenario: Scenario, schedule: ScheduleDoc) -> tuple[PlacedRoutine, ...]:
    """The document's flexible-routine placements; raises :class:`ScheduleError` for unknown names."""
    issues: list[InputIssue] = []
    placed: list[PlacedRoutine] = []
    for i, r in enumerate(schedule.routines):
        where = f"routines[{i}]"
        index = scenario.client_index.get(r.client)
        if index is None:
            hint = did_you_mean(r.client, list(scenario.client_index))
            issues.append(InputIssue(f"{where}.client", f'no client "{r.client}"{hint}'))
            continue
        flexible = [x.name for x in scenario.clients[index].routines if not x.is_fixed]
        if r.name not in flexible:
            hint = did_you_mean(r.name, flexible)
            issues.append(InputIssue(f"{where}.name", f'{r.client} has no flexible routine "{r.name}"{hint}'))
            continue
        if r.week > scenario.horizon.weeks:
            issues.append(InputIssue(f"{where}.week", f"week {r.week} is outside the pattern"))
            continue
        placed.append(
            PlacedRoutine(index, r.name, r.week - 1, day_index(r.day), parse_time(r.start), parse_time(r.end))
        )
    if issues:
        raise ScheduleError(issues)
    return tuple(placed)


def _differs(claimed: float, computed: float) -> bool:
    return not math.isclose(claimed, computed, rel_tol=OBJECTIVE_TOLERANCE, abs_tol=OBJECTIVE_TOLERANCE)


def compare_objective(claimed: Objective, evaluation: Evaluation) -> tuple[str, ...]:
    """Where the schedule's claimed objective (total and components) differs from ``evaluation``."""
    mismatches: list[str] = []
    if claimed.total is not None and _differs(claimed.total, evaluation.total):
        mismatches.append(f"total: claimed {claimed.total:g}, recomputed {evaluation.total:g}")
    for term, value in claimed.components.items():
        if term not in evaluation.components:
            mismatches.append(f"{term}: not a term of the objective{did_you_mean(term, list(TERMS))}")
        elif _differs(value, evaluation.components[term]):
            mismatches.append(f"{term}: claimed {value:g}, recomputed {evaluation.components[term]:g}")
    return tuple(mismatches)


def validate(scenario: Scenario, schedule: ScheduleDoc | None = None) -> Report:
    """Check a schedule document against every rule and recompute its objective; report today's bookings too.

    Raises :class:`ScheduleError` (with locations) when the document names unknown
    appointments, venues, practitioners, carers, clients or routines.
    """
    today = current_timetable(scenario)
    current = check_rules(today, partial=True)
    before = evaluate_current(scenario)
    along = tuple(companion_text(scenario, c) for c in today.companions)
    warnings = scenario_warnings(scenario)
    if schedule is None:
        return Report((), None, current, before, warnings=warnings, current_companions=along)
    sessions = sessions_from_doc(scenario, schedule)
    companions = companions_from_doc(scenario, schedule, sessions)
    t = timetable(scenario, sessions, companions, home_stays_from_doc(scenario, schedule))
    routines = routines_from_doc(scenario, schedule)
    violations = (*check_occurrences(t), *check_rules(t, routines=routines))
    evaluation = evaluate_timetable(t)
    mismatches = compare_objective(schedule.objective, evaluation)
    violations = tuple(sorted(violations, key=lambda v: v.rule))
    brought = tuple(companion_text(scenario, c) for c in companions)
    return Report(violations, evaluation, current, before, mismatches, warnings, along, brought)
