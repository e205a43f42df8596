"""Each rule family of the CP model on its own (as the CP-SAT Primer tests a model): a tiny
instance, options made by hand (no pre-solve), some variables fixed, and only that family's
constraints; then CP-SAT says whether the fixed values can hold. Every family has a
feasible twin and an infeasible one that differ in one fixed value.

The scenario is :func:`tests.builders.scenario_dict` (Jo at ``jo-home``; Ana and Bo;
clinic-school 15 minutes, jo-home-clinic 20, jo-home-school 10), with Kim added where a
second client is needed. Slots are 5 minutes; day 0 is Monday of week 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from scheduler.clock import parse_time
from scheduler.loader import load_scenario
from scheduler.model import PersonKind, Scenario
from scheduler.solver.circuits import Circuits
from scheduler.solver.constraints import Building, Family
from scheduler.solver.constraints.carers import add_carer_days
from scheduler.solver.constraints.frequency import add_frequency
from scheduler.solver.constraints.hours import add_pins
from scheduler.solver.constraints.limits import add_client_limits, add_practitioner_limits
from scheduler.solver.constraints.places import add_client_days, add_practitioner_days
from scheduler.solver.constraints.rooms import add_rooms
from scheduler.solver.constraints.routines import add_flexible_routines
from scheduler.solver.constraints.who import add_role_continuity
from scheduler.solver.cpsat import Budget, SearchParams, SearchStatus, run
from scheduler.solver.presolve import Option, Presolved
from scheduler.solver.rules import Rules
from scheduler.solver.variables import Variables
from scheduler.travel import Travel
from tests.builders import add_appointment, add_client, appointment, client, scenario_dict, venue

SLOT = 5
ALL_DAY = ((parse_time("08:00") // SLOT, parse_time("17:00") // SLOT),)


@dataclass
class FamilyModel:
    """The model of one family over hand-made options, with values to fix."""

    scenario: Scenario
    v: Variables
    circuits: Circuits

    def option(self, appointment_id: str, day: int = 0, **fields: Any) -> Option:
        """The first option of ``appointment_id`` on ``day`` matching ``fields``."""
        a = self._appointment(appointment_id)
        return next(
            o
            for o in self.v.options_on(a, day)
            if all(getattr(o, name) == self._index(name, value) for name, value in fields.items())
        )

    def choose(self, option: Option, at: str) -> None:
        """Fix ``option`` as chosen, starting at ``at``."""
        self.v.model.add(self.v.chosen[option.index] == 1)
        self.v.model.add(self.v.start_slot[(option.appointment, option.pattern_day)] * SLOT == parse_time(at))

    def refuse(self, option: Option) -> None:
        """Fix ``option`` as not chosen."""
        self.v.model.add(self.v.chosen[option.index] == 0)

    def feasible(self) -> bool:
        """Whether the fixed values keep the family's constraints."""
        outcome = run(self.v.model, SearchParams(10.0), Budget.starting_now(10.0))
        assert outcome.status is not SearchStatus.UNKNOWN
        return outcome.status.has_solution

    def comes_along(
        self,
        client_id: str,
        carer_id: str,
        appointment_id: str,
        venue: str,
        *,
        day: int = 0,
        comes: bool = True,
    ) -> None:
        """Fix whether ``client_id`` comes along with ``carer_id`` to ``appointment_id``'s
        session at ``venue`` on ``day`` (version 2)."""
        key = (self._appointment(appointment_id), day, self._index("venue", venue))
        client = next(c.index for c in self.scenario.clients if c.id == client_id)
        self.v.model.add(self.v.companion[(client, self._index("carer", carer_id), key)] == int(comes))

    def goes_home(self, kind: PersonKind, person_id: str, *, day: int = 0, between: bool = True) -> None:
        """Fix whether ``person_id`` goes home between two stops on ``day`` (rule 11)."""
        (circuit,) = (
            c
            for c in self.circuits.of_kind(kind)
            if c.pattern_day == day and self._person(kind, c.person) == person_id
        )
        via_home = [r.literal for routes in circuit.routes.values() for r in routes if r.via_home]
        if between:
            self.v.model.add_bool_or(via_home)  # no such route at all: cannot hold
        else:
            self.v.model.add_bool_and([r.negated() for r in via_home])

    def _person(self, kind: PersonKind, index: int) -> str:
        s = self.scenario
        if kind == "client":
            return s.clients[index].id
        if kind == "carer":
            return s.carers[index].id
        return s.practitioners[index].id

    def _appointment(self, appointment_id: str) -> int:
        return next(a.index for a in self.scenario.appointments if a.id == appointment_id)

    def _index(self, name: str, value: Any) -> Any:
        s = self.scenario
        if name == "venue":
            return next(v.index for v in s.venues if v.id == value)
        if name == "practitioners":
            return tuple(next(p.index for p in s.practitioners if p.id == pid) for pid in value)
        if name == "carer":
            return next(c.index for c in s.carers if c.id == value)
        return value


