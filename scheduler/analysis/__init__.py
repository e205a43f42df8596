"""Analysis for people who tune and judge patterns: pandas frames, the whole picture, weight sweeps.

- :mod:`~scheduler.analysis.frames`: sessions, journeys, KPIs and objective of a pattern, and
  today's bookings against it, as tidy DataFrames (figures from the validator);
- :mod:`~scheduler.analysis.picture` and :mod:`~scheduler.analysis.render`: the whole picture
  around a client or household, as data, Markdown or HTML;
- :mod:`~scheduler.analysis.tuning`: solve over many weight settings and mark the Pareto front;
- :mod:`~scheduler.analysis.plots`: matplotlib views of a week and its journeys.

See ``docs/analysis.md``.
"""

from scheduler.analysis.frames import (
    Pattern,
    carer_kpis,
    client_kpis,
    compare,
    evaluation,
    itineraries_frame,
    objective_frame,
    placed_sessions,
    practitioner_kpis,
    sessions_frame,
)
from scheduler.analysis.picture import (
    WholePicture,
    find_duplications,
    find_gaps,
    find_overloads,
    whole_picture,
)
from scheduler.analysis.render import to_html, to_markdown
from scheduler.analysis.tuning import pareto_mask, setting_of, sweep, weight_grid, with_weights

__all__ = [
    "Pattern",
    "WholePicture",
    "carer_kpis",
    "client_kpis",
    "compare",
    "evaluation",
    "find_duplications",
    "find_gaps",
    "find_overloads",
    "itineraries_frame",
    "objective_frame",
    "pareto_mask",
    "placed_sessions",
    "practitioner_kpis",
    "sessions_frame",
    "setting_of",
    "sweep",
    "to_html",
    "to_markdown",
    "weight_grid",
    "whole_picture",
    "with_weights",
]
