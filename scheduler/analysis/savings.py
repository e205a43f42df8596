"""What the new pattern saves, what it costs more, and why: the figures of the whole picture.

Each figure is today's and the new pattern's, summed over the selected clients (the
practitioners' travel over those who serve them, each carer's time away on their own row);
:func:`costs_more` lists the figures that got worse and says why in words: today's bookings
break rules (named, counted, with an example), or the scenario's weights trade the figure
for bigger savings elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.model import Scenario
from scheduler.validate import Violation
from scheduler.validate.describe import join_words
from scheduler.validate.violation import RULE_TITLES
from scheduler.weights import TERMS

CARER_AWAY = "carer_away_minutes"
"""The figure of one carer's minutes away from home on outings (a row per carer)."""

FIGURE_WORDS: dict[str, tuple[str, str]] = {
    "trips": ("trips to appointments", "count"),
    "appointment_days": ("days with an appointment", "count"),
    "family_travel_minutes": ("family's travel to and from appointments", "minutes"),
    "family_travel_cost": ("cost of the family's travel", "money"),
    "distinct_people": ("practitioners met (once per client)", "count"),
    "outside_preferred_windows": ("session time outside preferred times", "minutes"),
    "avoided_days": ("sessions on days to avoid", "count"),
    "waiting_minutes": ("waiting around appointments", "minutes"),
    "disruption": ("sessions moved from today's bookings", "count"),
    "sessions": ("sessions", "count"),
    "session_minutes": ("time in sessions", "minutes"),
    "accompanying_minutes": ("time away as a companion at someone else's appointment", "minutes"),
    "practitioner_travel_minutes": ("practitioners' travel", "minutes"),
    "dropped_optional": ("optional appointments left out", "count"),
    "total_lateness": ("minutes late, all sessions together", "minutes"),
    "max_lateness": ("the latest start past its time", "minutes"),
    CARER_AWAY: ("time away from home", "minutes"),
}
"""Each figure in a coordinator's words, and its unit (``count``, ``minutes`` or ``money``)."""
assert set(TERMS) <= set(FIGURE_WORDS), "every objective term needs its words"

LOWER_IS_BETTER = frozenset({*TERMS, CARER_AWAY})
"""The figures the report judges (every objective term, and carers' time away); the others
(sessions, minutes in sessions) are what the pattern holds, neither better nor worse."""

TOLERANCE = 1e-9
"""Changes smaller than this (sums of pence in floating point) are no change."""


@dataclass(frozen=True)
class KpiRow:
    """One figure of the selection: today, in the new pattern, and the saving.

    ``carer`` is the carer's id on a row of one carer's time away (``kpi`` is
    :data:`CARER_AWAY`), else None; ``label`` the figure in words, with the carer's name.
    """

    kpi: str
    label: str
    before: float | None
    after: float | None
    carer: str | None = None

    @property
    def unit(self) -> str:
        """``count``, ``minutes`` or ``money``."""
        return FIGURE_WORDS[self.kpi][1]

    @property
    def saving(self) -> float | None:
        """``before - after`` (positive is better), or None without both."""
        if self.before is None or self.after is None:
            return None
        return self.before - self.after

    @property
    def worse(self) -> bool:
        """True when the figure is judged (:data:`LOWER_IS_BETTER`) and the new pattern's is higher."""
        return self.kpi in LOWER_IS_BETTER and self.saving is not None and self.saving < -TOLERANCE

    @property
    def heading(self) -> str:
        """The label with its unit: ``"practitioners' travel (minutes)"``."""
        return f"{self.label} (minutes)" if self.unit == "minutes" else self.label

    @property
    def change(self) -> str:
        """The change in words: ``"3 fewer"``, ``"80 min more (worse)"``, ``"same"``, or ``"-"``."""
        if self.saving is None:
            return "-"
        if abs(self.saving) <= TOLERANCE:
            return "same"
        words = change_words(self.unit, -self.saving)
        return f"{words} (worse)" if self.worse else words


def number(value: float) -> str:
    """``3``, ``0.5``, ``9.43``: a figure as the report writes it."""
    return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")


def change_words(unit: str, difference: float) -> str:
    """``difference`` (new - today) in words: ``"3 fewer"``, ``"80 min more"``, ``"1.51 less"``."""
    amount = number(abs(difference))
    if unit == "minutes":
        return f"{amount} min {'more' if difference > 0 else 'less'}"
    if unit == "money":
        return f"{amount} {'more' if difference > 0 else 'less'}"
    return f"{amount} {'more' if difference > 0 else 'fewer'}"


def figure_row(kpi: str, before: float | None, after: float | None) -> KpiRow:
    """A row of one figure of :data:`FIGURE_WORDS` (not a carer's)."""
    return KpiRow(kpi, FIGURE_WORDS[kpi][0], before, after)


def carer_row(carer_id: str, name: str, before: float | None, after: float | None) -> KpiRow:
    """A row of one carer's time away from home."""
    return KpiRow(CARER_AWAY, f"{name}'s {FIGURE_WORDS[CARER_AWAY][0]}", before, after, carer_id)


@dataclass(frozen=True)
class BrokenRule:
    """One rule today's bookings break for the selection: how often, and the first time, in words."""

    rule: int
    title: str
    count: int
    example: str

    @property
    def text(self) -> str:
        """``"Rule 9 (escort: never travels alone), 3 times, for example: alfie, Wed 15:26-15:30: ..."``."""
        example = "" if self.count == 1 else ", for example"
        return f"Rule {self.rule} ({self.title}), {_times(self.count)}{example}: {self.example}"


