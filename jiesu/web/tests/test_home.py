"""The home page shows each role its own queues (or totals), each a link to the filtered list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


def tile(text: str, queue: str) -> str:
    """The count shown in the tile that links to `queue`."""
    start = text.index(f"?queue={queue}")
    return text[start:].split('class="tile-count">', 1)[1].split("<", 1)[0]


@pytest.mark.django_db
def test_center_agents_see_their_six_queues_with_counts(login_as: LoginAs, world: World) -> None:
    new_ticket(world)
    new_ticket(world)
    ticket_in(world, TicketStatus.TRIAGED)
    ticket_in(world, TicketStatus.REPLIED)
    ticket_in(world, TicketStatus.CLOSED)
    late = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=1))
    text = page_text(login_as(world.agent).get("/"))
    for label in ("待签收", "待分拣/派单", "退单待审", "反馈待审核", "待回访", "已超期"):
        assert label in text
    assert tile(text, "received") == "2"
    assert tile(text, "to_dispatch") == "1"
    assert tile(text, "return_requested") == "0"
    assert tile(text, "replied") == "1"
    assert tile(text, "callback") == "1"
    assert tile(text, "overdue") == "1"


@pytest.mark.django_db
def test_unit_staff_see_what_was_dispatched_to_their_unit(login_as: LoginAs, world: World) -> None:
    ticket_in(world, TicketStatus.DISPATCHED)
    ticket_in(world, TicketStatus.HANDLING)
    ticket_in(world, TicketStatus.HANDLING)
    text = page_text(login_as(world.township_staff).get("/"))
    assert tile(text, "unit_received") == "1"
    assert tile(text, "unit_handling") == "2"
    assert tile(text, "overdue") == "0"
    assert "?queue=received" not in text  # the center's queue is not theirs
    other = page_text(login_as(world.other_staff).get("/"))
    assert tile(other, "unit_received") == "0" and tile(other, "unit_handling") == "0"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "analyst"])
def test_leaders_and_analysts_see_open_tickets_by_status(login_as: LoginAs, world: World, role: str) -> None:
    new_ticket(world)
    ticket_in(world, TicketStatus.HANDLING)
    ticket_in(world, TicketStatus.CLOSED)
    text = page_text(login_as(getattr(world, role)).get("/"))
    assert "在办工单（共 2 件）" in text
    assert "?status=received" in text and "?status=handling" in text
    assert "?status=closed" not in text  # history is the dashboard's
    assert "?queue=" not in text


@pytest.mark.django_db
def test_outsiders_see_no_work_and_a_hint(login_as: LoginAs, world: World) -> None:
    new_ticket(world)
    text = page_text(login_as(world.outsider).get("/"))
    assert "暂无待办事项" in text and "?queue=" not in text and "?status=" not in text


@pytest.mark.django_db
def test_a_queue_tile_leads_to_the_same_tickets_in_the_list(login_as: LoginAs, world: World) -> None:
    waiting = new_ticket(world, "等待签收的工单")
    ticket_in(world, TicketStatus.TRIAGED)
    text = page_text(login_as(world.agent).get("/tickets/?queue=received"))
    assert "待签收" in text and waiting.number in text and "共 1 件" in text
