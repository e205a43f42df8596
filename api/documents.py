"""The checks a JSON body passes before the contract sees it, so that storing it and sending it
back can never fail: bounded nesting, text that is valid Unicode, and finite numbers only."""

from __future__ import annotations

import math
from typing import Any

from scheduler.contract.errors import format_location, parse_json
from scheduler.errors import InputError, InputIssue

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects a body may have; the scenario format needs far fewer."""
NOT_UNICODE = "is not valid Unicode text (it holds a lone surrogate code point)"


def parse_body(body: bytes, error: type[InputError]) -> Any:
    """Parse a JSON body and check it with :func:`body_issues`; raises ``error`` with every problem."""
    try:
        data = parse_json(body, error)
    except RecursionError:
        too_deep = f"arrays and objects are nested deeper than {MAX_DEPTH} levels"
        raise error([InputIssue("", too_deep)]) from None
    issues = body_issues(data)
    if issues:
        raise error(issues)
    return data


def body_issues(data: Any) -> list[InputIssue]:
    """Every place in parsed JSON that is nested too deep, holds a string (value or key) that is not
    valid Unicode (a lone surrogate such as ``"\\ud800"``), or a number that is not finite."""
    issues: list[InputIssue] = []
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if len(path) > MAX_DEPTH:
            issues.append(InputIssue(format_location(path), f"nested deeper than {MAX_DEPTH} levels"))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if not is_unicode(key):
                    issues.append(InputIssue(format_location(path), f"the key {_escaped(key)} {NOT_UNICODE}"))
                    key = _escaped(key)
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and not is_unicode(value):
            issues.append(InputIssue(format_location(path), f"the text {_escaped(value)} {NOT_UNICODE}"))
        elif isinstance(value, float) and not math.isfinite(value):
            issues.append(InputIssue(format_location(path), f"{value} is not a finite number"))
    return sorted(issues, key=lambda issue: issue.location)


def is_unicode(text: str) -> bool:
    """True when every code point of ``text`` is a Unicode scalar value (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escaped(text: str) -> str:
    """``text`` quoted, surrogates written as ``\\udxxx`` escapes, shortened past 40 characters."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return '"' + shown.encode("utf-8", "backslashreplace").decode("utf-8") + '"'
