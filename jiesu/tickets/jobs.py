"""Periodic ticket jobs run by `jiesu worker` (see settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.core.errors import DomainError
from jiesu.tickets.choices import SectorAnswer
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.assessment import ticket_sector_confirm


def sector_confirmations_auto_confirm(now: datetime) -> int:
    """A sector ticket not confirmed within its window is confirmed as 'yes' (domain-rules §3.2)."""
    done = 0
    due = Ticket.objects.filter(sector_confirmation_pending=True, sector_confirmation_due_at__lt=now)
    for ticket in due.select_related("lead_unit").iterator(chunk_size=200):
        try:
            ticket_sector_confirm(
                ticket=ticket, actor=None, answer=SectorAnswer.YES, automatic=True, reason="超过确认时限，系统自动确认"
            )
        except DomainError:
            continue  # moved by someone else meanwhile; the next run sees its new state
        done += 1
    return done
