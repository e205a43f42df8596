"""Rule 5: a session that needs a carer has one of the client's carers, who keeps rule 3."""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.validate.describe import join_words, session_where
from scheduler.validate.plans import Timetable, client_of
from scheduler.validate.rules.places import plan_faults
from scheduler.validate.violation import Violation


def check_carers(t: Timetable) -> Iterator[Violation]:
    """Rule 5: escorts where needed, by the client's own carers, never at two places at once."""
    for session in t.sessions:
        appt = t.scenario.appointments[session.appointment]
        client = client_of(t.scenario, session)
        where = session_where(t.scenario, session)
        if appt.needs_carer and session.carer is None:
            yield Violation(5, "carer", appt.id, where, f"needs a carer to escort {client.name} and has none")
        elif session.carer is not None and session.carer not in client.carers:
            own = join_words(t.scenario.carers[c].name for c in client.carers)
            yield Violation(
                5,
                "carer",
                appt.id,
                where,
                f"{t.scenario.carers[session.carer].name} is not one of {client.name}'s carers"
                + (f" ({own})" if own else ""),
            )
    for plan in t.plans_of("carer"):
        yield from plan_faults(t, plan, rule=5)
