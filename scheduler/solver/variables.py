"""Every decision variable of the pattern model, and indexes to find them without scanning.

Decisions. Each pre-solved :class:`Option` (appointment, pattern day, venue, practitioners,
carer, placement) has a presence literal; each appointment and pattern day (an *appointment
day*) has one start variable, a slot number shared by its options, and a literal ``held``
true when one of its options is chosen (at most one is). An optional appointment has an
``active`` literal; a required one a constant 1.

The indexes (by person and day, by venue and day, by appointment) are built once,
so that every constraint family looks up what it needs instead of scanning every option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from scheduler.clock import MINUTES_PER_DAY
from scheduler.model import Appointment, Scenario
from scheduler.schedule import PlacedSession
from scheduler.solver import starts as st
from scheduler.solver.cpsat import Budget
from scheduler.solver.presolve import Option, Presolved
from scheduler.solver.rules import BoolVar

AppointmentDay = tuple[int, int]
"""(appointment index, pattern day)."""
PersonDay = tuple[int, int]
"""(person index, pattern day)."""
Expr = cp_model.LinearExpr | int


@dataclass
class Index:
    """Options, appointment days and fixed sessions grouped the ways the families need them."""

    options_by_client_day: dict[PersonDay, list[Option]] = field(default_factory=dict)
    options_by_carer_day: dict[PersonDay, list[Option]] = field(default_factory=dict)
    options_by_practitioner_day: dict[PersonDay, list[Option]] = field(default_factory=dict)
    options_by_venue_day: dict[tuple[int, int], list[Option]] = field(default_factory=dict)
    options_by_appointment: dict[int, list[Option]] = field(default_factory=dict)
    days_by_appointment: dict[int, list[int]] = field(default_factory=dict)
    """Pattern days on which an appointment has options, in order."""
    appointments_by_client_day: dict[PersonDay, list[int]] = field(default_factory=dict)
    fixed_by_carer: dict[int, list[PlacedSession]] = field(default_factory=dict)
    fixed_by_practitioner_day: dict[PersonDay, list[PlacedSession]] = field(default_factory=dict)
    fixed_by_venue_day: dict[tuple[int, int], list[PlacedSession]] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario, presolved: Presolved, fixed: Sequence[PlacedSession]) -> Index:
        """The index of ``presolved``'s options and the ``fixed`` sessions of other appointments."""
        ix = cls()
        for o in presolved.options:
            g = o.pattern_day
            appt = scenario.appointments[o.appointment]
            # A session joined to the one before it in a sequence shares that one's stop and
            # room (its extent: Variables.stop_end), so it is no stop of the client's own.
            if not scenario.joined(appt):
                ix.options_by_client_day.setdefault((appt.client, g), []).append(o)
                ix.options_by_venue_day.setdefault((o.venue, g), []).append(o)
            if o.carer is not None:
                ix.options_by_carer_day.setdefault((o.carer, g), []).append(o)
            for p in o.practitioners:
                ix.options_by_practitioner_day.setdefault((p, g), []).append(o)
            ix.options_by_appointment.setdefault(o.appointment, []).append(o)
        for a, g in presolved.by_appointment_day:
            ix.days_by_appointment.setdefault(a, []).append(g)
            client = scenario.appointments[a].client
            ix.appointments_by_client_day.setdefault((client, g), []).append(a)
        for days in ix.days_by_appointment.values():
            days.sort()
        joined_end: dict[tuple[int, int], int] = {}
        for f in fixed:
            after = scenario.appointments[f.appointment].after
            if after is not None and scenario.joined(scenario.appointments[f.appointment]):
                joined_end[(after.appointment, f.pattern_day)] = f.end
        for f in fixed:
            g = f.pattern_day
            if f.carer is not None:
                ix.fixed_by_carer.setdefault(f.carer, []).append(f)
            for p in f.practitioners:
                ix.fixed_by_practitioner_day.setdefault((p, g), []).append(f)
            if not scenario.joined(scenario.appointments[f.appointment]):
                end = max(f.end, joined_end.get((f.appointment, g), f.end))
                ix.fixed_by_venue_day.setdefault((f.venue, g), []).append(replace(f, end=end))
        return ix


