"""A shared set of due and overdue tickets for the tests of the due lists (web and API)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

DAY = timedelta(days=1)


def handled_elsewhere(world: World) -> Ticket:
    """A ticket in the hands of the other township (only its reply is still open)."""
    ticket = new_ticket(world, "路灯不亮", district=world.other_district, township=world.other_township)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_triage(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.other_township)
    dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.other_staff)
    return ticket


def due_tickets(world: World) -> dict[str, Ticket]:
    """The township's tickets due soon, overdue and far off, and one overdue in the other township."""
    made = {name: ticket_in(world, TicketStatus.HANDLING) for name in ("soon", "overdue", "later")}
    made["elsewhere"] = handled_elsewhere(world)
    now = timezone.now()
    dues = {"soon": now + DAY, "overdue": now - DAY, "later": now + 5 * DAY, "elsewhere": now - 2 * DAY}
    for name, due in dues.items():
        Ticket.objects.filter(pk=made[name].pk).update(reply_due_at=due)
    return made
