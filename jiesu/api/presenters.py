"""Model instances → response schemas. Personal data leaves the API masked (domain-rules.md §12.2),
and a confidential requester's number not at all to units (jiesu.tickets.services.pii)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone

from jiesu.api.schemas import (
    ActorOut,
    AttachmentOut,
    CategoryOut,
    CategoryRef,
    DeadlinesOut,
    DueTicketOut,
    EventOut,
    FactsOut,
    TicketDetailOut,
    TicketOut,
    TicketStateOut,
    UnitOut,
    UnitRef,
)
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.reminders.selectors import DUE_AT, DUE_STAGE, DUE_STAGE_LABEL
from jiesu.tickets.choices import AttachmentKind, EventKind, TicketStatus
from jiesu.tickets.models import Attachment, Category, Ticket, TicketEvent
from jiesu.tickets.selectors_queues import ticket_is_overdue
from jiesu.tickets.services.pii import requester_view


def unit_ref(unit: Unit | None) -> UnitRef | None:
    if unit is None:
        return None
    return UnitRef(id=unit.pk, code=unit.code, name=unit.name, kind=UnitKind(unit.kind))


def unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        id=unit.pk,
        code=unit.code,
        name=unit.name,
        kind=UnitKind(unit.kind),
        level=unit.level,
        parent_id=unit.parent_id,
        is_active=unit.is_active,
    )


def category_ref(category: Category | None) -> CategoryRef | None:
    if category is None:
        return None
    return CategoryRef(id=category.pk, code=category.code, name=category.name, full_name=category.full_name)


def category_out(category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.pk,
        code=category.code,
        name=category.name,
        full_name=category.full_name,
        level=category.level,
        parent_id=category.parent_id,
        is_active=category.is_active,
    )


def actor_out(user: User | None) -> ActorOut | None:
    if user is None:
        return None
    return ActorOut(id=user.pk, username=user.username, display_name=user.display_name)


def _ticket_fields(ticket: Ticket, now: datetime, viewer: User | None) -> dict[str, object]:
    requester = requester_view(ticket=ticket, viewer=viewer)
    return {
        "number": ticket.number,
        "source": ticket.source,
        "external_number": ticket.external_number,
        "channel": ticket.channel,
        "received_at": ticket.received_at,
        "kind": ticket.kind,
        "urgency": ticket.urgency,
        "is_complex": ticket.is_complex,
        "title": ticket.title,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "version": ticket.version,
        "requester_name": requester.name,
        "requester_phone": requester.phone,
        "requester_confidential": ticket.requester_confidential,
        "address": ticket.address,
        "district": unit_ref(ticket.district),
        "township": unit_ref(ticket.township),
        "community": unit_ref(ticket.community),
        "category": category_ref(ticket.category),
        "lead_unit": unit_ref(ticket.lead_unit),
        "reply_due_at": ticket.reply_due_at,
        "is_overdue": ticket_is_overdue(ticket, now),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def ticket_out(ticket: Ticket, *, viewer: User | None, now: datetime | None = None) -> TicketOut:
    return TicketOut.model_validate(_ticket_fields(ticket, now or timezone.now(), viewer))


def due_ticket_out(ticket: Ticket, now: datetime, *, viewer: User | None) -> DueTicketOut:
    """A row of the 'due soon' / 'overdue' lists (annotated by the reminders selectors)."""
    due = {name: getattr(ticket, name) for name in (DUE_STAGE, DUE_STAGE_LABEL, DUE_AT)}
    return DueTicketOut.model_validate({**_ticket_fields(ticket, now, viewer), **due})


def _deadlines(t: Ticket) -> DeadlinesOut:
    return DeadlinesOut(
        acknowledge_due_at=t.acknowledge_due_at,
        first_contact_due_at=t.first_contact_due_at,
        dispatch_due_at=t.dispatch_due_at,
        unit_acknowledge_due_at=t.unit_acknowledge_due_at,
        reply_due_at=t.reply_due_at,
        callback_due_at=t.callback_due_at,
        sector_confirmation_due_at=t.sector_confirmation_due_at,
    )


def _facts(t: Ticket) -> FactsOut:
    names = [name for name in FactsOut.model_fields if name != "assessment_scope"]
    return FactsOut.model_validate({**{n: getattr(t, n) for n in names}, "assessment_scope": t.assessment_scope})


def ticket_detail_out(
    ticket: Ticket,
    *,
    viewer: User | None,
    assisting_units: list[Unit],
    allowed_actions: list[str],
    merged_into: str | None,
) -> TicketDetailOut:
    return TicketDetailOut.model_validate(
        {
            **_ticket_fields(ticket, timezone.now(), viewer),
            "content": ticket.content,
            "requester_id_number": requester_view(ticket=ticket, viewer=viewer).id_number,
            "assisting_units": [unit_ref(u) for u in assisting_units],
            "merged_into": merged_into,
            "deadlines": _deadlines(ticket),
            "facts": _facts(ticket),
            "allowed_actions": allowed_actions,
        }
    )


def _status_or_blank(value: str) -> TicketStatus | Literal[""]:
    return TicketStatus(value) if value else ""


def event_out(event: TicketEvent) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=EventKind(event.kind),
        kind_label=event.get_kind_display(),
        from_status=_status_or_blank(event.from_status),
        to_status=_status_or_blank(event.to_status),
        actor=actor_out(event.actor),
        actor_unit=unit_ref(event.actor_unit),
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        reason=event.reason,
        payload=event.payload,
    )


def ticket_state_out(ticket: Ticket) -> TicketStateOut:
    return TicketStateOut(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        status_label=ticket.get_status_display(),
        version=ticket.version,
    )


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        kind=AttachmentKind(attachment.kind),
        uploaded_by=actor_out(attachment.uploaded_by),
        uploaded_at=attachment.uploaded_at,
    )
