"""Sets of allowed start minutes, kept as sorted, disjoint, closed ranges.

A session of ``duration`` minutes may start at ``s`` when ``[s, s + duration)`` keeps every
rule that does not depend on other sessions; these helpers narrow the set rule by rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.model import Span

Starts = tuple[tuple[int, int], ...]
"""Closed ranges ``(first, last)`` of allowed start minutes, sorted and disjoint."""


def union(ranges: Iterable[tuple[int, int]]) -> Starts:
    """Starts allowed by any of ``ranges``."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def inside(spans: Iterable[Span], duration: int) -> Starts:
    """Starts that keep a ``duration``-minute session inside one of ``spans``."""
    return union((s.start, s.end - duration) for s in spans)


def intersect(a: Starts, b: Starts) -> Starts:
    """Starts allowed by both ``a`` and ``b``."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def avoiding(starts: Starts, blocked: Span, duration: int) -> Starts:
    """``starts`` less those whose session would overlap ``blocked``."""
    first_bad, last_bad = blocked.start - duration + 1, blocked.end - 1
    out: list[tuple[int, int]] = []
    for lo, hi in starts:
        if hi < first_bad or lo > last_bad:
            out.append((lo, hi))
            continue
        if lo < first_bad:
            out.append((lo, first_bad - 1))
        if hi > last_bad:
            out.append((last_bad + 1, hi))
    return tuple(out)


def between(first: int, last: int) -> Starts:
    """Every start from ``first`` to ``last`` (empty when ``last < first``)."""
    return ((first, last),) if first <= last else ()


def slots(starts: Starts, slot: int) -> Starts:
    """The ranges of slot numbers ``k`` whose start ``k * slot`` is in ``starts``."""
    return union((-(-lo // slot), hi // slot) for lo, hi in starts)
