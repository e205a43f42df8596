"""Rule 8: clients' daily and weekly limits, and practitioners' daily limits.

A client: sessions, session minutes and a minimum gap between sessions each day; days with
a session and practitioners met each week. A practitioner: sessions and session minutes
each day, sessions of other groups already placed included. A daily count or minutes limit
that cannot bind on a day (too few options) adds nothing.
"""

from __future__ import annotations

from scheduler.solver.constraints import Building
from scheduler.solver.constraints.places import no_overlap
from scheduler.solver.rules import Group, RuleKind


def add_client_limits(b: Building) -> None:
    """Rule 8 for every client of the model."""
    v = b.v
    m = v.model
    for client in v.clients:
        lim = client.limits
        b.budget.check()

        def limit(name: str, client: int = client.index) -> Group:
            return Group(RuleKind.CLIENT_LIMIT, client, name)

        for g in v.scenario.days():
            here = [
                (v.scenario.appointments[a], v.held[(a, g)])
                for a in v.index.appointments_by_client_day.get((client.index, g), [])
            ]
            cap = lim.max_sessions_per_day
            if cap is not None and len(here) > cap:
                b.rules.enforce(m.add(sum(held for _, held in here) <= cap), limit("max_sessions_per_day"))
            cap = lim.max_session_minutes_per_day
            if cap is not None and sum(a.duration for a, _ in here) > cap:
                b.rules.enforce(
                    m.add(sum(held * a.duration for a, held in here) <= cap),
                    limit("max_session_minutes_per_day"),
                )
            gap = lim.min_gap_minutes
            if gap:
                options = v.index.options_by_client_day.get((client.index, g), [])
                no_overlap(b, options, limit("min_gap_minutes"), extra=gap)
        for week in range(v.scenario.horizon.weeks):
            week_days = range(week * 7, week * 7 + 7)
            if lim.max_days_per_week is not None:
                used = [v.client_day_used(client.index, g) for g in week_days]
                b.rules.enforce(m.add(sum(used) <= lim.max_days_per_week), limit("max_days_per_week"))
            if lim.max_people_per_week is not None:
                met = v.people_met(client.index, week_days)
                b.rules.enforce(
                    m.add(sum(met.values()) <= lim.max_people_per_week), limit("max_people_per_week")
                )


def add_practitioner_limits(b: Building) -> None:
    """Rule 8 for every practitioner with session options."""
    v = b.v
    m = v.model
    for (p, g), options in v.index.options_by_practitioner_day.items():
        lim = v.scenario.practitioners[p].limits
        fixed = v.index.fixed_by_practitioner_day.get((p, g), [])
        cap = lim.max_sessions_per_day
        if cap is not None and len(options) + len(fixed) > cap:
            b.rules.enforce(
                m.add(sum(v.chosen[o.index] for o in options) <= cap - len(fixed)),
                Group(RuleKind.PRACTITIONER_LIMIT, p, "max_sessions_per_day"),
            )
        cap = lim.max_session_minutes_per_day
        already = sum(f.end - f.start for f in fixed)
        if cap is not None and sum(v.duration(o) for o in options) + already > cap:
            b.rules.enforce(
                m.add(sum(v.chosen[o.index] * v.duration(o) for o in options) <= cap - already),
                Group(RuleKind.PRACTITIONER_LIMIT, p, "max_session_minutes_per_day"),
            )
