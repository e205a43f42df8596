"""scheduler.analysis frames: the figures are the validator's, and before against after adds up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scheduler.analysis import (
    carer_kpis,
    client_kpis,
    compare,
    itineraries_frame,
    objective_frame,
    practitioner_kpis,
    sessions_frame,
)
from scheduler.analysis.frames import ITINERARY_COLUMNS, SESSION_COLUMNS, TOWN_KEYS
from scheduler.contract.schedule import ScheduleDoc
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.schedule import read_schedule, sessions_from_bookings
from scheduler.solver import solve
from scheduler.validate import CARER_KPI_KEYS, KPI_KEYS, Report, validate
from scheduler.weights import TERMS
from tests.builders import scenario_dict, schedule_dict, session

HOUSEHOLD = Path(__file__).resolve().parent.parent / "data" / "household.json"


@pytest.fixture(scope="module")
def household() -> tuple[Scenario, ScheduleDoc, Report]:
    """The Hughes household, its solved pattern as a document, and the validator's report of it."""
    scenario = load_scenario(HOUSEHOLD)
    document = solve(scenario, time_limit=20, workers=1).to_doc(scenario)
    return scenario, document, validate(scenario, document)


def test_client_kpis_are_the_validators(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = client_kpis(scenario, document)
    assert list(frame.columns) == ["name", "household", *KPI_KEYS]
    assert frame[list(KPI_KEYS)].to_dict(orient="index") == report.evaluation.kpis


def test_before_kpis_are_the_validators(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, _, report = household
    assert report.before is not None
    frame = client_kpis(scenario, sessions_from_bookings(scenario))
    # Today's sessions alone leave out who must come along (Poppy, who is never left alone):
    # the validator's figures of today bring her along; everyone else's are the same.
    figures = frame[list(KPI_KEYS)].to_dict(orient="index")
    assert figures["alfie"] == report.before.kpis["alfie"]
    assert figures["poppy"]["accompanying_minutes"] < report.before.kpis["poppy"]["accompanying_minutes"]


def test_practitioner_kpis_are_the_validators(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = practitioner_kpis(scenario, document)
    figures = frame.drop(columns=["name", "agency", "role"]).to_dict(orient="index")
    assert figures == report.evaluation.practitioners


def test_objective_frame_is_the_validators(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = objective_frame(scenario, document)
    assert list(frame.index) == list(TERMS)
    assert frame["component"].to_dict() == report.evaluation.components
    assert frame["raw"].to_dict() == report.evaluation.raw
    assert frame["component"].sum() == pytest.approx(report.evaluation.total)


def test_a_solve_result_and_its_document_give_the_same_frames() -> None:
    scenario = load_scenario(HOUSEHOLD)
    result = solve(scenario, time_limit=20, workers=1)
    pd.testing.assert_frame_equal(
        client_kpis(scenario, result), client_kpis(scenario, result.to_doc(scenario))
    )


def test_sessions_frame_has_a_row_per_session(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, _ = household
    frame = sessions_frame(scenario, document)
    assert list(frame.columns) == list(SESSION_COLUMNS)
    assert len(frame) == len(document.sessions)
    assert set(frame["appointment"]) == {a.id for a in scenario.appointments}
    assert (frame["end_minute"] - frame["start_minute"] == frame["minutes"]).all()


def test_client_journeys_add_up_to_family_travel(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = itineraries_frame(scenario, document)
    assert list(frame.columns) == list(ITINERARY_COLUMNS)
    family = frame[(frame["kind"] == "client") & frame["touches_session"]].groupby("person")["minutes"].sum()
    for client, kpis in report.evaluation.kpis.items():
        assert family.get(client, 0) == kpis["family_travel_minutes"]
    practitioners = frame[frame["kind"] == "practitioner"]["minutes"].sum()
    assert practitioners == report.evaluation.raw["practitioner_travel_minutes"]


def test_compare_by_client_is_before_after_and_saving(
    household: tuple[Scenario, ScheduleDoc, Report],
) -> None:
    scenario, document, report = household
    assert report.before is not None
    assert report.evaluation is not None
    frame = compare(scenario, document, by="client")
    assert list(frame.columns) == ["client", "kpi", "before", "after", "saving"]
    assert len(frame) == len(scenario.clients) * len(KPI_KEYS)
    for row in frame.itertuples():
        assert row.before == report.before.kpis[str(row.client)][str(row.kpi)]
        assert row.after == report.evaluation.kpis[str(row.client)][str(row.kpi)]
        assert row.saving == pytest.approx(row.before - row.after)


@pytest.mark.parametrize("by", ["household", "town"])
def test_households_and_the_town_sum_their_clients(
    household: tuple[Scenario, ScheduleDoc, Report], by: str
) -> None:
    scenario, document, _ = household
    per_client = compare(scenario, document, by="client").groupby("kpi")[["before", "after"]].sum()
    grouped = compare(scenario, document, by=by)  # type: ignore[arg-type]
    assert grouped[by].nunique() == 1
    totals = grouped[~grouped["kpi"].isin(TOWN_KEYS)].set_index("kpi")[["before", "after"]]
    pd.testing.assert_frame_equal(totals.sort_index(), per_client.sort_index())


def test_the_hughes_household_saves_three_trips(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, _ = household
    frame = compare(scenario, document, by="household").set_index("kpi")
    assert frame.loc["trips", "before"] == 4
    assert frame.loc["trips", "saving"] == 3


def test_compare_by_practitioner(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = compare(scenario, document, by="practitioner")
    travel = frame[frame["kpi"] == "travel_minutes"].set_index("practitioner")["after"]
    assert travel.to_dict() == {p: f["travel_minutes"] for p, f in report.evaluation.practitioners.items()}


def test_carer_kpis_are_the_validators(household: tuple[Scenario, ScheduleDoc, Report]) -> None:
    scenario, document, report = household
    assert report.evaluation is not None
    frame = carer_kpis(scenario, document)
    assert list(frame.columns) == ["name", *CARER_KPI_KEYS]
    assert frame.drop(columns=["name"]).to_dict(orient="index") == report.evaluation.carers
    assert frame.loc["mum", "name"] == "Claire Hughes"


def test_compare_by_carer_is_their_time_away_before_and_after(
    household: tuple[Scenario, ScheduleDoc, Report],
) -> None:
    scenario, document, report = household
    assert report.before is not None
    assert report.evaluation is not None
    frame = compare(scenario, document, by="carer")
    assert list(frame.columns) == ["carer", "kpi", "before", "after", "saving"]
    away = frame[frame["kpi"] == "away_minutes"].set_index("carer")
    assert away["before"].to_dict() == {c: f["away_minutes"] for c, f in report.before.carers.items()}
    assert away["after"].to_dict() == {c: f["away_minutes"] for c, f in report.evaluation.carers.items()}


def test_the_town_adds_practitioners_travel_and_carers_time_away(
    household: tuple[Scenario, ScheduleDoc, Report],
) -> None:
    scenario, document, report = household
    assert report.before is not None
    assert report.evaluation is not None
    town = compare(scenario, document, by="town").set_index("kpi")
    travel = town.loc["practitioner_travel_minutes"]
    assert (travel["before"], travel["after"]) == (
        report.before.raw["practitioner_travel_minutes"],
        report.evaluation.raw["practitioner_travel_minutes"],
    )
    carers = compare(scenario, document, by="carer")
    away = carers[carers["kpi"] == "away_minutes"][["before", "after"]].sum()
    assert (town.loc["carer_away_minutes", "before"], town.loc["carer_away_minutes", "after"]) == (
        away["before"],
        away["after"],
    )


def test_compare_needs_current_bookings() -> None:
    d = scenario_dict()
    scenario = load_scenario(d)
    document = read_schedule(schedule_dict(d, [session("therapy", "mon", "10:00")]))
    with pytest.raises(ValueError, match="no current bookings"):
        compare(scenario, document)
