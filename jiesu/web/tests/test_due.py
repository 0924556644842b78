"""'Due soon' and 'overdue' (any stage) on the home page and in their lists, within the viewer's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.reminders.testing import DAY, due_tickets
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


@pytest.fixture
def tickets(world: World) -> dict[str, Ticket]:
    return due_tickets(world)


def due_tile(text: str, kind: str) -> str:
    start = text.index(f"/tickets/due/?kind={kind}")
    return text[start:].split('class="tile-count">', 1)[1].split("<", 1)[0]


def listed(client: Client, query: str) -> str:
    response = client.get(f"/tickets/due/?{query}")
    assert response.status_code == 200
    return page_text(response)


@pytest.mark.django_db
def test_the_home_page_counts_what_is_due_soon_and_overdue(
    login_as: LoginAs, world: World, tickets: dict[str, Ticket]
) -> None:
    center = page_text(login_as(world.agent).get("/"))
    assert "即将到期" in center and "各环节超期" in center
    assert due_tile(center, "soon") == "1"
    assert due_tile(center, "overdue") == "2"
    township = page_text(login_as(world.township_staff).get("/"))
    assert (due_tile(township, "soon"), due_tile(township, "overdue")) == ("1", "1")
    other = page_text(login_as(world.other_staff).get("/"))
    assert (due_tile(other, "soon"), due_tile(other, "overdue")) == ("0", "1")


@pytest.mark.django_db
def test_users_who_see_no_tickets_get_no_due_tiles(login_as: LoginAs, world: World) -> None:
    text = page_text(login_as(world.outsider).get("/"))
    assert "/tickets/due/" not in text
    assert "暂无待办事项" in text


@pytest.mark.django_db
def test_unit_staff_see_only_their_units_tickets(login_as: LoginAs, world: World, tickets: dict[str, Ticket]) -> None:
    township = listed(login_as(world.township_staff), "kind=overdue")
    assert tickets["overdue"].number in township and tickets["elsewhere"].number not in township
    other = listed(login_as(world.other_staff), "kind=overdue")
    assert tickets["elsewhere"].number in other and tickets["overdue"].number not in other
    soon = listed(login_as(world.township_staff), "kind=soon")
    assert tickets["soon"].number in soon
    assert tickets["later"].number not in soon and tickets["overdue"].number not in soon


@pytest.mark.django_db
def test_the_list_shows_the_stage_and_deadline_longest_overdue_first(
    login_as: LoginAs, world: World, tickets: dict[str, Ticket]
) -> None:
    text = listed(login_as(world.agent), "kind=overdue")
    assert "共 2 件" in text and "各环节超期" in text
    assert text.index(tickets["elsewhere"].number) < text.index(tickets["overdue"].number)
    assert '<td class="due-stage">反馈</td>' in text
    due = timezone.localtime(Ticket.objects.get(pk=tickets["overdue"].pk).reply_due_at)
    assert f"{due:%Y-%m-%d %H:%M}" in text
    assert "<small>超期 1天</small>" in text


@pytest.mark.django_db
def test_the_list_can_be_narrowed_to_a_unit(login_as: LoginAs, world: World, tickets: dict[str, Ticket]) -> None:
    text = listed(login_as(world.agent), f"kind=overdue&unit={world.other_district.pk}")
    assert tickets["elsewhere"].number in text and tickets["overdue"].number not in text
    assert "海淀区" in text
    # A unit outside one's scope narrows to nothing, it never widens the scope.
    assert "共 0 件" in listed(login_as(world.township_staff), f"kind=overdue&unit={world.other_district.pk}")


@pytest.mark.django_db
def test_center_stages_count_for_the_center_only(login_as: LoginAs, world: World) -> None:
    waiting = ticket_in(world, TicketStatus.RECEIVED)
    Ticket.objects.filter(pk=waiting.pk).update(acknowledge_due_at=timezone.now() - timedelta(hours=1))
    text = listed(login_as(world.agent), "kind=overdue")
    assert waiting.number in text and '<td class="due-stage">签收</td>' in text
    assert waiting.number not in listed(login_as(world.district_staff), "kind=overdue")


@pytest.mark.django_db
def test_a_bad_kind_or_unit_is_404(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    assert client.get("/tickets/due/?kind=late").status_code == 404
    assert client.get("/tickets/due/?kind=soon&unit=999999").status_code == 404
    assert client.get("/tickets/due/?kind=soon&unit=abc").status_code == 404


@pytest.mark.django_db
def test_the_list_runs_the_same_queries_for_2_or_8_tickets(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tickets/due/?kind=overdue").status_code == 200
        return len(captured)

    def add(n: int) -> None:
        for _ in range(n):
            late = ticket_in(world, TicketStatus.HANDLING)
            Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - DAY)

    add(2)
    few = queries()
    add(6)
    assert queries() == few
