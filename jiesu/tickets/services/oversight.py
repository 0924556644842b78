from __future__ import annotations

from django.db import transaction

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.transitions import ticket_transition


@transaction.atomic
def ticket_urge(*, ticket: Ticket, actor: User | None, note: str = "") -> TicketEvent:
    return ticket_transition(
        ticket=ticket, event=EventKind.URGED, actor=actor, reason=note, payload={"unit_id": ticket.lead_unit_id}
    )


@transaction.atomic
def ticket_supervise(*, ticket: Ticket, actor: User | None, reason: str) -> TicketEvent:
    return ticket_transition(
        ticket=ticket, event=EventKind.SUPERVISED, actor=actor, reason=reason, payload={"unit_id": ticket.lead_unit_id}
    )


@transaction.atomic
def ticket_note(*, ticket: Ticket, actor: User | None, text: str) -> TicketEvent:
    return ticket_transition(ticket=ticket, event=EventKind.NOTE_ADDED, actor=actor, reason=text)
