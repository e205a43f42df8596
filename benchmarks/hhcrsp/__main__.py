"""Benchmark: the HHCRSP instances of Mankowska et al. (2014), solved by the engine and
checked against the best known values.

Each instance is mapped onto a scenario (:mod:`benchmarks.hhcrsp.mapping`), solved as one
model, and its routes are retimed as early as they allow and checked on the instance's real
travel and service times (:mod:`benchmarks.hhcrsp.check`). Per instance this prints our
objective, the best known value (``bks``), their ratio, the lower bound of the literature
(``lb``), seconds, and the checker's verdict; per set, the mean ratio and how many are within
0.1 % of the best known. Figures, not pass/fail: machines are noisy.

    .venv/bin/python -m benchmarks.hhcrsp                      # sets A, B and C
    .venv/bin/python -m benchmarks.hhcrsp --set A --limit 5
    .venv/bin/python -m benchmarks.hhcrsp --instance A1 C3 --instances ~/hhcrsp

The instances folder holds ``instances/`` (the files of Kummer et al.) and
``bks-kummer2020.csv``; by default it is ``../shared/benchmarks/hhcrsp`` next to the
repository.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.hhcrsp.check import Evaluation, check, earliest
from benchmarks.hhcrsp.instance import InstanceError, read_instance
from benchmarks.hhcrsp.mapping import SCALE, answer_from_schedule, scenario_document
from scheduler.errors import CarePatternError
from scheduler.loader import load_scenario
from scheduler.solver import Method, solve

SETS = {"A": 10, "B": 25, "C": 50, "D": 75, "E": 100, "F": 200, "G": 300}
"""Each set's patients per instance; A to D are the files ``InstanzCPLEX_HCSRP_<n>_<k>``,
E to G ``InstanzVNS_HCSRP_<n>_<k>``, k from 1 to 10."""
TIME_LIMITS = {"A": 10.0}
"""Seconds per instance; every other set gets :data:`DEFAULT_LIMIT`."""
DEFAULT_LIMIT = 60.0
DEFAULT_SETS = ("A", "B", "C")
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "hhcrsp"
WITHIN = 0.001
"""A result within this fraction of the best known counts as reaching it."""


def file_name(name: str) -> str:
    """The instance file of a name such as ``A1`` or ``G10``."""
    letter, number = name[0], name[1:]
    family = "CPLEX" if SETS[letter] <= 75 else "VNS"
    return f"Instanz{family}_HCSRP_{SETS[letter]}_{number}.txt"


def instance_names(sets: Sequence[str]) -> list[str]:
    """Every instance of ``sets``, in order."""
    return [f"{s}{k}" for s in sets for k in range(1, 11)]


@dataclass(frozen=True)
class Known:
    """The literature's figures for one instance."""

    lb: float | None
    bks: float


@dataclass(frozen=True)
class Row:
    """One instance's line."""

    name: str
    limit: float
    status: str
    seconds: float
    evaluation: Evaluation | None
    known: Known | None

    @property
    def ratio(self) -> float | None:
        """Our objective over the best known."""
        if self.evaluation is None or self.known is None or self.evaluation.violations:
            return None
        return self.evaluation.objective / self.known.bks


def read_known(path: Path) -> dict[str, Known]:
    """The best known values and bounds by instance name (columns ``instance``, ``lb``, ``bks``)."""
    with path.open(newline="", encoding="utf-8") as stream:
        return {
            row["instance"]: Known(float(row["lb"]) if row.get("lb") else None, float(row["bks"]))
            for row in csv.DictReader(stream)
        }


def run_one(
    path: Path, limit: float, workers: int, seed: int, scale: int = SCALE
) -> tuple[str, float, Evaluation | None]:
    """Solve one instance; its status, seconds, and the checked evaluation of its routes
    retimed as early as they allow (None without a pattern)."""
    instance = read_instance(path)
    scenario = load_scenario(scenario_document(instance, scale))
    started = time.monotonic()
    result = solve(scenario, time_limit=limit, workers=workers, seed=seed, method=Method.WHOLE)
    seconds = time.monotonic() - started
    if not result.has_schedule:
        return result.status, seconds, None
    sessions = [s.model_dump(mode="json") for s in result.to_doc(scenario).sessions]
    answer = answer_from_schedule(instance, sessions, scale)
    evaluation = check(instance, answer)
    if evaluation.violations:
        return result.status, seconds, evaluation
    retimed = earliest(instance, answer)
    return result.status, seconds, evaluation if retimed is None else check(instance, retimed)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


