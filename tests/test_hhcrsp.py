"""The HHCRSP benchmark: reader, route checker, objective, mapping onto a scenario, runner."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from benchmarks.hhcrsp.__main__ import DEFAULT_FOLDER, file_name, main
from benchmarks.hhcrsp.check import Answer, Visit, check, earliest
from benchmarks.hhcrsp.instance import SECTIONS, Instance, InstanceError, Kind, parse_instance, read_instance
from benchmarks.hhcrsp.mapping import SCALE, answer_from_schedule, clock, scenario_document

POSITIONS = [(0, 0), (3, 4), (6, 8), (0, 7), (5, 0), (0, 0)]
"""The base, patients 1 to 4, the base again."""


def small_text() -> str:
    """Four patients: 1 needs service 1, 2 service 2, 3 services 1 and 3 at once, 4 services 2
    then 3 (5 to 10 apart); vehicle 1 gives 1 and 2, vehicle 2 gives 2 and 3, vehicle 3 gives
    1 and 3."""
    d = [" ".join(repr(math.dist(a, b)) for b in POSITIONS) for a in POSITIONS]
    p = ["0 0 0"] * 3 + ["5 5 5"] * 12 + ["0 0 0"] * 3
    return "\n".join(
        [
            "nbNodes", "6", "nbVehi", "3", "nbServi", "3",
            "r", "1 1 1", "1 0 0", "0 1 0", "1 0 1", "0 1 1", "1 1 1",
            "DS", "5 4",
            "a", "1 1 0", "0 1 1", "1 0 1",
            "x", " ".join(str(x) for x, _ in POSITIONS),
            "y", " ".join(str(y) for _, y in POSITIONS),
            "d", *d,
            "p", *p,
            "mind", "0 0 0 0 5 0",
            "maxd", "0 0 0 0 10 0",
            "e", "0 10 0 20 15 0",
            "l", "600 40 30 50 60 1000",
        ]
    )  # fmt: skip


def small() -> Instance:
    return parse_instance(small_text(), "small.txt")


def line_of(text: str, wanted: str) -> int:
    """The 1-based number of the first line of ``text`` equal to ``wanted``."""
    return text.splitlines().index(wanted) + 1


def test_reader_reads_the_services_kinds_and_times() -> None:
    instance = small()
    assert (instance.nodes, instance.vehicles, instance.services, instance.end) == (6, 3, 3, 5)
    assert instance.qualified == (frozenset({0, 1}), frozenset({1, 2}), frozenset({0, 2}))
    kinds = [(p.node, p.services, p.kind) for p in instance.patients]
    assert kinds == [
        (1, (0,), Kind.SINGLE),
        (2, (1,), Kind.SINGLE),
        (3, (0, 2), Kind.SIMULTANEOUS),
        (4, (1, 2), Kind.SEQUENTIAL),
    ]
    fourth = instance.patient(4)
    assert (fourth.earliest, fourth.latest, fourth.min_gap, fourth.max_gap, fourth.duration) == (
        15,
        60,
        5,
        10,
        (5, 5),
    )
    assert instance.travel[0][1] == 5.0


FAULTS = [
    ("nbVehi\n3\n", "", "small.txt: missing section nbVehi"),
    ("DS\n5 4", "DS\n5 4\nDS\n3", 'small.txt:{DS2}: section "DS" given twice'),
    (
        "nbNodes",
        "hello\nnbNodes",
        "small.txt:1: expected a section name (" + ", ".join(SECTIONS) + '), found "hello"',
    ),
    ("1 1 0\n", "1 1\n", 'small.txt:{a_last}: section "a" has 8 numbers, expected 9'),
    ("x\n0 3", "x\n0 three", 'small.txt:{x}: section "x": "three" is not a number'),
    ("1 0 0\n0 1 0", "1 0 2\n0 1 0", 'small.txt:{r1}: section "r": 2 is neither 0 nor 1'),
    ("1 0 0\n0 1 0", "1 1 0\n0 1 0", "small.txt:{r1}: node 1, a single-service node, needs 2 services"),
    ("DS\n5 4", "DS\n6 4", 'small.txt:{DS1}: section "DS": "6" is not a patient (2 to 5)'),
    ("0 0 0 0 5 0", "0 0 0 0 15 0", "small.txt:{maxd}: node 4: maxd 10 is below mind 15"),
    ("0 0 0 0 5 0", "0 0 0 0 -5 0", 'small.txt:{mind}: section "mind": -5 is negative'),
]
"""(text, replacement, the error): each a fault at a known line."""


@pytest.mark.parametrize(("old", "new", "expected"), FAULTS)
def test_reader_names_the_file_line_and_reason_of_a_fault(old: str, new: str, expected: str) -> None:
    original = small_text()
    assert old in original
    text = original.replace(old, new, 1)
    lines = text.splitlines()
    where = {
        "DS2": len(lines) - lines[::-1].index("DS"),
        "DS1": line_of(text, "DS") + 1,
        "a_last": line_of(text, "x") - 1,
        "x": line_of(text, "x") + 1,
        "r1": line_of(text, "r") + 2,
        "mind": line_of(text, "mind") + 1,
        "maxd": line_of(text, "maxd") + 1,
    }
    with pytest.raises(InstanceError) as raised:
        parse_instance(text, "small.txt")
    assert str(raised.value) == expected.format(**where)


def test_an_unreadable_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match=r"nothing\.txt: cannot be read"):
        read_instance(tmp_path / "nothing.txt")


def good_answer() -> Answer:
    """Vehicle 1: 1 then 2 then 4 (service 2); vehicle 2: 3 (service 3) then 4 (service 3);
    vehicle 3: 3 (service 1). Patient 3 at once at 20, patient 4's second 8 after its first."""
    return Answer(
        (
            (Visit(1, 0, 10.0), Visit(2, 1, 20.0), Visit(4, 1, 35.0)),
            (Visit(3, 2, 20.0), Visit(4, 2, 43.0)),
            (Visit(3, 0, 20.0),),
        )
    )