Offer = tuple[str, int, str, tuple[str, ...], str | None]


def family(
    d: dict[str, Any], offers: list[Offer], *families: Family, pinned: Mapping[str, str] | None = None
) -> FamilyModel:
    """The model of ``families`` over ``offers``: (appointment, day, venue, practitioners,
    carer), each an option startable all day, or only at its appointment's time in ``pinned``
    (as a pattern is read back: each option at its chosen start)."""
    pins = {a: ((parse_time(at) // SLOT, parse_time(at) // SLOT),) for a, at in (pinned or {}).items()}
    scenario = load_scenario(d)
    ids = {a.id: a for a in scenario.appointments}
    venues = {v.id: v.index for v in scenario.venues}
    pracs = {p.id: p.index for p in scenario.practitioners}
    carers = {c.id: c.index for c in scenario.carers}
    options = [
        Option(
            index=n,
            appointment=ids[a].index,
            week=day // 7,
            day=day % 7,
            venue=venues[where],
            practitioners=tuple(pracs[p] for p in who),
            carer=None if carer is None else carers[carer],
            inside=None,
            slots=pins.get(a, ALL_DAY),
        )
        for n, (a, day, where, who, carer) in enumerate(offers)
    ]
    model = cp_model.CpModel()
    budget = Budget.starting_now(60)
    v = Variables(model, scenario, Presolved.of(options), scenario.appointments, (), budget)
    rules = Rules(model, explaining=False)
    circuits = Circuits(v, rules, Travel(scenario))
    building = Building(v, rules, circuits, budget)
    for add in families:
        add(building)
    return FamilyModel(scenario, v, circuits)


def with_kim(d: dict[str, Any]) -> dict[str, Any]:
    """Kim at ``kim-home`` (clinic 20, school 10), escorted by Sam too, with weekly ``kim-therapy``."""
    add_client(d, "kim", "Kim", {"clinic": 20, "school": 10})
    add_appointment(d, "kim-therapy", client="kim")
    return d


# ----------------------------------------------------------------------------- rule 1: frequency


def test_frequency_two_a_week_on_two_days_holds() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    m = family(
        d, [("therapy", 0, "clinic", ("ana",), None), ("therapy", 2, "clinic", ("ana",), None)], add_frequency
    )
    assert m.feasible()


def test_frequency_two_a_week_with_one_day_refused_cannot_hold() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2}
    m = family(
        d, [("therapy", 0, "clinic", ("ana",), None), ("therapy", 2, "clinic", ("ana",), None)], add_frequency
    )
    m.refuse(m.option("therapy", 2))
    assert not m.feasible()


def test_frequency_days_far_enough_apart_hold() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2, "min_days_apart": 2}
    offers = [("therapy", g, "clinic", ("ana",), None) for g in (0, 1, 2)]
    m = family(d, offers, add_frequency)
    m.refuse(m.option("therapy", 1))
    assert m.feasible()


def test_frequency_days_too_close_cannot_hold() -> None:
    d = scenario_dict()
    appointment(d, "therapy")["frequency"] = {"per_week": 2, "min_days_apart": 2}
    offers = [("therapy", g, "clinic", ("ana",), None) for g in (0, 1, 2)]
    m = family(d, offers, add_frequency)
    m.refuse(m.option("therapy", 2))
    assert not m.feasible()


# ---------------------------------------------------------------------------------- rule 2: pins


def pinned(at: str) -> dict[str, Any]:
    d = scenario_dict()
    appointment(d, "therapy")["pinned"] = [{"day": "mon", "start": at, "venue": "clinic"}]
    return d


def test_a_pinned_session_at_its_pin_holds() -> None:
    m = family(pinned("10:00"), [("therapy", 0, "clinic", ("ana",), None)], add_pins)
    m.choose(m.option("therapy"), "10:00")
    assert m.feasible()


def test_a_pinned_session_moved_from_its_pin_cannot_hold() -> None:
    m = family(pinned("10:00"), [("therapy", 0, "clinic", ("ana",), None)], add_pins)
    m.choose(m.option("therapy"), "10:30")
    assert not m.feasible()


# ------------------------------------------------------------------------ rule 6: role continuity


def role_twice_a_week() -> dict[str, Any]:
    d = scenario_dict()
    therapy = appointment(d, "therapy")
    del therapy["practitioners"]
    therapy.update(role="therapist", frequency={"per_week": 2})
    return d


def test_a_role_appointment_with_one_practitioner_throughout_holds() -> None:
    offers = [("therapy", g, "clinic", (p,), None) for g in (0, 2) for p in ("ana", "bo")]
    m = family(role_twice_a_week(), offers, add_role_continuity)
    m.choose(m.option("therapy", 0, practitioners=("bo",)), "10:00")
    m.choose(m.option("therapy", 2, practitioners=("bo",)), "10:00")
    assert m.feasible()


def test_a_role_appointment_changing_hands_cannot_hold() -> None:
    offers = [("therapy", g, "clinic", (p,), None) for g in (0, 2) for p in ("ana", "bo")]
    m = family(role_twice_a_week(), offers, add_role_continuity)
    m.choose(m.option("therapy", 0, practitioners=("ana",)), "10:00")
    m.choose(m.option("therapy", 2, practitioners=("bo",)), "10:00")
    assert not m.feasible()


# ------------------------------------------------------------------- rule 3: one place at a time


def two_sessions_for_jo() -> tuple[dict[str, Any], list[Offer]]:
    d = scenario_dict()
    add_appointment(d, "speech", practitioners=["bo"])
    return d, [("therapy", 0, "clinic", ("ana",), None), ("speech", 0, "school", ("bo",), None)]


def test_a_client_with_time_to_travel_between_two_venues_holds() -> None:
    d, offers = two_sessions_for_jo()
    m = family(d, offers, add_client_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("speech"), "11:15")  # clinic to school: 15 minutes
    assert m.feasible()


def test_a_client_without_time_to_travel_between_two_venues_cannot_hold() -> None:
    d, offers = two_sessions_for_jo()
    m = family(d, offers, add_client_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("speech"), "11:10")
    assert not m.feasible()


def test_a_client_is_home_from_the_day_start_first() -> None:
    d, offers = two_sessions_for_jo()
    m = family(d, offers[:1], add_client_days)
    m.choose(m.option("therapy"), "08:15")  # home to clinic takes 20 minutes from 08:00
    assert not m.feasible()


def test_a_practitioner_with_time_to_travel_between_two_clients_holds() -> None:
    d = with_kim(scenario_dict())
    offers = [("therapy", 0, "clinic", ("ana",), None), ("kim-therapy", 0, "school", ("ana",), None)]
    m = family(d, offers, add_practitioner_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "11:15")
    assert m.feasible()


def test_a_practitioner_without_time_to_travel_between_two_clients_cannot_hold() -> None:
    d = with_kim(scenario_dict())
    offers = [("therapy", 0, "clinic", ("ana",), None), ("kim-therapy", 0, "school", ("ana",), None)]
    m = family(d, offers, add_practitioner_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "11:05")
    assert not m.feasible()


# ------------------------------------------------------------------------- rule 4: flexible routines


def resting() -> dict[str, Any]:
    d = scenario_dict()
    client(d, "jo")["routines"] = [
        {"name": "rest", "days": ["mon"], "start": "12:00", "end": "14:00", "duration": 60}
    ]
    return d


def test_a_flexible_routine_keeps_its_free_hour_beside_a_session() -> None:
    m = family(resting(), [("therapy", 0, "jo-home", ("ana",), None)], add_client_days, add_flexible_routines)
    m.choose(m.option("therapy"), "12:00")  # 13:00-14:00 stays free
    assert m.feasible()


def test_a_flexible_routine_without_a_free_hour_cannot_hold() -> None:
    m = family(resting(), [("therapy", 0, "jo-home", ("ana",), None)], add_client_days, add_flexible_routines)
    m.choose(m.option("therapy"), "12:30")
    assert not m.feasible()


def between_two_sessions(at: str) -> FamilyModel:
    """Jo at the clinic 11:00-12:00, then at school from ``at``; clinic to school is 15 minutes."""
    d, offers = two_sessions_for_jo()
    client(d, "jo")["routines"] = resting()["clients"][0]["routines"]
    m = family(d, offers, add_client_days, add_flexible_routines)
    m.choose(m.option("therapy"), "11:00")
    m.choose(m.option("speech"), at)
    return m


def test_a_journey_leaves_a_flexible_routines_hour_when_the_gap_allows() -> None:
    assert between_two_sessions("13:15").feasible()  # 12:00-13:00 free, then 15 minutes' travel


def test_a_journey_takes_a_flexible_routines_minutes_when_the_gap_is_short() -> None:
    assert not between_two_sessions("13:10").feasible()  # 70 minutes, 15 of them travel


# ------------------------------------------------------------------------------- rule 5: carers


def escorted_both() -> tuple[dict[str, Any], list[Offer]]:
    d = with_kim(scenario_dict())
    for a in ("therapy", "kim-therapy"):
        appointment(d, a)["needs_carer"] = True
    return d, [("therapy", 0, "clinic", ("ana",), "sam"), ("kim-therapy", 0, "school", ("bo",), "sam")]


def test_a_carer_escorting_two_clients_one_after_the_other_holds() -> None:
    d, offers = escorted_both()
    m = family(d, offers, add_carer_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "11:15")
    assert m.feasible()


def test_a_carer_escorting_two_clients_at_once_cannot_hold() -> None:
    d, offers = escorted_both()
    m = family(d, offers, add_carer_days)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "10:30")
    assert not m.feasible()


