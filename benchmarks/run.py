"""Benchmark: seeded towns of 1, 5, 20, 50 and 100 households, solved and checked.

For each size this prints the status, seconds (and of them, seconds pre-solving and building
models), peak memory, objective, bound and gap, whether the independent validator accepts
the pattern, and trips, family travel minutes and accompanying minutes (a child never left
alone brought along to a sibling's session) against today's fragmented bookings (each agency
booking alone, with whoever must come along to them), with their ratios. It also solves the
bundled household example.
Each scenario is solved in a fresh process, so that its peak memory is its own. Figures,
not pass/fail: machines are noisy.

    .venv/bin/python -m benchmarks.run                 # every size, default limits
    .venv/bin/python -m benchmarks.run --sizes 1 5 20 --seed 3
    .venv/bin/python -m benchmarks.run --sizes --scenario case.json --limit 180
    .venv/bin/python -m benchmarks.run --sizes --side-by-side 3 100   # three 100-household towns as one
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.solver import solve
from scheduler.validate import validate

TIME_LIMITS = {1: 10.0, 5: 30.0, 20: 60.0, 50: 120.0, 100: 120.0, 200: 300.0, 500: 600.0, 1000: 600.0}
"""Seconds per size; sizes past 100 run when asked for with ``--sizes``."""
DEFAULT_SIZES = (1, 5, 20, 50, 100)
HOUSEHOLD_EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "household.json"

Document = dict[str, Any]
Pair = tuple[float | None, float | None]
"""A figure today (``current`` bookings) and in the pattern; None where there is none."""


@dataclass(frozen=True)
class Row:
    """One benchmark line."""

    name: str
    appointments: int
    limit: float
    status: str
    seconds: float
    build_seconds: float
    peak_mb: float
    objective: float | None
    bound: float | None
    gap: float | None
    violations: int | None
    trips: Pair
    travel: Pair
    accompanying: Pair


NOT_IDS = frozenset(
    {"kind", "role", "name", "title", "service", "agency", "travel_mode", "mode", "label", "address"}
)
"""Keys whose text is never an id, though it may equal one (a venue "hospital" of kind "hospital")."""


def side_by_side(towns: Sequence[Document]) -> Document:
    """One scenario of several towns that share nothing: every id, and every reference to
    one, prefixed by its town."""
    merged: Document = {"horizon": towns[0]["horizon"], "solver": towns[0].get("solver", {})}
    kinds = ("venues", "clients", "carers", "practitioners", "appointments")
    for key in kinds:
        merged[key] = []
    for n, town in enumerate(towns):
        ids = {item["id"] for key in kinds for item in town[key]}
        ids |= {c["household"] for c in town["clients"] if "household" in c}
        renamed = _renamed({k: v for k, v in town.items() if k not in ("horizon", "solver")}, ids, f"t{n}-")
        for key in kinds:
            merged[key] += renamed[key]
        travel = renamed.get("travel", {})
        merged.setdefault("travel", {**travel, "matrix": []})["matrix"] += travel.get("matrix", [])
    return merged


def _renamed(value: Any, ids: set[str], prefix: str, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, ids, prefix, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, ids, prefix, key) for v in value]
    if isinstance(value, str) and value in ids and key not in NOT_IDS:
        return prefix + value
    return value


def run_one(
    name: str, document: Document, limit: float, workers: int, seed: int, cluster: str | None = None
) -> Row:
    """Solve one scenario, check it with the validator, and total trips, travel and accompanying
    minutes today and in the pattern."""
    scenario = load_scenario(document)
    started = time.monotonic()
    result = solve(scenario, time_limit=limit, workers=workers, seed=seed, cluster=cluster)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = validate(scenario, result.to_doc(scenario) if result.has_schedule else None)
    violations = len(report.violations) if result.has_schedule else None

    def pair(term: str) -> Pair:
        now, new = report.before, report.evaluation
        return (None if now is None else now.raw[term], None if new is None else new.raw[term])

    return Row(
        name,
        len(scenario.appointments),
        limit,
        result.status,
        seconds,
        result.build_seconds,
        peak_mb,
        result.objective,
        result.bound,
        result.gap,
        violations,
        pair("trips"),
        pair("family_travel_minutes"),
        pair("accompanying_minutes"),
    )


def in_own_process(
    name: str, make: Callable[[], Document], limit: float, workers: int, seed: int, cluster: str | None
) -> Row:
    """:func:`run_one` in a fresh process, so that the peak memory is this scenario's alone
    (a local cluster's worker processes are not counted)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_made_and_run, name, make, limit, workers, seed, cluster).result()


def _made_and_run(
    name: str, make: Callable[[], Document], limit: float, workers: int, seed: int, cluster: str | None
) -> Row:
    return run_one(name, make(), limit, workers, seed, cluster)


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _pair(pair: Pair) -> str:
    return "/".join(_fmt(value, "g") for value in pair)


def _ratio(pair: Pair) -> str:
    before, after = pair
    return "-" if not before or after is None else f"{after / before:.2f}"


def print_header() -> None:
    """The table's header."""
    header = (
        f"{'scenario':<16}{'appts':>6}{'limit s':>8}{'status':>10}{'secs':>7}{'build':>7}{'peak MB':>8}"
        f"{'objective':>11}{'bound':>11}{'gap %':>7}{'viol':>5}{'trips now/new':>15}{'ratio':>6}"
        f"{'travel min now/new':>20}{'ratio':>6}{'accomp min now/new':>20}{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))


def print_row(r: Row) -> None:
    """One line of the table."""
    gap = None if r.gap is None else 100 * r.gap
    print(
        f"{r.name:<16}{r.appointments:>6}{r.limit:>8g}{r.status:>10}{r.seconds:>7.1f}{r.build_seconds:>7.1f}"
        f"{r.peak_mb:>8.0f}{_fmt(r.objective, '.1f'):>11}{_fmt(r.bound, '.1f'):>11}{_fmt(gap, '.1f'):>7}"
        f"{_fmt(r.violations, 'd'):>5}{_pair(r.trips):>15}{_ratio(r.trips):>6}"
        f"{_pair(r.travel):>20}{_ratio(r.travel):>6}{_pair(r.accompanying):>20}{_ratio(r.accompanying):>6}",
        flush=True,
    )


@dataclass(frozen=True)
class _Town:
    """A picklable maker of a generated town (the scenario is generated in the child)."""

    size: int
    seed: int
    copies: int = 1

    def __call__(self) -> Document:
        towns = [generate_town(self.size, seed=self.seed + n) for n in range(self.copies)]
        return towns[0] if self.copies == 1 else side_by_side(towns)


@dataclass(frozen=True)
class _File:
    """A picklable maker of a scenario read from a file."""

    path: Path

    def __call__(self) -> Document:
        document: Document = json.loads(self.path.read_text())
        return document


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generated towns.")
    parser.add_argument("--workers", type=int, default=2, help="Search threads per solve.")
    parser.add_argument("--limit", type=float, default=None, help="Time limit for every scenario (s).")
    parser.add_argument("--scenario", type=Path, action="append", default=[], help="Also solve this file.")
    parser.add_argument(
        "--side-by-side",
        type=int,
        nargs=2,
        metavar=("COPIES", "SIZE"),
        help="Also solve COPIES towns of SIZE households (seeds seed, seed+1, ...) as one scenario.",
    )
    parser.add_argument("--no-household", action="store_true", help="Leave out the household example.")
    parser.add_argument(
        "--cluster",
        default=None,
        help="Large scenarios' groups on Dask: local (a cluster of --workers processes) or an address.",
    )
    args = parser.parse_args(argv)
    print_header()
    if not args.no_household:
        print_row(
            in_own_process(
                "household.json", _File(HOUSEHOLD_EXAMPLE), args.limit or 10.0, args.workers, 0, args.cluster
            )
        )
    for size in args.sizes:
        limit = args.limit or TIME_LIMITS.get(size, 120.0)
        print_row(
            in_own_process(
                f"town-{size}", _Town(size, args.seed), limit, args.workers, args.seed, args.cluster
            )
        )
    if args.side_by_side:
        copies, size = args.side_by_side
        limit = args.limit or 120.0
        maker = _Town(size, args.seed, copies)
        print_row(
            in_own_process(f"{copies}x town-{size}", maker, limit, args.workers, args.seed, args.cluster)
        )
    for path in args.scenario:
        print_row(in_own_process(path.stem, _File(path), args.limit or 120.0, args.workers, 0, args.cluster))


if __name__ == "__main__":
    main()
