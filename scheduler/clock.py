"""Wall-clock times, days and weeks: the one place that turns ``"HH:MM"`` into minutes and back."""

from __future__ import annotations

import re
from datetime import date, timedelta

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
MINUTES_PER_DAY = 24 * 60

_TIME = re.compile(r"^(\d{2}):(\d{2})$")


def parse_time(text: str) -> int:
    """Minutes after midnight of a ``"HH:MM"`` wall-clock time (``"24:00"`` is the day's end).

    Raises ``ValueError`` with a message fit for a user when ``text`` is not a time of day.
    """
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f'"{text}" is not a time of day (expected "HH:MM")')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f'"{text}" is not a time of day')
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    """``"HH:MM"`` for minutes after midnight (0 to 1440)."""
    if not 0 <= minutes <= MINUTES_PER_DAY:
        raise ValueError(f"{minutes} minutes is outside one day")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_index(name: str) -> int:
    """0 for ``"mon"`` up to 6 for ``"sun"``."""
    return DAYS.index(name)


def day_label(day: int, week: int | None = None, weeks: int = 1) -> str:
    """A short human label: ``"Tue"``, or ``"Tue wk2"`` in a two-week pattern."""
    label = DAYS[day].capitalize()
    if week is not None and weeks > 1:
        label += f" wk{week + 1}"
    return label


def date_of(start: date, week: int, day: int) -> date:
    """Calendar date of ``day`` (0 = Monday) in pattern ``week`` (0-based) from a Monday ``start``."""
    return start + timedelta(days=7 * week + day)


def span_label(start: int, end: int) -> str:
    """``"09:00-10:30"``."""
    return f"{format_time(start)}-{format_time(end)}"
