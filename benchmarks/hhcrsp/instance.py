"""Instances of the home health care routing and scheduling problem (HHCRSP) of Mankowska,
Meisel and Bierwirth (2014), in the text format of Kummer et al. (GECCO 2020).

A file is a list of sections, each a keyword on a line of its own followed by its numbers:
``nbNodes``, ``nbVehi`` and ``nbServi`` (counts), ``r`` (a 0/1 row per node: the services it
needs), ``DS`` (the 1-based numbers of the nodes needing two services), ``a`` (a 0/1 row per
vehicle: the services it can give), ``x`` and ``y`` (coordinates), ``d`` (the travel matrix),
``p`` (``nbVehi`` rows per node of service durations; the durations do not depend on the
vehicle, so the first row of each node is used, as Kummer et al. do), ``mind`` and ``maxd``
(per node: the gap between the starts of a double service's two services, both 0 for
services at once), ``e`` and ``l`` (per node: the earliest start, and the latest start
without lateness). Node 0 is the base the vehicles leave from and the last node the base
they return to; the nodes between are patients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from scheduler.errors import CarePatternError


class InstanceError(CarePatternError):
    """A malformed instance file; the message names the file, the line and the reason."""


class Kind(Enum):
    """What a patient needs."""

    SINGLE = "single"
    """One service."""
    SIMULTANEOUS = "simultaneous"
    """Two services starting at the same time, by two vehicles."""
    SEQUENTIAL = "sequential"
    """Two services by two vehicles, the second (the higher-numbered service) starting between
    ``mind`` and ``maxd`` after the first."""


@dataclass(frozen=True)
class Patient:
    """One patient node: its services (0-based service numbers, ascending) and times."""

    node: int
    services: tuple[int, ...]
    kind: Kind
    duration: tuple[float, ...]
    """The duration of each of ``services``."""
    earliest: float
    latest: float
    """Starting after this costs lateness."""
    min_gap: float
    max_gap: float


@dataclass(frozen=True)
class Instance:
    """A validated HHCRSP instance. Nodes are numbered as in the file: 0 is the base the
    vehicles leave, ``nodes - 1`` the base they return to."""

    name: str
    nodes: int
    vehicles: int
    services: int
    qualified: tuple[frozenset[int], ...]
    """Per vehicle, the services it can give."""
    patients: tuple[Patient, ...]
    """In node order (node 1 first)."""
    travel: tuple[tuple[float, ...], ...]
    """``travel[i][j]``: the real travel time from node i to node j."""

    @property
    def end(self) -> int:
        """The node the vehicles return to."""
        return self.nodes - 1

    def patient(self, node: int) -> Patient:
        """The patient at ``node`` (1 to ``nodes - 2``)."""
        return self.patients[node - 1]


SECTIONS = ("nbNodes", "nbVehi", "nbServi", "r", "DS", "a", "x", "y", "d", "p", "mind", "maxd", "e", "l")
"""Every section of the format, each required once."""
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Token:
    text: str
    line: int


class _Reader:
    """Reads one file's sections, raising :class:`InstanceError` at the first fault."""

    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.sections: dict[str, tuple[int, list[_Token]]] = {}
        current: list[_Token] | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            if line in SECTIONS:
                if line in self.sections:
                    self.fail(number, f'section "{line}" given twice')
                current = []
                self.sections[line] = (number, current)
            elif current is None:
                self.fail(number, f'expected a section name ({", ".join(SECTIONS)}), found "{line[:40]}"')
            else:
                current.extend(_Token(t, number) for t in line.split())
        missing = [s for s in SECTIONS if s not in self.sections]
        if missing:
            self.fail(None, f"missing section{'s' if len(missing) > 1 else ''} {', '.join(missing)}")

    def fail(self, line: int | None, reason: str) -> None:
        at = self.where if line is None else f"{self.where}:{line}"
        raise InstanceError(f"{at}: {reason}")

    def numbers(self, section: str, count: int) -> list[tuple[float, int]]:
        """Exactly ``count`` numbers of ``section``, each with its line."""
        start, tokens = self.sections[section]
        if len(tokens) != count:
            line = tokens[-1].line if tokens else start
            self.fail(line, f'section "{section}" has {len(tokens)} numbers, expected {count}')
        values = []
        for token in tokens:
            if not _NUMBER.fullmatch(token.text):
                self.fail(token.line, f'section "{section}": "{token.text[:40]}" is not a number')
            values.append((float(token.text), token.line))
        return values

    def count(self, section: str, least: int) -> int:
        ((value, line),) = self.numbers(section, 1)
        if value != int(value) or value < least:
            self.fail(line, f'section "{section}": {value:g} is not a whole number of at least {least}')
        return int(value)

    def matrix(self, section: str, rows: int, columns: int, *, binary: bool = False) -> list[list[float]]:
        values = self.numbers(section, rows * columns)
        for value, line in values:
            if binary and value not in (0.0, 1.0):
                self.fail(line, f'section "{section}": {value:g} is neither 0 nor 1')
            if value < 0:
                self.fail(line, f'section "{section}": {value:g} is negative')
        return [[v for v, _ in values[r * columns : (r + 1) * columns]] for r in range(rows)]

    def row(self, section: str, count: int) -> list[float]:
        return self.matrix(section, 1, count)[0]


