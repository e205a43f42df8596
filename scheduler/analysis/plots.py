"""Matplotlib views for the notebooks: a week grid of sessions and a map of the journeys.

Both draw on an ``Axes`` the caller owns, from the frames of :mod:`scheduler.analysis.frames`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from scheduler.clock import DAYS
from scheduler.model import Scenario

PALETTE = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink")
"""Colours of the clients, in order of first appearance."""


def plot_week(
    ax: Axes, sessions: pd.DataFrame, *, title: str, day_start: int = 8 * 60, day_end: int = 18 * 60
) -> None:
    """A week grid of a :func:`~scheduler.analysis.frames.sessions_frame`: one column a day, time
    downwards, one coloured block per session (a colour per client), labelled with its appointment."""
    records = sessions.to_dict("records")
    clients = dict.fromkeys(str(r["client"]) for r in records)
    colours = {client: PALETTE[i % len(PALETTE)] for i, client in enumerate(clients)}
    weeks = max((int(r["week"]) for r in records), default=1)
    for r in records:
        column = DAYS.index(str(r["day"])) + 7 * (int(r["week"]) - 1)
        start, minutes = int(r["start_minute"]), int(r["minutes"])
        colour = colours[str(r["client"])]
        ax.bar(column, minutes, bottom=start, width=0.8, color=colour, alpha=0.8, edgecolor="black")
        ax.text(column, start + minutes / 2, str(r["appointment"]), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(7 * weeks), [d.capitalize() for d in DAYS] * weeks)
    ax.set_xlim(-0.5, 7 * weeks - 0.5)
    ax.set_ylim(day_end, day_start)
    hours = range(day_start - day_start % 60, day_end + 1, 60)
    ax.set_yticks(list(hours), [f"{h // 60:02d}:00" for h in hours])
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title)
    for client, colour in colours.items():
        ax.bar(0, 0, color=colour, label=client)
    if colours:
        ax.legend(loc="lower right", fontsize=8)


def plot_journeys(ax: Axes, scenario: Scenario, itineraries: pd.DataFrame, *, title: str) -> None:
    """A map of the venues (by latitude and longitude) and the journeys of an
    :func:`~scheduler.analysis.frames.itineraries_frame`, thicker where travelled more often."""
    places = {v.id: (v.lon, v.lat) for v in scenario.venues if v.lat is not None and v.lon is not None}
    counts: dict[tuple[str, str], int] = {}
    for r in itineraries.to_dict("records"):
        key = (str(r["origin"]), str(r["destination"]))
        counts[key] = counts.get(key, 0) + 1
    for (origin, destination), times in counts.items():
        if origin in places and destination in places:
            (x0, y0), (x1, y1) = places[origin], places[destination]
            ax.plot([x0, x1], [y0, y1], color="tab:red", linewidth=1 + 1.5 * times, alpha=0.6)
    for venue in scenario.venues:
        if venue.id in places:
            x, y = places[venue.id]
            ax.scatter(x, y, marker="s" if venue.is_home else "o", color="black", zorder=3)
            ax.annotate(venue.name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(title)