# -------------------------------------------------------------------------------- rule 7: rooms


def one_room(rooms: int) -> tuple[dict[str, Any], list[Offer]]:
    d = with_kim(scenario_dict())
    venue(d, "clinic")["rooms"] = rooms
    return d, [("therapy", 0, "clinic", ("ana",), None), ("kim-therapy", 0, "clinic", ("bo",), None)]


def test_two_rooms_take_two_sessions_at_once() -> None:
    d, offers = one_room(2)
    m = family(d, offers, add_rooms)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "10:30")
    assert m.feasible()


def test_one_room_cannot_take_two_sessions_at_once() -> None:
    d, offers = one_room(1)
    m = family(d, offers, add_rooms)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "10:30")
    assert not m.feasible()


# ------------------------------------------------------------------------------- rule 8: limits


def test_a_client_limit_of_one_session_a_day_holds_with_one() -> None:
    d, offers = two_sessions_for_jo()
    client(d, "jo")["limits"] = {"max_sessions_per_day": 1}
    m = family(d, offers, add_client_limits)
    m.choose(m.option("therapy"), "10:00")
    m.refuse(m.option("speech"))
    assert m.feasible()


def test_a_client_limit_of_one_session_a_day_cannot_hold_two() -> None:
    d, offers = two_sessions_for_jo()
    client(d, "jo")["limits"] = {"max_sessions_per_day": 1}
    m = family(d, offers, add_client_limits)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("speech"), "14:00")
    assert not m.feasible()


