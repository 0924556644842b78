from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind, Satisfaction, Stage
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Callback, Ticket, TicketEvent
from jiesu.tickets.services.deadlines import deadline_changes, deadline_moves
from jiesu.tickets.services.transitions import ticket_transition


@dataclass(frozen=True)
class CallbackAnswers:
    contacted: bool
    resolved: bool
    satisfaction: str
    is_valid: bool = True
    note: str = ""
    called_at: datetime | None = None


def callback_needs_rework(answers: CallbackAnswers) -> bool:
    return answers.is_valid and (not answers.resolved or answers.satisfaction == Satisfaction.DISSATISFIED)


@transaction.atomic
def ticket_callback(*, ticket: Ticket, actor: User | None, answers: CallbackAnswers) -> Callback:
    """Record a callback; an unresolved or dissatisfied verdict starts rework at once."""
    if answers.satisfaction not in Satisfaction.values:
        raise TicketInvalid("满意度取值无效")
    at = answers.called_at or timezone.now()
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.CALLBACK_RECORDED,
        actor=actor,
        reason=answers.note,
        occurred_at=at,
        payload={
            "is_valid": answers.is_valid,
            "contacted": answers.contacted,
            "resolved": answers.resolved,
            "satisfaction": answers.satisfaction,
        },
        changes={
            "callback_at": at,
            "callback_valid": answers.is_valid,
            "callback_contacted": answers.contacted,
            "callback_resolved": answers.resolved,
            "callback_satisfaction": answers.satisfaction,
        },
    )
    callback = Callback.objects.create(
        ticket=ticket,
        event=event,
        called_at=at,
        is_valid=answers.is_valid,
        contacted=answers.contacted,
        resolved=answers.resolved,
        satisfaction=answers.satisfaction,
        note=answers.note,
        agent=actor,
    )
    if callback_needs_rework(answers):
        verdict = "未解决" if not answers.resolved else "不满意"
        ticket_rework(ticket=ticket, actor=None, reason=f"回访结果：{verdict}，自动转二次办理", at=at)
    return callback


@transaction.atomic
def ticket_rework(*, ticket: Ticket, actor: User | None, reason: str, at: datetime | None = None) -> TicketEvent:
    """Reopen a closed ticket: back to its lead unit, or back to triage when the center answered it."""
    at = at or timezone.now()
    changes: dict[str, Any] = {"rework_count": ticket.rework_count + 1, "closed_at": None, "callback_due_at": None}
    if ticket.lead_unit_id is not None:
        changes.update(deadline_changes(ticket, {Stage.REPLY: at}))
        event = EventKind.REWORK
    else:
        changes["is_direct_answer"] = False
        event = EventKind.REOPENED
    changes["deadline_rules"] = {
        k: v for k, v in changes.get("deadline_rules", ticket.deadline_rules).items() if k != Stage.CALLBACK
    }
    payload = {"deadlines": deadline_moves(ticket, changes)}
    return ticket_transition(
        ticket=ticket, event=event, actor=actor, reason=reason, occurred_at=at, payload=payload, changes=changes
    )
