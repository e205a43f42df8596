"""Benchmark: seeded towns of 1, 5, 20, 50 and 100 households, solved and checked.

For each size this prints the status, seconds, objective, bound and gap, whether the
independent validator accepts the pattern, and trips and family travel minutes against
today's fragmented bookings (each agency booking alone), with their ratios. It also solves
the bundled household example. Figures, not pass/fail: machines are noisy.

    .venv/bin/python -m benchmarks.run                 # every size, default limits
    .venv/bin/python -m benchmarks.run --sizes 1 5 20 --seed 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.model import Scenario
from scheduler.solver import solve
from scheduler.validate import validate

TIME_LIMITS = {1: 10.0, 5: 30.0, 20: 60.0, 50: 120.0, 100: 120.0}
HOUSEHOLD_EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "household.json"


@dataclass(frozen=True)
class Row:
    """One benchmark line."""

    name: str
    appointments: int
    limit: float
    status: str
    seconds: float
    objective: float | None
    bound: float | None
    gap: float | None
    violations: int | None
    trips: tuple[float, float]
    travel: tuple[float, float]


def run_one(name: str, scenario: Scenario, limit: float, workers: int, seed: int) -> Row:
    """Solve one scenario, check it with the validator, and total trips and travel before and after."""
    started = time.monotonic()
    result = solve(scenario, time_limit=limit, workers=workers, seed=seed)
    seconds = time.monotonic() - started
    document = result.to_doc(scenario)
    violations = len(validate(scenario, document).violations) if result.has_schedule else None
    trips, travel = [0.0, 0.0], [0.0, 0.0]
    for kpis in document.kpis.values():
        trips[1] += kpis.trips
        travel[1] += kpis.family_travel_minutes
        before = kpis.before or {}
        trips[0] += before.get("trips", 0.0)
        travel[0] += before.get("family_travel_minutes", 0.0)
    return Row(
        name,
        len(scenario.appointments),
        limit,
        result.status,
        seconds,
        result.objective,
        result.bound,
        result.gap,
        violations,
        (trips[0], trips[1]),
        (travel[0], travel[1]),
    )


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _ratio(pair: tuple[float, float]) -> str:
    before, after = pair
    return "-" if not before else f"{after / before:.2f}"


def print_header() -> None:
    """The table's header."""
    header = (
        f"{'scenario':<16}{'appts':>6}{'limit s':>8}{'status':>10}{'secs':>7}{'objective':>11}"
        f"{'bound':>11}{'gap %':>7}{'viol':>5}{'trips now/new':>15}{'ratio':>6}{'travel min now/new':>20}"
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))


def print_row(r: Row) -> None:
    """One line of the table."""
    gap = None if r.gap is None else 100 * r.gap
    print(
        f"{r.name:<16}{r.appointments:>6}{r.limit:>8g}{r.status:>10}{r.seconds:>7.1f}"
        f"{_fmt(r.objective, '.1f'):>11}{_fmt(r.bound, '.1f'):>11}{_fmt(gap, '.1f'):>7}"
        f"{_fmt(r.violations, 'd'):>5}{f'{r.trips[0]:g}/{r.trips[1]:g}':>15}{_ratio(r.trips):>6}"
        f"{f'{r.travel[0]:g}/{r.travel[1]:g}':>20}{_ratio(r.travel):>6}",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(TIME_LIMITS))
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generated towns.")
    parser.add_argument("--workers", type=int, default=2, help="Search threads per solve.")
    parser.add_argument("--limit", type=float, default=None, help="Time limit for every size (s).")
    args = parser.parse_args(argv)
    print_header()
    print_row(
        run_one("household.json", load_scenario(HOUSEHOLD_EXAMPLE), args.limit or 10.0, args.workers, 0)
    )
    for size in args.sizes:
        scenario = load_scenario(generate_town(size, seed=args.seed))
        limit = args.limit or TIME_LIMITS.get(size, 120.0)
        print_row(run_one(f"town-{size}", scenario, limit, args.workers, args.seed))


if __name__ == "__main__":
    main()
