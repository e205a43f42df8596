"""Properties of the validator on generated schedules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.clock import DAYS, format_time
from scheduler.loader import load_scenario
from scheduler.schedule import read_schedule
from scheduler.validate import KPI_KEYS, Report, validate
from tests.builders import appointment, scenario_dict, schedule_dict, session

START_TIMES = st.integers(min_value=8 * 12, max_value=17 * 12 - 1).map(lambda slot: format_time(slot * 5))


def run(d: dict[str, Any], sessions: list[dict[str, Any]]) -> Report:
    return validate(load_scenario(d), read_schedule(schedule_dict(d, sessions)))


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=4, unique=True),
    starts=st.lists(START_TIMES, min_size=4, max_size=4),
    shift=st.integers(min_value=1, max_value=6),
)
def test_home_visits_on_different_days_keep_every_rule_when_shifted(
    days: list[int], starts: list[str], shift: int
) -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": len(days)}

    def placed(offset: int) -> list[dict[str, Any]]:
        return [
            session("therapy", DAYS[(day + offset) % 7], start, "home")
            for day, start in zip(days, starts, strict=False)
        ]

    for offset in (0, shift):
        report = run(d, placed(offset))
        assert report.violations == ()
        assert report.evaluation is not None
        # No journeys at home: only days with a session and the one practitioner count.
        assert report.evaluation.raw["appointment_days"] == len(days)
        assert report.evaluation.raw["trips"] == 0
        assert report.evaluation.kpis["jo"]["sessions"] == len(days)
        assert report.evaluation.total == pytest.approx(10 * len(days) + 20)


@settings(max_examples=60, deadline=None)
@given(
    placed=st.lists(
        st.tuples(st.sampled_from(DAYS), START_TIMES, st.sampled_from(["clinic", "school", "home"])),
        max_size=5,
    )
)
def test_any_schedule_is_judged_without_error_and_figures_add_up(placed: list[tuple[str, str, str]]) -> None:
    d = scenario_dict()
    d["clients"][0]["routines"] = [
        {"name": "nap", "days": ["mon", "tue"], "start": "12:30", "end": "14:00"},
        {"name": "rest", "days": ["wed"], "start": "10:00", "end": "12:00", "duration": 90},
    ]
    report = run(d, [session("therapy", day, start, venue) for day, start, venue in placed])
    evaluation = report.evaluation
    assert evaluation is not None
    assert evaluation.total == pytest.approx(sum(evaluation.components.values()))
    for key in (k for k in KPI_KEYS if k in evaluation.raw):
        assert evaluation.kpis["jo"][key] == pytest.approx(evaluation.raw[key])
    frequency = [v for v in report.violations if v.rule == 1]
    assert bool(frequency) == (len(placed) != 1)
