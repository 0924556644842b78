from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind, Stage
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.deadlines import (
    deadline_changes,
    deadline_extension_changes,
    deadline_moves,
    deadline_pause_changes,
    deadline_pause_payload,
)
from jiesu.tickets.services.reply_elements import reply_elements_check
from jiesu.tickets.services.transitions import ticket_transition


@transaction.atomic
def ticket_contact(
    *, ticket: Ticket, actor: User | None, reached: bool, note: str = "", at: datetime | None = None
) -> TicketEvent:
    """Log an attempt to contact the requester; the first successful one is the response."""
    at = at or timezone.now()
    changes: dict[str, object] = {}
    if reached and ticket.first_contacted_at is None:
        changes["first_contacted_at"] = at
    return ticket_transition(
        ticket=ticket,
        event=EventKind.CONTACTED,
        actor=actor,
        reason=note,
        occurred_at=at,
        payload={"reached": reached},
        changes=changes,
    )


def _closing_changes(ticket: Ticket, at: datetime) -> dict[str, Any]:
    return {"closed_at": at, **deadline_changes(ticket, {Stage.CALLBACK: at})}


@transaction.atomic
def ticket_self_handle(
    *,
    ticket: Ticket,
    actor: User | None,
    answer: str,
    at: datetime | None = None,
    elements: Sequence[str] = (),
) -> TicketEvent:
    """The center answers the appeal itself (直接办复) and closes it; `elements` are the reply
    elements the answer covers (see services.reply_elements)."""
    if not answer.strip():
        raise TicketInvalid("请填写答复内容")
    at = at or timezone.now()
    payload = reply_elements_check(ticked=elements, at=at)
    changes = {"reply_text": answer.strip(), "replied_at": at, "is_direct_answer": True, **_closing_changes(ticket, at)}
    return ticket_transition(
        ticket=ticket, event=EventKind.SELF_HANDLED, actor=actor, occurred_at=at, payload=payload, changes=changes
    )


@transaction.atomic
def ticket_reply(
    *, ticket: Ticket, actor: User | None, text: str, at: datetime | None = None, elements: Sequence[str] = ()
) -> TicketEvent:
    """The lead unit's reply; refused unless it names every required reply element in force."""
    if not text.strip():
        raise TicketInvalid("请填写办理结果")
    at = at or timezone.now()
    payload = {"on_time": ticket.reply_due_at is None or at <= ticket.reply_due_at}
    payload.update(reply_elements_check(ticked=elements, at=at))
    return ticket_transition(
        ticket=ticket,
        event=EventKind.REPLIED,
        actor=actor,
        occurred_at=at,
        payload=payload,
        changes={"reply_text": text.strip(), "replied_at": at},
    )


@transaction.atomic
def ticket_review(
    *, ticket: Ticket, actor: User | None, accept: bool, reason: str = "", at: datetime | None = None
) -> TicketEvent:
    """The center reviews a unit's reply: accept and close, or send it back for rework."""
    at = at or timezone.now()
    if accept:
        return ticket_transition(
            ticket=ticket,
            event=EventKind.CLOSED,
            actor=actor,
            reason=reason,
            occurred_at=at,
            changes=_closing_changes(ticket, at),
        )
    return ticket_transition(ticket=ticket, event=EventKind.REPLY_SENT_BACK, actor=actor, reason=reason, occurred_at=at)


@transaction.atomic
def ticket_extension_request(*, ticket: Ticket, actor: User | None, until: datetime, reason: str) -> TicketEvent:
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    if ticket.reply_due_at is not None and until <= ticket.reply_due_at:
        raise TicketInvalid("申请的新时限必须晚于当前反馈时限")
    return ticket_transition(
        ticket=ticket,
        event=EventKind.EXTENSION_REQUESTED,
        actor=actor,
        reason=reason,
        payload={"until": until.isoformat(), "current_due": ticket.reply_due_at},
        changes={"extension_pending": True, "extension_requested_until": until},
    )


@transaction.atomic
def ticket_extension_decide(
    *, ticket: Ticket, actor: User | None, approve: bool, reason: str = "", until: datetime | None = None
) -> TicketEvent:
    if not approve:
        return ticket_transition(
            ticket=ticket,
            event=EventKind.EXTENSION_REJECTED,
            actor=actor,
            reason=reason,
            changes={"extension_pending": False, "extension_requested_until": None},
        )
    new_due = until or ticket.extension_requested_until
    changes: dict[str, Any] = {"extension_pending": False, "extension_requested_until": None}
    changes.update(deadline_extension_changes(ticket, new_due))
    return ticket_transition(
        ticket=ticket,
        event=EventKind.EXTENSION_APPROVED,
        actor=actor,
        reason=reason,
        payload={"from": ticket.reply_due_at, "to": new_due, "deadlines": deadline_moves(ticket, changes)},
        changes=changes,
    )


@transaction.atomic
def ticket_suspend(*, ticket: Ticket, actor: User | None, reason: str) -> TicketEvent:
    """Stop the clock (挂起); the paused time is added back to the deadlines on resume."""
    now = timezone.now()
    return ticket_transition(
        ticket=ticket, event=EventKind.SUSPENDED, actor=actor, reason=reason, changes={"suspended_at": now}
    )


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: User | None, reason: str = "") -> TicketEvent:
    """Restart the clock: each running deadline moves by the pause, measured in the unit of the
    limit behind it (working minutes for working-time limits, plain time otherwise)."""
    now = timezone.now()
    changes: dict[str, Any] = {"suspended_at": None}
    payload: dict[str, Any] = {"paused_seconds": 0, "paused_working_minutes": 0, "deadlines": {}}
    if ticket.suspended_at is not None:
        changes.update(deadline_pause_changes(ticket, ticket.suspended_at, max(now, ticket.suspended_at)))
        payload = deadline_pause_payload(ticket, changes)
    return ticket_transition(
        ticket=ticket, event=EventKind.RESUMED, actor=actor, reason=reason, payload=payload, changes=changes
    )
