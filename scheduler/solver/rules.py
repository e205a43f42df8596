"""The seam between the rule families and explanations.

Every constraint an explanation may switch off belongs to a :class:`Group`: a rule (a
:class:`RuleKind`) about one subject (an appointment, a person, a venue, a journey). A family
adds its constraints through :class:`Rules`, the same code whether or not the model is being
explained:

- in a normal solve, :meth:`Rules.enforce` leaves a constraint as it is;
- when explaining, each group gets an assumption literal and its constraints hold only
  under it, so that :mod:`scheduler.solver.explain` can ask CP-SAT which groups cannot hold
  together.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

BoolVar = cp_model.IntVar
"""A Boolean CP-SAT variable (CP-SAT's Python API has no type of its own for it)."""


class RuleKind(enum.Enum):
    """The rule groups an explanation can name, in the order it names them."""

    FREQUENCY = "frequency"
    PIN = "pin"
    ROLE = "role"
    SEQUENCE = "sequence"
    CLIENT = "client"
    ROUTINE = "routine"
    CARER = "carer"
    PRACTITIONER = "practitioner"
    JOURNEY = "journey"
    ROOMS = "rooms"
    CLIENT_LIMIT = "client limit"
    PRACTITIONER_LIMIT = "practitioner limit"
    ESCORT = "escort"
    ALONE = "alone"

    @property
    def rank(self) -> int:
        """Position in the order explanations list groups."""
        return list(RuleKind).index(self)


@dataclass(frozen=True)
class Group:
    """The constraints of one rule about one subject.

    ``subject`` is an index whose meaning depends on ``kind`` (appointment for FREQUENCY,
    PIN, ROLE and SEQUENCE, whose appointment is the one that follows; client for CLIENT,
    CLIENT_LIMIT, ESCORT and ALONE; the client's routine position in ``detail`` for ROUTINE;
    carer; practitioner; venue for ROOMS; a journey's origin venue, with ``other`` its
    destination and ``detail`` the travel mode). ``detail`` also names a
    limit.
    """

    kind: RuleKind
    subject: int
    detail: str = ""
    other: int = -1

    def order(self) -> tuple[int, int, str, int]:
        """Sort key: rule kind, then subject."""
        return self.kind.rank, self.subject, self.detail, self.other


@dataclass
class Rules:
    """Enforces constraints under their group; with ``explaining`` False, unconditionally."""

    model: cp_model.CpModel
    explaining: bool
    literals: dict[Group, BoolVar] = field(default_factory=dict)

    def literal(self, group: Group) -> BoolVar | None:
        """The assumption literal of ``group`` when explaining, else None."""
        if not self.explaining:
            return None
        if group not in self.literals:
            self.literals[group] = self.model.new_bool_var(f"group {group.kind.value} {group.subject}")
        return self.literals[group]

    def enforce(self, constraint: cp_model.Constraint, group: Group) -> cp_model.Constraint:
        """``constraint`` holds whenever ``group`` does (always, in a normal solve)."""
        literal = self.literal(group)
        if literal is not None:
            constraint.only_enforce_if(literal)
        return constraint

    def holds(self, group: Group) -> BoolVar:
        """A literal true whenever ``group`` holds: its assumption literal, or a constant 1."""
        literal = self.literal(group)
        return self.model.new_constant(1) if literal is None else literal

    def forbid(self, group: Group) -> None:
        """``group`` cannot hold at all (a pin no option can keep)."""
        self.enforce(self.model.add_bool_or([]), group)

    def presence(self, present: BoolVar, group: Group) -> BoolVar:
        """A presence literal for an interval of a scheduling constraint of ``group``:
        ``present`` itself, or when explaining a literal true exactly when both hold."""
        literal = self.literal(group)
        if literal is None:
            return present
        both = self.model.new_bool_var("")
        self.model.add_bool_and([present, literal]).only_enforce_if(both)
        self.model.add_bool_or([present.negated(), literal.negated(), both])
        return both
