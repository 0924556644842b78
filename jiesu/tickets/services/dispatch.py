from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import AssignmentRole, EventKind, Stage
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Category, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.services.deadlines import deadline_changes, deadline_clear, deadline_moves
from jiesu.tickets.services.transitions import ticket_transition


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket, actor: User | None, at: datetime | None = None) -> TicketEvent:
    at = at or timezone.now()
    return ticket_transition(
        ticket=ticket,
        event=EventKind.ACKNOWLEDGED,
        actor=actor,
        occurred_at=at,
        changes={"acknowledged_at": at, **deadline_changes(ticket, {Stage.DISPATCH: at})},
    )


@transaction.atomic
def ticket_triage(
    *,
    ticket: Ticket,
    actor: User | None,
    category: Category | None = None,
    kind: str | None = None,
    urgency: str | None = None,
    is_complex: bool | None = None,
    note: str = "",
) -> TicketEvent:
    changes: dict[str, object] = {}
    if category is not None:
        changes["category"] = category
    if kind is not None:
        changes["kind"] = kind
    if urgency is not None:
        changes["urgency"] = urgency
    if is_complex is not None:
        changes["is_complex"] = is_complex
    payload = {k: (v.pk if isinstance(v, Category) else v) for k, v in changes.items()}
    return ticket_transition(
        ticket=ticket, event=EventKind.TRIAGED, actor=actor, reason=note, payload=payload, changes=changes
    )


def _assign(ticket: Ticket, lead: Unit, assisting: Sequence[Unit], at: datetime) -> None:
    TicketUnit.objects.filter(ticket=ticket, is_active=True).update(is_active=False)
    rows = [TicketUnit(ticket=ticket, unit=lead, role=AssignmentRole.LEAD, assigned_at=at)]
    rows += [
        TicketUnit(ticket=ticket, unit=u, role=AssignmentRole.ASSISTING, assigned_at=at)
        for u in assisting
        if u.pk != lead.pk
    ]
    TicketUnit.objects.bulk_create(rows)


def _dispatch_changes(ticket: Ticket, lead: Unit, at: datetime) -> dict[str, object]:
    ticket.lead_unit = lead  # deadlines may depend on the unit's kind
    return {
        "lead_unit": lead,
        "dispatched_at": at,
        "unit_acknowledged_at": None,
        **deadline_changes(ticket, {Stage.UNIT_ACKNOWLEDGE: at, Stage.REPLY: at}),
    }


def ticket_dispatch_deadlines(
    *, ticket: Ticket, lead_unit: Unit, at: datetime | None = None
) -> dict[Stage, datetime | None]:
    """The unit-acknowledge and reply deadlines a dispatch to `lead_unit` at `at` would set: the
    same computation as the dispatch itself, on a copy, so the preview cannot drift from it."""
    preview = copy.copy(ticket)
    changes = _dispatch_changes(preview, lead_unit, at or timezone.now())
    due: dict[Stage, datetime | None] = {}
    for stage, name in ((Stage.UNIT_ACKNOWLEDGE, "unit_acknowledge_due_at"), (Stage.REPLY, "reply_due_at")):
        value = changes.get(name)
        due[stage] = value if isinstance(value, datetime) else None
    return due


def _check_units(lead: Unit | None, assisting: Sequence[Unit]) -> Unit:
    if lead is None:
        raise TicketInvalid("请选择主办单位")
    for unit in [lead, *assisting]:
        if not unit.is_active:
            raise TicketInvalid(f"单位「{unit.name}」已停用，不能派单")
    return lead


@transaction.atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    actor: User | None,
    lead_unit: Unit | None,
    assisting_units: Sequence[Unit] = (),
    note: str = "",
    at: datetime | None = None,
) -> TicketEvent:
    lead = _check_units(lead_unit, assisting_units)
    at = at or timezone.now()
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.DISPATCHED,
        actor=actor,
        reason=note,
        occurred_at=at,
        payload={"lead_unit_id": lead.pk, "assisting_unit_ids": [u.pk for u in assisting_units]},
        changes=_dispatch_changes(ticket, lead, at),
    )
    _assign(ticket, lead, assisting_units, at)
    return event


@transaction.atomic
def ticket_forward(*, ticket: Ticket, actor: User | None, lead_unit: Unit | None, note: str = "") -> TicketEvent:
    """A district (or any unit) hands its ticket down to a unit below it, e.g. a township."""
    lead = _check_units(lead_unit, ())
    current = ticket.lead_unit
    if current is None or not lead.is_within(current) or lead.pk == current.pk:
        raise TicketInvalid("只能下派给本单位的下级单位")
    at = timezone.now()
    changes = _dispatch_changes(ticket, lead, at)
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.FORWARDED,
        actor=actor,
        reason=note,
        payload={"from_unit_id": current.pk, "lead_unit_id": lead.pk, "deadlines": deadline_moves(ticket, changes)},
        changes=changes,
    )
    _assign(ticket, lead, (), at)
    return event


@transaction.atomic
def ticket_redispatch(
    *, ticket: Ticket, actor: User | None, lead_unit: Unit | None, assisting_units: Sequence[Unit] = (), reason: str
) -> TicketEvent:
    lead = _check_units(lead_unit, assisting_units)
    at = timezone.now()
    from_unit_id = ticket.lead_unit_id
    changes = _dispatch_changes(ticket, lead, at)
    event = ticket_transition(
        ticket=ticket,
        event=EventKind.REDISPATCHED,
        actor=actor,
        reason=reason,
        payload={
            "from_unit_id": from_unit_id,
            "lead_unit_id": lead.pk,
            "assisting_unit_ids": [u.pk for u in assisting_units],
            "deadlines": deadline_moves(ticket, changes),
        },
        changes=changes,
    )
    _assign(ticket, lead, assisting_units, at)
    return event


@transaction.atomic
def ticket_unit_acknowledge(*, ticket: Ticket, actor: User | None, at: datetime | None = None) -> TicketEvent:
    at = at or timezone.now()
    return ticket_transition(
        ticket=ticket,
        event=EventKind.UNIT_ACKNOWLEDGED,
        actor=actor,
        occurred_at=at,
        changes={"unit_acknowledged_at": at},
    )


@transaction.atomic
def ticket_return_request(*, ticket: Ticket, actor: User | None, reason: str) -> TicketEvent:
    return ticket_transition(
        ticket=ticket,
        event=EventKind.RETURN_REQUESTED,
        actor=actor,
        reason=reason,
        payload={"unit_id": ticket.lead_unit_id},
        changes={"return_count": ticket.return_count + 1},
    )


RETURN_DECISIONS = {
    "triage": EventKind.RETURN_APPROVED,
    "city": EventKind.RETURNED_TO_CITY,
    "reject": EventKind.RETURN_REJECTED,
}


@transaction.atomic
def ticket_return_decide(*, ticket: Ticket, actor: User | None, decision: str, reason: str = "") -> TicketEvent:
    """Approve a return (back to triage, or back to the city platform) or reject it."""
    event = RETURN_DECISIONS.get(decision)
    if event is None:
        raise TicketInvalid("审核结果必须是：重新分拣、退回上级平台或驳回")
    changes: dict[str, object] = {}
    if event is not EventKind.RETURN_REJECTED:
        changes = {"lead_unit": None, **deadline_clear(ticket, (Stage.UNIT_ACKNOWLEDGE, Stage.REPLY))}
    result = ticket_transition(ticket=ticket, event=event, actor=actor, reason=reason, changes=changes)
    if changes:
        TicketUnit.objects.filter(ticket=ticket, is_active=True).update(is_active=False)
    return result