def test_a_min_gap_between_sessions_holds_when_kept() -> None:
    d, offers = two_sessions_for_jo()
    client(d, "jo")["limits"] = {"min_gap_minutes": 60}
    m = family(d, offers, add_client_limits)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("speech"), "12:00")
    assert m.feasible()


def test_a_min_gap_between_sessions_cannot_hold_when_short() -> None:
    d, offers = two_sessions_for_jo()
    client(d, "jo")["limits"] = {"min_gap_minutes": 60}
    m = family(d, offers, add_client_limits)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("speech"), "11:30")
    assert not m.feasible()


def test_a_practitioner_limit_of_one_session_a_day_holds_with_one() -> None:
    d = with_kim(scenario_dict())
    d["practitioners"][0]["limits"] = {"max_sessions_per_day": 1}
    offers = [("therapy", 0, "clinic", ("ana",), None), ("kim-therapy", 0, "school", ("ana",), None)]
    m = family(d, offers, add_practitioner_limits)
    m.choose(m.option("therapy"), "10:00")
    m.refuse(m.option("kim-therapy"))
    assert m.feasible()


def test_a_practitioner_limit_of_one_session_a_day_cannot_hold_two() -> None:
    d = with_kim(scenario_dict())
    d["practitioners"][0]["limits"] = {"max_sessions_per_day": 1}
    offers = [("therapy", 0, "clinic", ("ana",), None), ("kim-therapy", 0, "school", ("ana",), None)]
    m = family(d, offers, add_practitioner_limits)
    m.choose(m.option("therapy"), "10:00")
    m.choose(m.option("kim-therapy"), "14:00")
    assert not m.feasible()
