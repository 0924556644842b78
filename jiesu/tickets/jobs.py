"""Periodic ticket jobs run by `jiesu worker` (see settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.core.errors import DomainError
from jiesu.sla.cache import sla_cache_clear, sla_snapshot
from jiesu.tickets.choices import SectorAnswer
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.assessment import ticket_sector_confirm
from jiesu.tickets.services.recompute import deadlines_last_fingerprint, deadlines_recompute, sla_fingerprint


def sector_confirmations_auto_confirm(now: datetime) -> int:
    """A sector ticket not confirmed within its window is confirmed as 'yes' (domain-rules §3.2)."""
    done = 0
    due = Ticket.objects.filter(sector_confirmation_pending=True, sector_confirmation_due_at__lte=now)
    for ticket in due.select_related("lead_unit").iterator(chunk_size=200):
        try:
            ticket_sector_confirm(
                ticket=ticket, actor=None, answer=SectorAnswer.YES, automatic=True, reason="超过确认时限，系统自动确认"
            )
        except DomainError:
            continue  # moved by someone else meanwhile; the next run sees its new state
        done += 1
    return done


def deadlines_recompute_when_changed(now: datetime) -> int:
    """Recompute running deadlines when the calendar, working hours or time-limit rules changed
    since the last full recompute (its AuditEntry keeps the SLA fingerprint it saw)."""
    current = sla_fingerprint()
    if deadlines_last_fingerprint() == current:
        return 0
    if [str(part) for part in sla_snapshot().fingerprint] != current:
        sla_cache_clear()  # edited by another process since this one last looked
    return deadlines_recompute().changed
