"""Typed errors of the calendar export: each carries the data that explains it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from scheduler.errors import CarePatternError


class FeedError(CarePatternError):
    """Base of the errors raised while building calendar feeds."""


class TimezoneRuleError(FeedError):
    """A time zone whose clock changes cannot be written as yearly VTIMEZONE rules.

    ``transitions`` are the UTC instants of the clock changes found in ``years``.
    """

    def __init__(self, tzid: str, years: range, transitions: Iterable[datetime], reason: str) -> None:
        self.tzid = tzid
        self.years = years
        self.transitions: tuple[datetime, ...] = tuple(transitions)
        self.reason = reason
        changes = ", ".join(t.isoformat() for t in self.transitions) or "none"
        span = str(years.start) if len(years) == 1 else f"{years.start}-{years.stop - 1}"
        super().__init__(
            f"{tzid}: {reason} in {span} (clock changes at {changes}); "
            "it cannot be published as a rule-based VTIMEZONE"
        )


class DateRangeError(FeedError):
    """A date the feeds cannot carry: ``location`` names where it comes from
    (``horizon.repeat_until``), ``value`` is the date, ``reason`` what the feeds allow."""

    def __init__(self, location: str, value: date, reason: str) -> None:
        self.location = location
        self.value = value
        self.reason = reason
        super().__init__(f"{location} {value.isoformat()}: {reason}")


class UnknownFeedError(FeedError):
    """A feed key that names no feed of the schedule; ``available`` lists the keys that exist."""

    def __init__(self, key: str, available: Iterable[str]) -> None:
        self.key = key
        self.available: tuple[str, ...] = tuple(available)
        super().__init__(f'no feed "{key}"; the feeds are: {", ".join(self.available)}')


class StaleRevisionsError(FeedError):
    """Revision state that does not describe the schedule being rendered.

    ``uids`` are the events whose time, day or venue differ from (or are missing in) the
    stored revisions: call :func:`scheduler.calendar.revise` first.
    """

    def __init__(self, uids: Iterable[str]) -> None:
        self.uids: tuple[str, ...] = tuple(uids)
        shown = ", ".join(self.uids[:5]) + (" ..." if len(self.uids) > 5 else "")
        super().__init__(f"the revisions are out of date for {len(self.uids)} event(s): {shown}")


class RevisionStateError(FeedError):
    """Stored revision state that cannot be read; ``location`` is the JSON path, ``value`` what was there."""

    def __init__(self, location: str, value: object, message: str) -> None:
        self.location = location
        self.value = value
        super().__init__(f"revision state {location}: {message} (got {value!r})")


class NoScheduleError(FeedError):
    """A schedule with no pattern to publish (``status`` infeasible or timeout).

    Publishing it would empty every subscriber's calendar, so the feeds refuse it.
    """

    def __init__(self, status: str, explanation: str | None) -> None:
        self.status = status
        self.explanation = explanation
        because = f": {explanation}" if explanation else ""
        super().__init__(f"the schedule is {status}; there is no pattern to publish{because}")