def read_instance(path: Path) -> Instance:
    """The instance in ``path``; raises :class:`InstanceError` (file, line, reason) for a
    malformed file or one that cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"{path}: cannot be read ({error})") from error
    return parse_instance(text, str(path))


def parse_instance(text: str, where: str) -> Instance:
    """The instance written in ``text``; ``where`` names it in errors (a file name)."""
    reader = _Reader(text, where)
    nodes = reader.count("nbNodes", 3)
    vehicles = reader.count("nbVehi", 1)
    services = reader.count("nbServi", 1)
    needs = reader.matrix("r", nodes, services, binary=True)
    qualified = reader.matrix("a", vehicles, services, binary=True)
    reader.row("x", nodes)
    reader.row("y", nodes)
    travel = reader.matrix("d", nodes, nodes)
    durations = reader.matrix("p", nodes * vehicles, services)
    min_gap, max_gap = reader.row("mind", nodes), reader.row("maxd", nodes)
    earliest, latest = reader.row("e", nodes), reader.row("l", nodes)
    double = _double_nodes(reader, nodes)
    line_of = {s: reader.sections[s][0] for s in SECTIONS}

    patients = []
    for node in range(1, nodes - 1):
        wanted = tuple(s for s in range(services) if needs[node][s])
        if len(wanted) != (2 if node in double else 1):
            which = "a double-service node (in DS)" if node in double else "a single-service node"
            reader.fail(line_of["r"] + 1 + node, f"node {node}, {which}, needs {len(wanted)} services")
        kind = Kind.SINGLE
        if node in double:
            kind = Kind.SIMULTANEOUS if min_gap[node] == 0 == max_gap[node] else Kind.SEQUENTIAL
            if min_gap[node] > max_gap[node]:
                reader.fail(
                    line_of["maxd"] + 1,
                    f"node {node}: maxd {max_gap[node]:g} is below mind {min_gap[node]:g}",
                )
        patients.append(
            Patient(
                node=node,
                services=wanted,
                kind=kind,
                duration=tuple(durations[node * vehicles][s] for s in wanted),
                earliest=earliest[node],
                latest=latest[node],
                min_gap=min_gap[node],
                max_gap=max_gap[node],
            )
        )
    for service in sorted({s for p in patients for s in p.services}):
        if not any(q[service] for q in qualified):
            reader.fail(line_of["a"], f"service {service + 1} is needed but no vehicle can give it")
    return Instance(
        name=Path(where).name,
        nodes=nodes,
        vehicles=vehicles,
        services=services,
        qualified=tuple(frozenset(s for s in range(services) if q[s]) for q in qualified),
        patients=tuple(patients),
        travel=tuple(tuple(row) for row in travel),
    )


def _double_nodes(reader: _Reader, nodes: int) -> set[int]:
    """The 0-based nodes listed (1-based) in ``DS``."""
    _start, tokens = reader.sections["DS"]
    double: set[int] = set()
    for token in tokens:
        if not token.text.isdigit() or not 2 <= int(token.text) <= nodes - 1:
            reader.fail(token.line, f'section "DS": "{token.text[:40]}" is not a patient (2 to {nodes - 1})')
        if int(token.text) - 1 in double:
            reader.fail(token.line, f'section "DS": node {token.text} is listed twice')
        double.add(int(token.text) - 1)
    return double
