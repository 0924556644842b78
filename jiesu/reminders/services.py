"""Writes: fire one occurrence of a ladder step for one ticket."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from jiesu.notify.services import notification_enqueue
from jiesu.reminders.messages import reminder_text, ticket_link
from jiesu.reminders.models import ReminderFiring, ReminderStep
from jiesu.reminders.recipients import RecipientResolver
from jiesu.reminders.stages import STAGES
from jiesu.tickets.choices import Urgency
from jiesu.tickets.models import Ticket

log = logging.getLogger("jiesu.reminders")


def step_occurrence(step: ReminderStep, *, due: datetime, now: datetime) -> tuple[int, datetime]:
    """(occurrence number, its scheduled moment) of the latest occurrence at `now`. Missed
    occurrences (a worker that was down) are not made up: only the latest one is sent."""
    first = due + timedelta(minutes=step.offset_minutes)
    if not step.repeat_every_minutes or now <= first:
        return 0, first
    every = timedelta(minutes=step.repeat_every_minutes)
    occurrence = (now - first) // every
    return occurrence, first + occurrence * every


def _still_open(step: ReminderStep, ticket: Ticket, due: datetime) -> bool:
    spec = STAGES[step.stage]
    return Ticket.objects.filter(spec.open, pk=ticket.pk, **{spec.due_field: due}).exists()


@transaction.atomic
def reminder_fire(
    *, step: ReminderStep, ticket: Ticket, now: datetime, resolver: RecipientResolver | None = None
) -> ReminderFiring | None:
    """Record the current occurrence of `step` for `ticket` and enqueue its messages, in one
    transaction. None when it fired before (another worker, an earlier run) or the stage moved on."""
    due = getattr(ticket, STAGES[step.stage].due_field)
    if due is None or not _still_open(step, ticket, due):
        return None
    occurrence, scheduled = step_occurrence(step, due=due, now=now)
    try:
        with transaction.atomic():
            firing = ReminderFiring.objects.create(
                step=step, ticket=ticket, due_at=due, occurrence=occurrence, scheduled_at=scheduled, fired_at=now
            )
    except IntegrityError:
        return None
    recipients = (resolver or RecipientResolver()).users(step.recipient_role, ticket)
    if not recipients:
        log.warning("reminder step %s for ticket %s reaches nobody (%s)", step.pk, ticket.number, step.recipient_role)
    subject, body = reminder_text(step=step, ticket=ticket, due=due, now=now)
    notification_enqueue(
        recipients=recipients,
        subject=subject,
        body=body,
        link=ticket_link(ticket),
        urgent=step.urgent or ticket.urgency == Urgency.URGENT,
        dedupe_key=firing.dedupe_key,
        channels=list(step.channels),
        now=now,
    )
    firing.recipient_count = len(recipients)
    firing.save(update_fields=["recipient_count"])
    return firing
