"""The only code that changes Ticket.status. Status, facts and the event are written together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.errors import StaleTicket, from_refusal
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.permissions import ticket_ensure_allowed
from jiesu.tickets.workflow import RESTORE, TRANSITIONS, Transition, TransitionRefused, check


def _restored_status(ticket: Ticket) -> TicketStatus:
    """The status the ticket had before it entered its current (pending) status."""
    entered = (
        TicketEvent.objects.filter(ticket=ticket, to_status=ticket.status)
        .exclude(from_status=ticket.status)
        .order_by("-occurred_at", "-id")
        .values_list("from_status", flat=True)
        .first()
    )
    if not entered:
        raise from_refusal("transition_not_allowed", "无法确定工单之前的状态")
    return TicketStatus(entered)


def resolve_target(rule: Transition, ticket: Ticket) -> TicketStatus:
    if rule.target is None:
        return TicketStatus(ticket.status)
    if rule.target is RESTORE:
        return _restored_status(ticket)
    return rule.target


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    event: EventKind,
    actor: User | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> TicketEvent:
    """Apply one event from the workflow table to `ticket`.

    `changes` are the facts the event sets (lead unit, reply text, deadlines …); they are written
    in the same conditional UPDATE as the status, which succeeds only if nobody else changed the
    ticket since it was read (optimistic locking on `version`).
    """
    try:
        rule = check(state=ticket, event=event, reason=reason)
    except TransitionRefused as refusal:
        raise from_refusal(refusal.code, refusal.message) from refusal
    ticket_ensure_allowed(actor=actor, rule=rule, ticket=ticket)
    target = resolve_target(rule, ticket)
    now = timezone.now()
    fields: dict[str, Any] = dict(changes or {})
    if "status" in fields or "version" in fields:
        raise ValueError("status and version are set by the workflow only")
    moved = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        status=target, version=F("version") + 1, updated_at=now, **fields
    )
    if moved != 1:
        raise StaleTicket()
    entry = TicketEvent.objects.create(
        ticket=ticket,
        kind=event,
        from_status=ticket.status,
        to_status=target,
        actor=actor,
        actor_unit=actor.unit if actor is not None else None,
        occurred_at=occurred_at or now,
        recorded_at=now,
        reason=reason.strip(),
        payload=payload or {},
    )
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.status = target
    ticket.version += 1
    ticket.updated_at = now
    return entry


def ticket_record_creation(*, ticket: Ticket, actor: User | None, occurred_at: datetime) -> TicketEvent:
    """The first event of a ticket; `ticket_create` calls it right after inserting the row."""
    rule = TRANSITIONS[EventKind.RECEIVED]
    ticket_ensure_allowed(actor=actor, rule=rule, ticket=ticket)
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.RECEIVED,
        from_status="",
        to_status=TicketStatus.RECEIVED,
        actor=actor,
        actor_unit=actor.unit if actor is not None else None,
        occurred_at=occurred_at,
        payload={"channel": ticket.channel, "source": ticket.source, "external_number": ticket.external_number},
    )


def replay_status(*, status: str, events: list[tuple[EventKind, str]], state: Any) -> list[tuple[str, str]]:
    """Check a planned sequence of (event, reason) against the table without touching the database.

    Used by the batch importer, which writes historical events in bulk: each step must be legal
    from the status the previous step produced. Returns (from_status, to_status) per step.
    RESTORE targets are resolved from the sequence itself.
    """
    steps: list[tuple[str, str]] = []
    history: list[tuple[str, str]] = []
    current = status
    for event, reason in events:
        state.status = current
        try:
            rule = check(state=state, event=event, reason=reason)
        except TransitionRefused as refusal:
            raise from_refusal(refusal.code, refusal.message) from refusal
        if rule.target is None:
            target = current
        elif rule.target is RESTORE:
            previous = [f for f, t in history if t == current and f != current]
            if not previous:
                raise from_refusal("transition_not_allowed", "无法确定工单之前的状态")
            target = previous[-1]
        else:
            target = rule.target.value
        steps.append((current, target))
        history.append((current, target))
        current = target
    state.status = current
    return steps