def route_length(*nodes: int) -> float:
    return sum(math.dist(POSITIONS[a], POSITIONS[b]) for a, b in itertools.pairwise(nodes))


def test_checker_accepts_a_good_answer_and_computes_the_papers_objective() -> None:
    evaluation = check(small(), good_answer())
    assert evaluation.violations == ()
    travel = route_length(0, 1, 2, 4, 5) + route_length(0, 3, 4, 5) + route_length(0, 3, 5)
    assert evaluation.travel == pytest.approx(travel)
    assert (evaluation.total_lateness, evaluation.max_lateness) == (0.0, 0.0)
    assert evaluation.objective == pytest.approx(travel / 3)


def test_lateness_counts_every_service_and_the_largest() -> None:
    late = Answer(
        (
            (Visit(1, 0, 45.0), Visit(2, 1, 56.0), Visit(4, 1, 70.0)),
            (Visit(3, 2, 60.0), Visit(4, 2, 80.0)),
            (Visit(3, 0, 60.0),),
        )
    )
    evaluation = check(small(), late)
    assert evaluation.violations == ()
    # 1: 5 late, 2: 26, 3: 10 twice (both services), 4: 10 and 20
    assert evaluation.total_lateness == pytest.approx(5 + 26 + 10 + 10 + 10 + 20)
    assert evaluation.max_lateness == pytest.approx(26)


def _with(answer: Answer, vehicle: int, k: int, visit: Visit | None) -> Answer:
    routes = [list(r) for r in answer.routes]
    if visit is None:
        del routes[vehicle][k]
    else:
        routes[vehicle][k] = visit
    return Answer(tuple(tuple(r) for r in routes))


@pytest.mark.parametrize(
    ("vehicle", "k", "visit", "fault"),
    [
        (0, 0, Visit(1, 0, 9.0), "vehicle 1, node 1 service 1: starts at 9, before e = 10"),
        (0, 0, Visit(1, 0, 4.0), "vehicle 1, node 1 service 1: starts at 4, before the vehicle arrives at 5"),
        (0, 0, None, "node 1 service 1: given 0 times, not once"),
        (0, 0, Visit(1, 1, 10.0), "vehicle 1, node 1 service 2: the patient does not need this service"),
        (0, 0, Visit(0, 0, 10.0), "vehicle 1, node 0 service 1: node 0 is not a patient"),
        (
            2,
            0,
            Visit(3, 0, 21.0),
            "node 3 (simultaneous): the second service starts -1 after the first, not 0 to 0",
        ),
        (
            1,
            1,
            Visit(4, 2, 46.0),
            "node 4 (sequential): the second service starts 11 after the first, not 5 to 10",
        ),
        (1, 0, Visit(3, 0, 20.0), "vehicle 2, node 3 service 1: the vehicle cannot give this service"),
    ],
)
def test_checker_names_each_broken_rule(vehicle: int, k: int, visit: Visit | None, fault: str) -> None:
    evaluation = check(small(), _with(good_answer(), vehicle, k, visit))
    assert fault in evaluation.violations


