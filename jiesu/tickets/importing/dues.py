"""Deadlines of planned steps, computed and recorded as the verb services do it.

`jiesu.tickets.services.deadlines.deadline_changes` reads its facts from a Ticket; a batch
import has no Ticket instances for new rows, so the facts are built once per row (the same six
values `ticket_facts` reads) and the same `stage_time_limit` and `rule_entry` are applied. A
historical year whose calendar is not loaded gives no deadline instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.services import AppliedLimit, DeadlineFacts, stage_time_limit
from jiesu.tickets.choices import Stage
from jiesu.tickets.importing.rows import ImportRecord
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.deadlines import DUE_FIELDS, rule_entry, ticket_facts

LimitFn = Callable[[Stage, datetime, DeadlineFacts], AppliedLimit | None]


def limit_or_none(stage: Stage, start: datetime, facts: DeadlineFacts) -> AppliedLimit | None:
    try:
        return stage_time_limit(stage=stage.value, start=start, facts=facts)
    except CalendarNotLoadedError:
        return None


def no_limit(stage: Stage, start: datetime, facts: DeadlineFacts) -> AppliedLimit | None:
    return None


@dataclass(frozen=True, slots=True)
class PlanBasis:
    """What a plan needs besides the row: the facts deadlines depend on and the ticket's state."""

    facts: DeadlineFacts
    return_count: int = 0
    deadline_rules: dict[str, Any] = field(default_factory=dict)


def basis_for_record(record: ImportRecord) -> PlanBasis:
    """A new ticket's facts, as `ticket_facts` would read them from the ticket the row creates."""
    values = record.values
    facts = DeadlineFacts(
        urgency=values["urgency"],
        kind=values["kind"],
        is_complex=values["is_complex"],
        channel=values["channel"],
        category_code=record.category.code if record.category is not None else "",
    )
    return PlanBasis(facts=facts)


def basis_for_ticket(ticket: Ticket) -> PlanBasis:
    return PlanBasis(ticket_facts(ticket), ticket.return_count, dict(ticket.deadline_rules or {}))


class Dues:
    """The running deadlines of one plan and their `deadline_rules` entries."""

    def __init__(self, limit: LimitFn, basis: PlanBasis) -> None:
        self.limit = limit
        self.facts = basis.facts
        self.rules = dict(basis.deadline_rules)
        self.latest: dict[Stage, datetime | None] = {}

    def dispatched_to(self, unit_kind: str) -> None:
        """Later limits may depend on the lead unit's kind, as in ticket_dispatch."""
        self.facts = replace(self.facts, unit_kind=unit_kind)

    def start(self, stages: dict[Stage, datetime]) -> dict[str, Any]:
        """Changes that start `stages`: each deadline, and the rule behind it."""
        changes: dict[str, Any] = {}
        for stage, start in stages.items():
            limit = self.limit(stage, start, self.facts)
            deadline = limit.deadline if limit is not None else None
            changes[DUE_FIELDS[stage]] = self.latest[stage] = deadline
            if limit is not None:
                self.rules[stage.value] = rule_entry(limit, start)
            else:
                self.rules.pop(stage.value, None)
        changes["deadline_rules"] = dict(self.rules)
        return changes

    def clear(self, stages: Iterable[Stage]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for stage in stages:
            changes[DUE_FIELDS[stage]] = self.latest[stage] = None
            self.rules.pop(stage.value, None)
        changes["deadline_rules"] = dict(self.rules)
        return changes
