"""Writes the analysts' notebooks, without outputs, from the cells below.

Run it after changing a story: ``.venv/bin/python notebooks/build.py``. The notebooks are
stored without outputs; ``tests/test_notebooks.py`` executes each of them top to bottom.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

FIND_DATA = """\
from pathlib import Path

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "data" / "household.json").exists())
DATA = ROOT / "data"\
"""

WHOLE_PICTURE = [
    new_markdown_cell(
        """\
# 01 The whole picture: one household before and after

Alfie Hughes (8) and his baby sister Poppy see eight practitioners from five agencies. Each agency
booked its own diary, so today the family makes four trips a week, Poppy's health visitor comes in
her nap, and Alfie is booked in two places at once on Monday (see `docs/examples.md`).

This notebook lays their appointments out as one rationalised weekly pattern and shows, with the
validator's own figures, what it saves: trips, travel, waiting, and clashes with naps and school.
Run all cells (it takes a few seconds)."""
    ),
    new_code_cell(
        FIND_DATA
        + """

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from scheduler.analysis import (
    client_kpis,
    compare,
    itineraries_frame,
    sessions_frame,
    to_markdown,
    whole_picture,
)
from scheduler.analysis.plots import plot_journeys, plot_week
from scheduler.loader import load_scenario
from scheduler.schedule import sessions_from_bookings
from scheduler.solver import solve
from scheduler.validate import validate"""
    ),
    new_markdown_cell(
        "## Solve\n\nThe household is small: the solver proves the best pattern in about a second "
        "(the limit is 10 s). The validator then checks it independently."
    ),
    new_code_cell(
        """\
scenario = load_scenario(DATA / "household.json")
result = solve(scenario, time_limit=10, workers=1)
today = sessions_from_bookings(scenario)
report = validate(scenario, result.to_doc(scenario))
print(f"{result.status} in {result.runtime:.1f} s; the new pattern keeps every rule: {report.ok}")
print(f"today's bookings break {len(report.current_violations)} rules")"""
    ),
    new_markdown_cell(
        "## The whole picture\n\nEvery service around Alfie and Poppy, today's bookings against the new "
        "pattern, what today's diaries get wrong, and what the agencies should look at. "
        "`scheduler report data/household.json SCHEDULE.json` writes the same as Markdown or HTML."
    ),
    new_code_cell(
        """\
picture = whole_picture(scenario, result, household="hughes")
display(Markdown(to_markdown(picture)))"""
    ),
    new_markdown_cell(
        "## The week, before and after\n\nOne column a day, one block a session, a colour a child. Today's "
        "bookings are spread over three days, some after school and one in Poppy's nap; the new pattern "
        "holds therapy in school and brings the rest home."
    ),
    new_code_cell(
        """\
before_sessions = sessions_frame(scenario, today)
after_sessions = sessions_frame(scenario, result)
fig, axes = plt.subplots(1, 2, figsize=(14, 6), sharey=True)
plot_week(axes[0], before_sessions, title="Today's bookings")
plot_week(axes[1], after_sessions, title="The new pattern")
fig.tight_layout()
plt.show()"""
    ),
    new_markdown_cell(
        "## Journeys\n\nThe family's journeys to and from sessions (lines thicker where travelled more "
        "often), and the minutes they take each day."
    ),
    new_code_cell(
        """\
def family_legs(pattern):
    legs = itineraries_frame(scenario, pattern)
    return legs[(legs["kind"] == "client") & legs["touches_session"]]


before_legs, after_legs = family_legs(today), family_legs(result)
fig, axes = plt.subplots(1, 2, figsize=(14, 5), sharex=True, sharey=True)
plot_journeys(axes[0], scenario, before_legs, title="Today's journeys")
plot_journeys(axes[1], scenario, after_legs, title="Journeys in the new pattern")
fig.tight_layout()
plt.show()

by_day = (
    before_legs.groupby("day")["minutes"].sum().rename("today").to_frame()
    .join(after_legs.groupby("day")["minutes"].sum().rename("new pattern"), how="outer")
    .fillna(0)
    .reindex(["mon", "tue", "wed", "thu", "fri"], fill_value=0)
)
by_day.plot.bar(title="Family travel minutes by day", ylabel="minutes", rot=0)
plt.show()"""
    ),
    new_markdown_cell(
        "## What it saves\n\nBefore, after and the saving for the household (the sum of Alfie's and Poppy's "
        "figures). `disruption` is the price: the sessions that move away from today's bookings."
    ),
    new_code_cell(
        """\
