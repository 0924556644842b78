"""One action on many tickets at once (签收, 派单, 催办 a selection), ticket by ticket.

Each ticket goes through `ticket_perform` in a transaction of its own, so one refusal (wrong
status, not this user's to do, moved meanwhile) neither stops nor undoes the others; the caller
gets one result per number. Numbers outside the actor's scope are reported as not found and
never touched — the same answer as for numbers that do not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from jiesu.core.errors import DomainError, ValidationFailed
from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind
from jiesu.tickets.exporting.service import selection_numbers
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.services.actions import ActionInput, ticket_perform

E = EventKind
BULK_ACTIONS = frozenset({E.ACKNOWLEDGED, E.UNIT_ACKNOWLEDGED, E.DISPATCHED, E.URGED})
NOT_FOUND = "工单不存在或您无权查看"


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    done: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkResult:
    action: str
    outcomes: list[BulkOutcome]

    @property
    def done(self) -> int:
        return sum(1 for o in self.outcomes if o.done)

    @property
    def refused(self) -> int:
        return len(self.outcomes) - self.done


def _perform_one(ticket: Ticket, action: str, actor: User | None, data: ActionInput) -> BulkOutcome:
    try:
        with transaction.atomic():
            ticket_perform(ticket=ticket, action=action, actor=actor, data=data)
    except DomainError as exc:
        return BulkOutcome(number=ticket.number, done=False, code=exc.code, message=exc.message)
    return BulkOutcome(number=ticket.number, done=True)


def tickets_bulk_perform(*, numbers: Sequence[str], action: str, actor: User | None, data: ActionInput) -> BulkResult:
    """Perform `action` on each ticket of `numbers` the actor may see; one outcome per number."""
    if action not in BULK_ACTIONS:
        labels = "、".join(str(E(a).label) for a in sorted(BULK_ACTIONS))
        raise ValidationFailed(f"批量操作只支持：{labels}", field="action")
    chosen = selection_numbers(numbers)
    visible = tickets_visible_to(viewer=actor).filter(number__in=chosen)
    found = {t.number: t for t in visible.select_related("district", "township", "community", "lead_unit")}
    outcomes = [
        _perform_one(found[number], action, actor, data)
        if number in found
        else BulkOutcome(number=number, done=False, code="not_found", message=NOT_FOUND)
        for number in chosen
    ]
    return BulkResult(action=action, outcomes=outcomes)