def test_checker_wants_two_vehicles_for_a_double_service() -> None:
    both_by_one = Answer(
        (
            (Visit(1, 0, 10.0), Visit(2, 1, 20.0)),
            (Visit(3, 2, 20.0), Visit(4, 1, 35.0), Visit(4, 2, 43.0)),
            (Visit(3, 0, 20.0),),
        )
    )
    evaluation = check(small(), both_by_one)
    assert evaluation.violations == ("node 4 (sequential): both services by vehicle 2",)


def test_earliest_starts_every_visit_as_soon_as_the_routes_allow() -> None:
    retimed = earliest(small(), good_answer())
    assert retimed is not None
    starts = [[v.start for v in route] for route in retimed.routes]
    to_2 = 10 + 5 + route_length(1, 2)
    to_4 = to_2 + 5 + route_length(2, 4)
    # patient 4's second service waits 5 after the first; patient 3's two start together at
    # 20 (its e), vehicle 2 reaching patient 4 long before
    assert starts[0] == pytest.approx([10, to_2, to_4])
    assert starts[1] == pytest.approx([20, to_4 + 5])
    assert starts[2] == pytest.approx([20])
    assert check(small(), retimed).violations == ()


def test_earliest_delays_the_first_service_to_keep_a_gaps_maximum() -> None:
    late_second = Answer(
        (
            (Visit(4, 1, 15.0), Visit(1, 0, 30.0), Visit(2, 1, 40.0)),
            (Visit(3, 2, 20.0), Visit(4, 2, 70.0)),
            (Visit(3, 0, 20.0),),
        )
    )
    retimed = earliest(small(), late_second)
    assert retimed is not None
    second = retimed.routes[1][1].start
    first = retimed.routes[0][0].start
    assert second == pytest.approx(20 + 5 + route_length(3, 4))
    assert second - first == pytest.approx(10)
    assert check(small(), retimed).violations == ()


def test_earliest_finds_no_timing_when_the_routes_break_a_gap() -> None:
    # vehicle 1 gives patient 3 (at once with vehicle 2) before patient 4's first service;
    # vehicle 2 gives patient 4's second service, at least 5 after the first, before patient 3
    impossible = Answer(
        (
            (Visit(3, 0, 0.0), Visit(4, 1, 0.0)),
            (Visit(4, 2, 0.0), Visit(3, 2, 0.0)),
            (Visit(1, 0, 0.0),),
        )
    )
    assert earliest(small(), impossible) is None


def test_the_scenario_holds_the_instance_in_engine_minutes() -> None:
    document = scenario_document(small())
    assert document["horizon"]["slot_minutes"] == 1
    assert document["weights"]["practitioner_travel_minutes"] == 1
    assert document["weights"]["total_lateness"] == document["weights"]["max_lateness"] == 1
    assert document["weights"]["trips"] == 0
    practitioners = {p["id"]: p for p in document["practitioners"]}
    assert practitioners["vehicle-2"] == {
        "id": "vehicle-2",
        "home_visits": True,
        "base": "base",
        "role": "service-2",
        "also_roles": ["service-3"],
    }
    appointments = {a["id"]: a for a in document["appointments"]}
    assert appointments["patient-1"]["role"] == "service-1"
    assert appointments["patient-1"]["duration"] == 5 * SCALE
    assert appointments["patient-1"]["window"] == {
        "days": ["mon"],
        "earliest": clock(10 * SCALE),
        "start_by": clock(40 * SCALE),
    }
    assert appointments["patient-3"]["roles"] == ["service-1", "service-3"]
    assert "role" not in appointments["patient-3"]
    first, second = appointments["patient-4-first"], appointments["patient-4-second"]
    assert (first["client"], first["role"]) == ("patient-4", "service-2")
    assert (second["client"], second["role"]) == ("patient-4", "service-3")
    assert second["after"] == {"appointment": "patient-4-first", "min_gap": 5 * SCALE, "max_gap": 10 * SCALE}
    clients = {c["id"]: c["home"] for c in document["clients"]}
    assert clients == {f"patient-{n}": f"home-{n}" for n in range(1, 5)}
    journeys = {(m["from"], m["to"]): m["minutes"] for m in document["travel"]["matrix"]}
    assert journeys[("base", "home-1")] == 5 * SCALE
    assert journeys[("home-1", "home-3")] == math.ceil(math.dist((3, 4), (0, 7)) * SCALE)
    venues = {v["id"] for v in document["venues"]}
    pairs = {frozenset(pair) for pair in journeys}
    assert len(pairs) == len(venues) * (len(venues) - 1) // 2


