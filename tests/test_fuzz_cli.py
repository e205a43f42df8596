"""Fuzz: whatever scenario a user writes, every command ends with exit 0, 1 or 2 and no traceback.

Scenarios start from the examples (``data/household.json``, ``data/spec-example.json`` and
the tests' minimal one) and get a few mutations: numbers at and past the ends of their
ranges, non-finite numbers, text where a number belongs, blank or odd ids and names, dates
at the ends of the calendar, time-zone regions, references to nobody, fields removed, added
or duplicated. Each runs through ``scheduler validate``, and when valid through ``solve``
(1 s), ``validate`` of the answer, ``export`` and ``report``, in-process.

CI runs a small derandomised sample. A longer campaign by hand::

    FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 .venv/bin/python -m pytest tests/test_fuzz_cli.py -p no:xdist \\
        -q --hypothesis-show-statistics
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from scheduler.cli import app
from tests.builders import scenario_dict

ROOT = Path(__file__).resolve().parent.parent
BASES: dict[str, dict[str, Any]] = {
    "minimal": scenario_dict(),
    "spec-example": json.loads((ROOT / "data" / "spec-example.json").read_text(encoding="utf-8")),
    "household": json.loads((ROOT / "data" / "household.json").read_text(encoding="utf-8")),
}

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

runner = CliRunner()

Path_ = tuple[str | int, ...]

NUMBERS: list[Any] = [
    *(0, 1, -1, 2, 3, 7, 8, 59, 60, 61, 64, 65, 90, 91, 180, 181, 200, 201, 500, 1000, 1001),
    *(1440, 1441, 10_000, 10_001, 2**31 - 1, 2**31, 2**63, 10**30),
    *(0.5, -0.0, 1e-9, 1.0001, 3.0, 3.0001, 999.99, 1e15, 1e300),
    *(math.inf, -math.inf, math.nan),
    *("60", "", True, False, None, [], {}),
]
TEXTS: list[Any] = [
    *("", " ", "  x", "x ", "\t", "\n", "a\nb", "a\rb", "nul\x00", "bell\x07", "del\x7f", "sep\u2028"),
    *("\ud800", "é" * 200, "é" * 201, "🙂" * 60, "x" * 10_001, "home", "nobody", 'Jo\'s "home"'),
    *("Europe", "America", "Europe/Londn", "UTC", "Australia/Sydney", "../../etc/passwd", "localtime"),
    *("2027-01-04", "1970-01-05", "0001-01-01", "9999-12-27", "9999-12-31", "2199-12-30", "2027-02-30"),
    *("00:00", "24:00", "23:59", "25:00", "9am", "12:05"),
    *(0, 60, 1.5, True, None, [], {}, ["x"]),
]
HORIZONS: list[tuple[str, Any]] = [
    ("timezone", "Europe"),
    ("timezone", "America"),
    ("timezone", "Australia/Sydney"),
    ("timezone", "Pacific/Kiritimati"),
    ("timezone", "Asia/Kathmandu"),
    ("timezone", "Etc/GMT+12"),
    ("start", "1970-01-05"),
    ("start", "2199-12-30"),
    ("start", "9999-12-27"),
    ("start", "0001-01-01"),
    ("start", "2027-03-29"),
    ("start", "2027-10-25"),
    ("repeat_until", "9999-12-31"),
    ("repeat_until", "9998-12-31"),
    ("repeat_until", "2031-12-31"),
    ("repeat_until", None),
    ("exclude_dates", ["0001-01-01"]),
    ("exclude_dates", ["2199-12-31"]),
    ("day_start", "12:00"),
    ("day_end", "12:05"),
    ("day_start", "00:00"),
    ("day_end", "24:00"),
    ("slot_minutes", 60),
    ("slot_minutes", 1),
    ("weeks", 2),
]


def _leaves(node: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Every (path, value) of a JSON document, containers included."""
    found: list[tuple[Path_, Any]] = [(path, node)] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _leaves(value, (*path, index))
    return found


