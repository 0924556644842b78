from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, SectorAnswer, TicketStatus
from jiesu.tickets.jobs import sector_confirmations_auto_confirm
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.assessment import ticket_sector_confirm, ticket_sector_push
from jiesu.tickets.tests.helpers import ticket_in


@pytest.mark.django_db
def test_overdue_sector_confirmations_are_confirmed_yes_automatically(world: World) -> None:
    overdue, answered, open_ = (ticket_in(world, TicketStatus.HANDLING) for _ in range(3))
    for ticket in (overdue, answered, open_):
        ticket_sector_push(ticket=ticket, actor=world.agent)
    answered.refresh_from_db()
    ticket_sector_confirm(ticket=answered, actor=world.township_staff, answer=SectorAnswer.NO)
    now = timezone.now()
    Ticket.objects.filter(pk__in=[overdue.pk, answered.pk]).update(sector_confirmation_due_at=now - timedelta(hours=1))
    Ticket.objects.filter(pk=open_.pk).update(sector_confirmation_due_at=now + timedelta(days=3))

    assert sector_confirmations_auto_confirm(now) == 1
    assert sector_confirmations_auto_confirm(now) == 0  # idempotent

    overdue.refresh_from_db()
    answered.refresh_from_db()
    open_.refresh_from_db()
    assert (overdue.sector_answer, overdue.sector_confirmation_pending) == (SectorAnswer.YES, False)
    assert answered.sector_answer == SectorAnswer.NO
    assert open_.sector_confirmation_pending
    event = overdue.events.get(kind=EventKind.SECTOR_CONFIRMED)
    assert event.actor is None and event.payload["automatic"] is True
