"""The reminder ladder job run by `jiesu worker` (see settings.WORKER_JOBS).

All state is in the database (ReminderFiring), so a restart neither loses nor repeats a
reminder, and two workers racing for the same occurrence produce one set of messages.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from jiesu.reminders.models import ReminderStep
from jiesu.reminders.recipients import RecipientResolver
from jiesu.reminders.selectors import tickets_awaiting_step
from jiesu.reminders.services import reminder_fire
from jiesu.reminders.stages import STAGES
from jiesu.sla.selectors import rule_set_effective_on
from jiesu.tickets.models import Ticket

BATCH_PER_STEP = 500


class RuleSetOfTicket:
    """The rule set that timed a ticket's stage: the one in force on the day the stage started
    (as jiesu.sla does when it computes the deadline)."""

    def __init__(self) -> None:
        self._by_day: dict[date, int | None] = {}

    def pk_for(self, ticket: Ticket, stage: str) -> int | None:
        start = getattr(ticket, STAGES[stage].start_field) or ticket.received_at
        day = timezone.localtime(start).date()
        if day not in self._by_day:
            rule_set = rule_set_effective_on(day)
            self._by_day[day] = rule_set.pk if rule_set else None
        return self._by_day[day]


def reminders_run(now: datetime) -> int:
    """Fire every ladder step whose moment has come; returns the number of reminders fired."""
    resolver, rule_sets = RecipientResolver(), RuleSetOfTicket()
    fired = 0
    steps = (
        ReminderStep.objects.filter(is_active=True, rule_set__is_active=True)
        .select_related("rule_set")
        .order_by("offset_minutes", "id")
    )
    for step in steps:
        for ticket in tickets_awaiting_step(step, now)[:BATCH_PER_STEP]:
            if rule_sets.pk_for(ticket, step.stage) != step.rule_set_id:
                continue
            if reminder_fire(step=step, ticket=ticket, now=now, resolver=resolver) is not None:
                fired += 1
    return fired