def _at(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _ids(doc: dict[str, Any]) -> list[str]:
    return [
        item["id"]
        for name in ("venues", "clients", "carers", "practitioners", "appointments")
        for item in doc.get(name, [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]


Mutation = Callable[[dict[str, Any]], None]

KINDS = (
    "near",
    "near",
    "near",
    "horizon",
    "horizon",
    "number",
    "text",
    "reference",
    "drop",
    "extra",
    "duplicate",
)
"""Kinds of mutation, weighted: a number nudged or a horizon setting keeps many scenarios valid."""


@st.composite
def mutations(draw: st.DrawFn, doc: dict[str, Any]) -> Mutation:
    """One change to ``doc``: a value replaced, a field removed, added or duplicated."""
    leaves = _leaves(doc)
    kind = draw(st.sampled_from(KINDS))
    if kind == "horizon":
        key, value = draw(st.sampled_from(HORIZONS))

        def set_horizon(d: dict[str, Any]) -> None:
            if value is None:
                d["horizon"].pop(key, None)
            else:
                d["horizon"][key] = copy.deepcopy(value)

        return set_horizon
    if kind == "number":
        paths = [p for p, v in leaves if isinstance(v, int | float)] or [p for p, _ in leaves]
        value = draw(st.one_of(st.sampled_from(NUMBERS), st.floats(0, 1000), st.integers(-(2**64), 2**64)))
    elif kind == "near":
        paths = [p for p, v in leaves if isinstance(v, int | float) and not isinstance(v, bool)]
        path = draw(st.sampled_from(paths))
        v = _at(doc, path)
        value = draw(st.sampled_from([v + 1, v - 1, 2 * v, v // 2, 0, -v, v + 0.5]))
        paths = [path]
    elif kind == "text":
        paths = [p for p, v in leaves if isinstance(v, str)]
        value = draw(st.one_of(st.sampled_from(TEXTS), st.text(max_size=30)))
    elif kind == "reference":
        paths = [p for p, v in leaves if isinstance(v, str) and v in set(_ids(doc))]
        value = draw(st.sampled_from([*_ids(doc), "home", "nobody"]))
    elif kind == "duplicate":
        paths = [p for p, _ in leaves]
        value = None
    else:
        paths = [p for p, _ in leaves]
        value = None
    path = draw(st.sampled_from(paths))

    def mutate(d: dict[str, Any]) -> None:
        parent, last = _at(d, path[:-1]), path[-1]
        if kind == "drop":
            del parent[last]
        elif kind == "extra":
            target = parent[last] if isinstance(parent[last], dict) else d
            target["unexpected"] = 1
        elif kind == "duplicate":
            if isinstance(parent, list):
                parent.append(copy.deepcopy(parent[last]))
            else:
                parent[last] = [copy.deepcopy(parent[last])] * 2
        else:
            parent[last] = copy.deepcopy(value)

    return mutate


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario from one of the bases with zero to three mutations."""
    doc = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(0, 3))):
        mutate = draw(mutations(doc))
        try:
            mutate(doc)
        except (IndexError, KeyError, TypeError):
            continue  # an earlier mutation removed what this one changes
    return doc


def _clean(result: Result, allowed: tuple[int, ...] = (0, 1, 2)) -> int:
    """The exit code, after checking it is allowed and that nothing escaped as a traceback."""
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{output[-2000:]}"
    )
    assert "Traceback" not in output, output[-2000:]
    assert result.exit_code in allowed, (result.exit_code, output[-2000:])
    return result.exit_code


def _write(path: Path, doc: dict[str, Any]) -> Path:
    # Non-finite numbers are written as Python's json writes them (Infinity, NaN): what the
    # loader must reject with a location.
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
    return path


def _count(what: str) -> None:
    """A figure of the campaign's statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(what)


def run_every_command(doc: dict[str, Any], folder: Path) -> None:
    """validate; then, when valid, solve, validate the answer, export and report."""
    scenario = _write(folder / "scenario.json", doc)
    code = _clean(runner.invoke(app, ["validate", str(scenario)]))
    _count(f"validate exit {code}")
    if code == 2:
        _clean(runner.invoke(app, ["solve", str(scenario), "--time-limit", "1", "-q"]), (2,))
        _clean(runner.invoke(app, ["report", str(scenario)]), (2,))
        return
    schedule = folder / "schedule.json"
    args = ["solve", str(scenario), "--time-limit", "1", "--workers", "1", "-q", "-o", str(schedule)]
    _count(f"solve exit {_clean(runner.invoke(app, args), (0, 1))}")
    _clean(runner.invoke(app, ["validate", str(scenario), str(schedule)]))
    feeds = ["export", str(schedule), "--scenario", str(scenario), "--out", str(folder / "feeds")]
    _clean(runner.invoke(app, [*feeds, "--revised-at", "2027-01-01T00:00:00Z"]))
    _clean(runner.invoke(app, ["report", str(scenario), str(schedule), "--format", "json"]), (0,))


@FUZZ
@given(doc=scenarios())
def test_every_command_ends_cleanly(doc: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    run_every_command(doc, tmp_path_factory.mktemp("fuzz"))


def test_two_routines_with_one_name_solve(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASES["spec-example"])
    jonny = next(c for c in doc["clients"] if c["id"] == "jonny")
    rest = next(r for r in jonny["routines"] if r["name"] == "rest after school")
    jonny["routines"].append({**rest, "start": "17:00", "end": "18:00"})
    run_every_command(doc, tmp_path)


def test_a_fixed_stop_out_of_reach_within_the_day_solves(tmp_path: Path) -> None:
    doc = copy.deepcopy(BASES["spec-example"])
    home = next(v for v in doc["venues"] if v["id"] == "home-smith")
    home["lat"] = 53.5
    run_every_command(doc, tmp_path)


def test_the_examples_themselves_run_cleanly(tmp_path: Path) -> None:
    """The bases unchanged: the fuzz starts from scenarios every command accepts."""
    for name, doc in BASES.items():
        folder = tmp_path / name
        folder.mkdir()
        run_every_command(doc, folder)