HEADER = (
    f"{'instance':<9}{'limit s':>8}{'status':>10}{'secs':>7}{'objective':>11}{'bks':>10}{'ratio':>8}{'lb':>9}"
    "  check"
)


def print_row(row: Row) -> None:
    """One instance's line of the table."""
    e = row.evaluation
    verdict = (
        "-" if e is None else "ok" if not e.violations else f"{len(e.violations)} faults: {e.violations[0]}"
    )
    bks, lb = (None, None) if row.known is None else (row.known.bks, row.known.lb)
    print(
        f"{row.name:<9}{row.limit:>8g}{row.status:>10}{row.seconds:>7.1f}"
        f"{_fmt(None if e is None else e.objective, '.2f'):>11}{_fmt(bks, '.2f'):>10}"
        f"{_fmt(row.ratio, '.4f'):>8}{_fmt(lb, '.1f'):>9}  {verdict}",
        flush=True,
    )


def print_summary(letter: str, rows: Sequence[Row]) -> None:
    """A set's mean ratio and how many reach the best known."""
    ratios = [r.ratio for r in rows if r.ratio is not None]
    if not ratios:
        print(f"set {letter}: no checked answer")
        return
    within = sum(1 for r in ratios if r <= 1 + WITHIN)
    print(
        f"set {letter}: mean ratio {statistics.mean(ratios):.4f} over {len(ratios)} of {len(rows)}; "
        f"{within} within {100 * WITHIN:g} % of the best known",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line; the exit code is 0, or 2 for bad input."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--set", nargs="+", choices=sorted(SETS), default=None, help="Sets to run (default A B C)."
    )
    parser.add_argument("--instance", nargs="+", default=[], help="Instances to run, such as A1 C3.")
    parser.add_argument(
        "--limit",
        type=float,
        default=None,
        help=f"Seconds per instance (default: A 10, others {DEFAULT_LIMIT:g}).",
    )
    parser.add_argument("--workers", type=int, default=2, help="Search threads per solve.")
    parser.add_argument("--seed", type=int, default=1, help="The search's random seed.")
    parser.add_argument(
        "--scale",
        type=int,
        choices=(1, 2),
        default=SCALE,
        help=f"Engine minutes per instance time unit (default {SCALE}; 2 is finer, with a day of 720 units).",
    )
    parser.add_argument(
        "--instances", type=Path, default=DEFAULT_FOLDER, help="Folder of instances/ and the bks file."
    )
    args = parser.parse_args(argv)
    for name in args.instance:
        if len(name) < 2 or name[0] not in SETS or name[1:] not in {str(k) for k in range(1, 11)}:
            parser.error(f"--instance {name}: not an instance name (A1 to G10)")
    folder: Path = args.instances
    if not (folder / "instances").is_dir():
        print(f"error: no instances folder {folder / 'instances'} (give --instances)", file=sys.stderr)
        return 2
    bks = folder / "bks-kummer2020.csv"
    known = read_known(bks) if bks.is_file() else {}
    names = args.instance or instance_names(args.set or DEFAULT_SETS)
    print(
        f"HHCRSP: an engine minute is 1/{args.scale} instance unit; objectives on the real travel; "
        f"{args.workers} workers, seed {args.seed}"
    )
    print(HEADER)
    print("-" * len(HEADER))
    rows: dict[str, list[Row]] = {}
    for name in names:
        limit = args.limit or TIME_LIMITS.get(name[0], DEFAULT_LIMIT)
        try:
            status, seconds, evaluation = run_one(
                folder / "instances" / file_name(name), limit, args.workers, args.seed, args.scale
            )
        except InstanceError as error:
            print(f"{name:<9}error: {error}", file=sys.stderr)
            return 2
        except CarePatternError as error:
            print(f"{name:<9}the engine refused the scenario: {error}", file=sys.stderr)
            return 2
        row = Row(name, limit, status, seconds, evaluation, known.get(name))
        rows.setdefault(name[0], []).append(row)
        print_row(row)
    for letter, set_rows in rows.items():
        print_summary(letter, set_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
