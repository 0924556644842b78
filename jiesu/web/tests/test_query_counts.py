"""Pages must not run one query per row: the count stays flat as the data grows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.services import dispatch
from jiesu.tickets.services.handling import ticket_contact
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs


def queries(client, url: str) -> int:
    # The first request of a process builds the shared unit and category choices
    # (jiesu.web.forms.base); every later one only checks that they are current.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_list_runs_the_same_queries_for_3_or_12_tickets(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    for _ in range(3):
        ticket_in(world, TicketStatus.HANDLING)
    few = queries(client, "/tickets/")
    for _ in range(9):
        ticket_in(world, TicketStatus.HANDLING)
    assert queries(client, "/tickets/") == few


@pytest.mark.django_db
def test_the_detail_page_does_not_grow_with_the_timeline(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    ticket = new_ticket(world)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    before = queries(client, f"/tickets/{ticket.number}/")
    for note in ("联系不上", "再次联系", "第三次联系"):
        ticket_contact(ticket=ticket, actor=world.agent, reached=False, note=note)
    assert queries(client, f"/tickets/{ticket.number}/") == before
