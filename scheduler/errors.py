"""The project's typed errors: each carries the offending data and says where and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class InputIssue:
    """One thing wrong with an input document, at a JSON path such as ``clients[2].routines[0]``."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class CarePatternError(Exception):
    """Base of every error the engine raises on purpose."""


class InputError(CarePatternError):
    """A document (scenario or schedule) that does not meet the contract.

    ``issues`` lists every problem found, each with its location, so a user can fix them
    all in one go.
    """

    document = "input"

    def __init__(self, issues: Iterable[InputIssue]) -> None:
        self.issues: tuple[InputIssue, ...] = tuple(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {self.document}: {count} {noun}\n{lines}")


class ScenarioError(InputError):
    """A scenario that does not meet the format (``docs/format.md``)."""

    document = "scenario"


class ScheduleError(InputError):
    """A schedule document that is malformed or does not refer to its scenario."""

    document = "schedule"


class UnsupportedScenarioError(CarePatternError):
    """A valid scenario that asks for something the solver does not plan yet.

    ``location`` is the first field that asks for it (``clients[1].supervision``).
    """

    def __init__(self, location: str, message: str) -> None:
        self.location = location
        super().__init__(f"{location}: {message}")