savings = compare(scenario, result, by="household").set_index("kpi")
display(savings)
shown = ["trips", "appointment_days", "family_travel_minutes", "waiting_minutes", "outside_preferred_windows"]
savings.loc[shown, ["before", "after"]].plot.barh(title="The Hughes household: today against the new pattern")
plt.show()"""
    ),
    new_markdown_cell(
        "## What it asks of carers and practitioners\n\nA pattern that saves the children trips can still "
        "ask more of the adults. Each carer's time away from home (from leaving home to coming back, "
        "waiting included), the minutes a child spends away as a companion at someone else's appointment "
        "(`accompanying_minutes`, version 2), and each practitioner's travel, today and in the new pattern. "
        "Where a figure rose, the whole picture says why: today's bookings break rules (named and counted), "
        "or the weights trade it for a bigger saving elsewhere."
    ),
    new_code_cell(
        """\
carers = compare(scenario, result, by="carer")
display(carers[carers["kpi"] == "away_minutes"].set_index("carer"))
print("minutes away as a companion:", savings.loc["accompanying_minutes", ["before", "after"]].to_dict())

practitioners = compare(scenario, result, by="practitioner")
travel = practitioners[practitioners["kpi"] == "travel_minutes"].set_index("practitioner")
display(travel)
travel[["before", "after"]].plot.barh(title="Practitioners' travel minutes: today against the new pattern")
plt.show()

for reason in picture.costs.reasons:
    print("-", reason)"""
    ),
    new_markdown_cell("## Per child\n\nThe same figures child by child, and how many people each meets."),
    new_code_cell(
        """\
per_child = compare(scenario, result, by="client")
display(per_child.pivot(index="kpi", columns="client", values="saving"))
display(client_kpis(scenario, result)[["name", "distinct_people", "trips", "sessions"]])"""
    ),
]

TUNING = [
    new_markdown_cell(
        """\
# 02 Tuning the weights

The objective weighs trips, travel, people met, disruption of today's bookings, practitioners' travel
and more (`scheduler/weights.py`). The weights are a policy choice: how much is one trip saved for the
family worth against one appointment moved, or against an hour of a therapist's driving?

Here we solve the Hughes household under several weight settings (in parallel), look at the trade-off
between trips, disruption and practitioner travel, pick a setting on the Pareto front, and write it
back into the scenario."""
    ),
    new_code_cell(
        FIND_DATA
        + """

import json
import tempfile

import matplotlib.pyplot as plt
from IPython.display import display

from scheduler.analysis import setting_of, sweep, weight_grid, with_weights
from scheduler.loader import load_scenario

document = json.loads((DATA / "household.json").read_text())"""
    ),
    new_markdown_cell(
        "## The sweep\n\nA grid over the disruption and practitioner-travel weights (the other weights keep "
        "the scenario's values). Each setting is one solve of at most 15 s on one core; settings run in "
        "parallel processes."
    ),
    new_code_cell(
        """\
grid = {"disruption": [5, 40, 200], "practitioner_travel_minutes": [0.5, 3]}
frame = sweep(document, grid, time_limit=15)
columns = ["w_disruption", "w_practitioner_travel_minutes", "status", "trips", "disruption",
           "practitioner_travel_minutes", "family_travel_minutes", "pareto"]
display(frame[columns])"""
    ),
    new_markdown_cell(
        "## The Pareto front\n\nA setting is on the front when no other setting does at least as well on "
        "trips, disruption and practitioner travel, and better on one. Settings off the front are never "
        "worth choosing; the choice between the others is the policy."
    ),
    new_code_cell(
        """\
fig, ax = plt.subplots(figsize=(8, 5))
points = ax.scatter(frame["disruption"], frame["trips"], c=frame["practitioner_travel_minutes"],
                    s=[160 if p else 50 for p in frame["pareto"]], cmap="viridis", edgecolor="black")
fig.colorbar(points, label="practitioner travel (minutes)")
for row in frame.itertuples():
    ax.annotate(f"d={row.w_disruption:g}, p={row.w_practitioner_travel_minutes:g}",
                (row.disruption, row.trips), fontsize=8, xytext=(5, 5), textcoords="offset points")
ax.set_xlabel("disruption (sessions moved)")
ax.set_ylabel("family trips a week")
ax.set_title("Weight settings (large: on the Pareto front)")
plt.show()"""
    ),
    new_markdown_cell(
        "## Pick a setting and write it back\n\nA simple rule: among the Pareto settings, the family's trips "
        "first, then the fewest sessions moved, then the least practitioner travel. The chosen weights go "
        "into the scenario's `weights`; here into a temporary copy (to keep it, write `chosen` over "
        "`data/household.json` or your own scenario file)."
    ),
    new_code_cell(
        """\
front = frame[frame["pareto"]]
best = front.sort_values(["trips", "disruption", "practitioner_travel_minutes"]).iloc[0]
weights = setting_of(best)
chosen = with_weights(document, weights)
print(json.dumps(chosen["weights"], indent=2))