def broken_rules(violations: Sequence[Violation]) -> tuple[BrokenRule, ...]:
    """The rules ``violations`` break, in rule order, each counted with its first violation."""
    by_rule: dict[int, list[Violation]] = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    return tuple(
        BrokenRule(rule, RULE_TITLES[rule], len(found), str(found[0]))
        for rule, found in sorted(by_rule.items())
    )


@dataclass(frozen=True)
class Weighed:
    """A figure's change counted by its weight: ``points = weight x (after - before)``."""

    row: KpiRow
    weight: float

    @property
    def points(self) -> float:
        """What the change adds to the score (negative: what it saves)."""
        assert self.row.saving is not None
        return -self.weight * self.row.saving

    @property
    def text(self) -> str:
        """``"practitioners' travel 80 min more (x 0.5 = 40)"``."""
        assert self.row.saving is not None
        words = change_words(self.row.unit, -self.row.saving)
        return f"{self.row.label} {words} (x {number(self.weight)} = {number(abs(self.points))})"


@dataclass(frozen=True)
class CostsMore:
    """The figures on which the new pattern costs more than today's bookings, and why.

    ``broken`` are the rules today's bookings break for the selection; ``pattern_broken``
    how many rule violations the new pattern has for it; ``costs`` and ``savings`` the
    weighted figures that got worse and better; ``today_score`` and ``new_score`` the
    selection's weighted sums (the objective's, for everyone); ``reasons`` all of it in words.
    """

    figures: tuple[KpiRow, ...]
    broken: tuple[BrokenRule, ...]
    pattern_broken: int
    costs: tuple[Weighed, ...]
    savings: tuple[Weighed, ...]
    today_score: float
    new_score: float
    reasons: tuple[str, ...]


def _total(items: Sequence[Weighed]) -> float:
    return abs(sum(w.points for w in items))


def costs_more(
    scenario: Scenario,
    figures: Sequence[KpiRow],
    today: Sequence[Violation],
    pattern: Sequence[Violation],
    longest: Mapping[str, str],
) -> CostsMore:
    """What got worse among ``figures`` and why, given the violations of today's bookings
    (``today``) and of the new pattern (``pattern``) about the selection, and each carer's
    longest time away in the new pattern in words (``longest``, by carer id)."""
    weights = scenario.weights
    worse = tuple(row for row in figures if row.worse)
    broken = broken_rules(today)
    weighed = [
        Weighed(row, weights.of(row.kpi))
        for row in figures
        if row.kpi in TERMS and row.saving is not None and weights.of(row.kpi) > 0
    ]
    costs = tuple(w for w in weighed if w.row.worse)
    savings = tuple(w for w in weighed if w.row.saving is not None and w.row.saving > TOLERANCE)
    scored = [row for row in figures if row.kpi in TERMS and row.before is not None and row.after is not None]
    today_score = sum(weights.of(row.kpi) * (row.before or 0.0) for row in scored)
    new_score = sum(weights.of(row.kpi) * (row.after or 0.0) for row in scored)
    reasons: list[str] = []
    if worse:
        reasons += _rule_reasons(broken, len(pattern))
        if costs:
            reasons += _trade_reasons(costs, savings, today_score, new_score, bool(broken), len(pattern))
        unweighed = [row.label for row in worse if row.kpi in TERMS and weights.of(row.kpi) == 0]
        if unweighed:
            reasons.append(
                f"The scenario's weights do not count {join_words(unweighed)} (weight 0), "
                "so the search does not try to keep it down."
            )
        carers = [row.carer for row in worse if row.kpi == CARER_AWAY]
        if carers:
            reasons.append(
                "A carer's time away from home is not weighed on its own: it grows with the trips, "
                "with waiting between appointments away from home, and with going along with a child "
                "who must not travel or be at home alone (rules 9 and 10)."
            )
            reasons += [longest[c] for c in carers if c is not None and c in longest]
    return CostsMore(worse, broken, len(pattern), costs, savings, today_score, new_score, tuple(reasons))


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _rule_reasons(broken: Sequence[BrokenRule], pattern_broken: int) -> list[str]:
    if not broken:
        return []
    count = sum(b.count for b in broken)
    keeps = (
        "the new pattern keeps every rule"
        if pattern_broken == 0
        else f"the new pattern breaks rules too ({_times(pattern_broken)})"
    )
    head = (
        f"Today's bookings break rules {_times(count)}, so today's figures are of a week that "
        f"cannot happen as booked; {keeps}. Broken today:"
    )
    return [head, *(b.text for b in broken)]


def _trade_reasons(
    costs: Sequence[Weighed],
    savings: Sequence[Weighed],
    today_score: float,
    new_score: float,
    today_breaks_rules: bool,
    pattern_broken: int,
) -> list[str]:
    reasons = [
        "By the scenario's weights (how much each figure counts), what got worse weighs "
        f"{number(_total(costs))}: {join_words(w.text for w in costs)}."
    ]
    if savings:
        reasons.append(
            f"What got better weighs {number(_total(savings))}: {join_words(w.text for w in savings)}."
        )
    today, new = number(today_score), number(new_score)
    if new_score < today_score - TOLERANCE:
        reasons.append(
            f"The savings outweigh the costs: in all the new pattern scores {new} against today's "
            f"{today} (lower is better)."
        )
    elif today_breaks_rules and pattern_broken == 0:
        reasons.append(
            f"By the weights alone today's bookings look better ({today} against the new pattern's "
            f"{new}, lower is better), but they break the rules above, which the new pattern keeps."
        )
    else:
        reasons.append(
            f"By these weights today's bookings are better ({today} against the new pattern's {new}, "
            "lower is better): this pattern is not the best there is; solve again, for longer."
        )
    return reasons
