"""One broken rule, located and worded for a coordinator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """A rule (1-12, numbered as in ``docs/format.md``) broken at ``where``, about ``subject``.

    ``code`` is a short kebab-case name of the check (``"window"``, ``"travel"``);
    ``subject`` the appointment, person or venue id it is about; ``where`` a human
    location (``"jonny-slt occurrence 1, Tue 12:45-13:30"``); ``message`` what is wrong,
    with names and times (``"overlaps Mia's nap 12:30-14:00"``).
    """

    rule: int
    code: str
    subject: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_dict(self) -> dict[str, str | int]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "code": self.code,
            "subject": self.subject,
            "where": self.where,
            "message": self.message,
        }