with tempfile.TemporaryDirectory() as folder:
    path = f"{folder}/household-tuned.json"
    with open(path, "w", encoding="utf-8") as out:
        json.dump(chosen, out, indent=2)
    assert load_scenario(path).weights.as_dict() == weights
print("written and loaded back")"""
    ),
]

TOWN = [
    new_markdown_cell(
        """\
# 03 A town

A whole town's families, practitioners and agencies: how the savings are spread across households,
how the practitioners' load changes, and where the new pattern still hurts.

For speed this uses a smaller town from the generator (`scheduler.generate.generate_town`, the same
generator as `data/town.json`); set `HOUSEHOLDS = None` to load `data/town.json` instead (give the
solver a minute or more)."""
    ),
    new_code_cell(
        FIND_DATA
        + """

import matplotlib.pyplot as plt
from IPython.display import display

from scheduler.analysis import client_kpis, compare, practitioner_kpis, whole_picture
from scheduler.generate import generate_town
from scheduler.loader import load_scenario
from scheduler.schedule import sessions_from_bookings
from scheduler.solver import solve
from scheduler.validate import validate

HOUSEHOLDS = 3
TIME_LIMIT = 30"""
    ),
    new_code_cell(
        """\
document = generate_town(HOUSEHOLDS, seed=9) if HOUSEHOLDS else (DATA / "town.json")
scenario = load_scenario(document)
result = solve(scenario, time_limit=TIME_LIMIT, workers=2)
assert result.has_schedule, f"no pattern in {TIME_LIMIT} s ({result.status}): raise TIME_LIMIT"
report = validate(scenario, result.to_doc(scenario))
print(f"{scenario.name}: {len(scenario.clients)} clients, {len(scenario.practitioners)} practitioners, "
      f"{len(scenario.appointments)} appointments")
print(f"{result.status} in {result.runtime:.0f} s (gap {result.gap:.0%}); keeps every rule: {report.ok}")"""
    ),
    new_markdown_cell(
        "## Savings across families\n\nThe saving of each household (before minus after), and the town's "
        "total."
    ),
    new_code_cell(
        """\
households = compare(scenario, result, by="household")
saving = households.pivot(index="household", columns="kpi", values="saving")
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, kpi in zip(axes, ["trips", "family_travel_minutes", "waiting_minutes"]):
    saving[kpi].sort_values().plot.barh(ax=ax, title=f"{kpi} saved")
fig.tight_layout()
plt.show()
display(compare(scenario, result, by="town").set_index("kpi"))"""
    ),
    new_markdown_cell(
        "## Practitioners' load\n\nSessions and travel per practitioner, today and in the new pattern."
    ),
    new_code_cell(
        """\
new_load = practitioner_kpis(scenario, result)[["sessions", "travel_minutes", "days"]].add_suffix(" (new)")
load = practitioner_kpis(scenario, sessions_from_bookings(scenario)).join(new_load)
display(load)
travel = load[["travel_minutes", "travel_minutes (new)"]]
travel.plot.bar(figsize=(12, 4), title="Practitioner travel minutes")
plt.show()"""
    ),
    new_markdown_cell(
        "## Where the pattern still hurts\n\nThe clients with the most trips, waiting and session minutes "
        "outside their preferred windows in the new pattern, and what the whole picture tells the "
        "agencies: overload, duplication, gaps and the conversations worth having."
    ),
    new_code_cell(
        """\
after = client_kpis(scenario, result)
display(after.sort_values(["trips", "waiting_minutes"], ascending=False)
        [["name", "household", "trips", "waiting_minutes", "outside_preferred_windows", "sessions"]].head(5))

picture = whole_picture(scenario, result)
kinds = [f.kind for f in picture.findings]
print("today's dis-integration:", {kind: kinds.count(kind) for kind in sorted(set(kinds))})
print("overloaded practitioners:", [o.name for o in picture.overloads] or "none")
print("possible duplications:", [(d.client, d.service) for d in picture.duplications] or "none")
print("gaps:", [(g.client, g.need) for g in picture.gaps] or "none")
for c in picture.conversations[:5]:
    print(f"talk: {c.first} and {c.second}: {'; '.join(c.reasons)}")"""
    ),
]

NOTEBOOKS = {"01_whole_picture": WHOLE_PICTURE, "02_tuning_weights": TUNING, "03_town": TOWN}


def build() -> list[Path]:
    """Write every notebook of :data:`NOTEBOOKS` next to this script; returns their paths."""
    paths = []
    for name, cells in NOTEBOOKS.items():
        for number, cell in enumerate(cells, start=1):
            cell["id"] = f"{name}-{number:02d}"
        notebook = new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        path = HERE / f"{name}.ipynb"
        nbformat.write(notebook, path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in build():
        print(written)
