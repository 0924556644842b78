"""Conditions on stored ticket facts shared by the work queues, the reminders and the partial
indexes that serve them; one definition each, so that a count and its index always match."""

from __future__ import annotations

from django.db.models import F, Q

from jiesu.tickets.choices import FINAL_STATUSES, TicketStatus

# A callback belongs to the latest closing: after rework and closing again, an earlier callback
# no longer counts.
CALLBACK_DUE = Q(status=TicketStatus.CLOSED) & (Q(callback_at__isnull=True) | Q(callback_at__lt=F("closed_at")))
# Sorted, because a set's order changes from run to run and the partial index's migration must not.
SECTOR_PENDING = Q(sector_confirmation_pending=True) & ~Q(status__in=sorted(FINAL_STATUSES))
EXCLUSION_PENDING = Q(exclusion_pending=True)
EXTENSION_PENDING = Q(extension_pending=True)