class Variables:
    """The decision variables of one model, with derived literals made once and shared."""

    def __init__(
        self,
        model: cp_model.CpModel,
        scenario: Scenario,
        presolved: Presolved,
        appointments: Sequence[Appointment],
        fixed: Sequence[PlacedSession],
        budget: Budget,
    ) -> None:
        self.model = model
        self.scenario = scenario
        self.presolved = presolved
        self.appointments = tuple(appointments)
        self.whole = len(self.appointments) == len(scenario.appointments)
        """True when the model covers every appointment of the scenario."""
        with_appointments = {a.client for a in self.appointments}
        self.clients = tuple(c for c in scenario.clients if c.index in with_appointments)
        """Clients with an appointment in the model."""
        self.fixed_practitioner_travel = 0
        """Practitioners' travel on days without a decision (a constant of the objective)."""
        self.routine_start: dict[tuple[int, int, int], cp_model.IntVar] = {}
        """(client, routine position in the client's routines, pattern day) -> start minute of a
        flexible routine's free minutes (made by :mod:`scheduler.solver.constraints.routines`)."""
        self.stop_end: dict[AppointmentDay, cp_model.IntVar] = {}
        """Appointment day of the first session of a joined sequence -> the end of the stop it
        makes with the session joined to it: the later of the two ends (made by
        :mod:`scheduler.solver.constraints.sequences`)."""
        self.fixed = tuple(fixed)
        """Sessions of other appointments already placed."""
        self.index = Index.of(scenario, presolved, fixed)
        self.households = any(c.supervision != "none" for c in scenario.clients)
        """True when some client needs company (version 2): carers' days are circuits of their
        own, people may go home between stops, and companions may come along."""
        self.companion: dict[tuple[int, int, tuple[int, int, int]], BoolVar] = {}
        """(client, carer, session stop) -> the client comes along with the carer to that stop,
        another client's session ((appointment, pattern day, venue)); made by
        :mod:`scheduler.solver.constraints.places`."""
        self.chosen: dict[int, BoolVar] = {}
        """Option index -> the option is the one chosen for its appointment day."""
        self.start_slot: dict[AppointmentDay, cp_model.IntVar] = {}
        """Appointment day -> its start, in slots (start minute = slot number x slot length)."""
        self.slot_range: dict[AppointmentDay, tuple[int, int]] = {}
        self.held: dict[AppointmentDay, BoolVar] = {}
        """Appointment day -> a session of the appointment is held that day."""
        self.active: dict[int, BoolVar] = {}
        """Appointment -> it is in the pattern (a constant 1 unless it is optional)."""
        self.session: dict[int, cp_model.IntervalVar] = {}
        """Option index -> its session's interval, present when the option is chosen."""
        self._any: dict[frozenset[int], BoolVar] = {}
        self._or: dict[tuple[str, int, int], BoolVar] = {}
        self._create(budget)

    def _create(self, budget: Budget) -> None:
        m = self.model
        slot = self.scenario.horizon.slot
        for appt in self.appointments:
            self.active[appt.index] = (
                m.new_bool_var(f"active {appt.id}") if appt.optional else m.new_constant(1)
            )
        for (a, g), options in self.presolved.by_appointment_day.items():
            budget.check()
            union = st.union(r for o in options for r in o.slots)
            k = m.new_int_var_from_domain(
                cp_model.Domain.from_intervals([list(r) for r in union]), f"k {a} {g}"
            )
            self.start_slot[(a, g)] = k
            self.slot_range[(a, g)] = (union[0][0], union[-1][1])
            duration = self.scenario.appointments[a].duration
            for o in options:
                x = m.new_bool_var(f"x {o.index}")
                self.chosen[o.index] = x
                if o.slots != union:
                    m.add_linear_expression_in_domain(
                        k, cp_model.Domain.from_intervals([list(r) for r in o.slots])
                    ).only_enforce_if(x)
                self.session[o.index] = m.new_optional_fixed_size_interval_var(
                    k * slot, duration, x, f"session {o.index}"
                )
            held = m.new_bool_var(f"held {a} {g}")
            m.add(sum(self.chosen[o.index] for o in options) == held)
            self.held[(a, g)] = held

    # ---------------------------------------------------------------- look-ups

    def start(self, option: Option) -> Expr:
        """Start minute of ``option``'s session."""
        return self.start_slot[(option.appointment, option.pattern_day)] * self.scenario.horizon.slot

    def duration(self, option: Option) -> int:
        """Minutes of ``option``'s session."""
        return self.scenario.appointments[option.appointment].duration

    def stop_interval(self, option: Option, presence: BoolVar, extra: int = 0) -> cp_model.IntervalVar:
        """The span ``option``'s session keeps its client and venue busy, plus ``extra`` minutes:
        the session, or with a session joined to it in a sequence, until the later end."""
        end = self.stop_end.get((option.appointment, option.pattern_day))
        if end is None:
            return self.model.new_optional_fixed_size_interval_var(
                self.start(option), self.duration(option) + extra, presence, ""
            )
        size = self.model.new_int_var(self.duration(option) + extra, 2 * MINUTES_PER_DAY, "")
        return self.model.new_optional_interval_var(self.start(option), size, end + extra, presence, "")

    def days_of(self, appointment: int, week: int | None = None) -> list[int]:
        """Pattern days on which ``appointment`` may be held (in ``week``, if given)."""
        days = self.index.days_by_appointment.get(appointment, [])
        return [g for g in days if week is None or g // 7 == week]

    def options_on(self, appointment: int, pattern_day: int) -> list[Option]:
        """The options of ``appointment`` on ``pattern_day``."""
        return self.presolved.options_on(appointment, pattern_day)

    # ------------------------------------------------------- derived literals

    def any_of(self, options: Sequence[Option]) -> BoolVar:
        """A literal true when one of ``options`` (of one appointment day, so exclusive) is chosen."""
        if len(options) == 1:
            return self.chosen[options[0].index]
        key = frozenset(o.index for o in options)
        if key not in self._any:
            merged = self.model.new_bool_var("")
            self.model.add(merged == sum(self.chosen[o.index] for o in options))
            self._any[key] = merged
        return self._any[key]

    def either(self, literals: Sequence[BoolVar]) -> BoolVar:
        """A literal equal to the OR of ``literals`` (a constant 0 for none)."""
        if not literals:
            return self.model.new_constant(0)
        if len(literals) == 1:
            return literals[0]
        out = self.model.new_bool_var("")
        self.model.add_max_equality(out, literals)
        return out

    def client_day_used(self, client: int, g: int) -> BoolVar:
        """A literal true exactly when the client has any session on pattern day ``g``.

        Built over each appointment's ``held`` literal that day (exclusive options summed),
        which gives a much tighter linear relaxation than a maximum over options.
        """
        key = ("day", client, g)
        if key not in self._or:
            held = [self.held[(a, g)] for a in self.index.appointments_by_client_day.get((client, g), [])]
            self._or[key] = self.either(held)
        return self._or[key]

    def people_met(self, client: int, days: Sequence[int]) -> dict[int, BoolVar]:
        """Per practitioner, a literal true exactly when the client meets them on ``days``."""
        by_practitioner: dict[int, list[BoolVar]] = {}
        for g in days:
            for a in self.index.appointments_by_client_day.get((client, g), []):
                options = self.options_on(a, g)
                for p in sorted({p for o in options for p in o.practitioners}):
                    by_practitioner.setdefault(p, []).append(
                        self.any_of([o for o in options if p in o.practitioners])
                    )
        return {p: self.either(lits) for p, lits in sorted(by_practitioner.items())}
