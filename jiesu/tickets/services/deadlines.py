"""Stage deadlines for a ticket, from the active time-limit rule set (jiesu.sla)."""

from __future__ import annotations

from datetime import datetime

from jiesu.sla.services import DeadlineFacts, stage_deadline
from jiesu.tickets.choices import Stage
from jiesu.tickets.models import Ticket


def ticket_facts(ticket: Ticket) -> DeadlineFacts:
    return DeadlineFacts(
        urgency=ticket.urgency,
        kind=ticket.kind,
        is_complex=ticket.is_complex,
        channel=ticket.channel,
        category_code=ticket.category.code if ticket.category_id and ticket.category else "",
        unit_kind=ticket.lead_unit.kind if ticket.lead_unit_id and ticket.lead_unit else "",
    )


def ticket_stage_deadline(ticket: Ticket, stage: Stage, start: datetime) -> datetime | None:
    return stage_deadline(stage=stage.value, start=start, facts=ticket_facts(ticket))