@pytest.mark.parametrize("scale", [1, 2])
def test_a_schedule_reads_back_as_routes(scale: int) -> None:
    def at(start: float) -> str:
        return clock(round(start * scale))

    sessions = [
        {"appointment": "patient-1", "start": at(10), "practitioners": ["vehicle-1"]},
        {"appointment": "patient-2", "start": at(20), "practitioners": ["vehicle-1"]},
        {"appointment": "patient-4-first", "start": at(35), "practitioners": ["vehicle-1"]},
        {"appointment": "patient-3", "start": at(20), "practitioners": ["vehicle-3", "vehicle-2"]},
        {"appointment": "patient-4-second", "start": at(43), "practitioners": ["vehicle-2"]},
    ]
    assert answer_from_schedule(small(), sessions, scale) == good_answer()


def test_runner_says_in_one_line_when_the_instances_are_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--instances", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: no instances folder {tmp_path / 'instances'} (give --instances)\n"


def test_runner_refuses_an_unknown_instance_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--instance", "A11"])
    assert raised.value.code == 2
    assert "--instance A11: not an instance name (A1 to G10)" in capsys.readouterr().err


A1 = DEFAULT_FOLDER / "instances" / file_name("A1")
needs_instances = pytest.mark.skipif(
    not A1.is_file(), reason="the HHCRSP instances are not next to the repository"
)


@needs_instances
def test_the_papers_objective_of_a_published_route() -> None:
    """Kummer et al.'s BRKGA route for A1 (seed 13), published with cost 226.978 and travel
    680.934, no lateness: the checker and the objective agree with the paper's convention."""
    instance = read_instance(A1)
    routes = {
        0: [(10, 2), (3, 1), (5, 2), (9, 0), (7, 2)],
        1: [(8, 4), (2, 4)],
        2: [(8, 5), (10, 5), (6, 4), (1, 3), (9, 3), (4, 3)],
    }
    answer = Answer(tuple(tuple(Visit(n, s, 0.0) for n, s in routes[v]) for v in range(3)))
    retimed = earliest(instance, answer)
    assert retimed is not None
    evaluation = check(instance, retimed)
    assert evaluation.violations == ()
    assert evaluation.travel == pytest.approx(680.934, abs=1e-3)
    assert evaluation.objective == pytest.approx(226.978, abs=1e-3)


@needs_instances
def test_the_engine_finds_a1s_optimum_and_the_checker_accepts_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--instance", "A1", "--limit", "10", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("A1 "))
    objective, bks, ratio = (float(x) for x in line.split()[4:7])
    assert line.endswith("  ok")
    assert bks == 218.2
    assert objective == pytest.approx(218.2, rel=1e-3)
    assert ratio <= 1.001
    assert "set A: mean ratio" in out


def test_a_window_past_the_scaled_day_is_refused_and_fits_a_coarser_scale() -> None:
    late = parse_instance(small_text().replace("600 40 30 50 60 1000", "600 800 30 50 60 1000"), "late.txt")
    with pytest.raises(
        InstanceError, match=r"^late\.txt: node 1: its window does not fit in a day of 720 units$"
    ):
        scenario_document(late, 2)
    window = next(a["window"] for a in scenario_document(late, 1)["appointments"] if a["id"] == "patient-1")
    assert window["start_by"] == "13:20"
