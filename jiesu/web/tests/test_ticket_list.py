"""The ticket list: data scope, filters, sorting, paging and masked personal data."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import Channel, Kind, TicketStatus, Urgency
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


@pytest.mark.django_db
def test_the_list_masks_the_requesters_phone_and_name(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world, requester_name="张三丰", requester_phone="13812341234")
    text = page_text(login_as(world.agent).get("/tickets/"))
    assert ticket.number in text
    assert "138****1234" in text and "张**" in text
    assert "13812341234" not in text and "张三丰" not in text


@pytest.mark.django_db
def test_each_user_lists_only_tickets_in_their_scope(login_as: LoginAs, world: World) -> None:
    ours = ticket_in(world, TicketStatus.HANDLING)
    theirs = new_ticket(world, "海淀的工单", district=world.other_district, township=world.other_township)
    agent = page_text(login_as(world.agent).get("/tickets/"))
    assert ours.number in agent and theirs.number in agent
    township = page_text(login_as(world.township_staff).get("/tickets/"))
    assert ours.number in township and theirs.number not in township
    other = page_text(login_as(world.other_staff).get("/tickets/"))
    assert ours.number not in other and theirs.number in other
    outsider = page_text(login_as(world.outsider).get("/tickets/"))
    assert "没有符合条件的工单" in outsider and ours.number not in outsider


@pytest.mark.django_db
def test_filters_narrow_the_list(login_as: LoginAs, world: World) -> None:
    heating = new_ticket(world, "暖气不热", kind=Kind.COMPLAINT, urgency=Urgency.URGENT, channel=Channel.WECHAT)
    noise = new_ticket(world, "夜间施工噪音", content="凌晨两点仍在施工", district=world.other_district)
    handling = ticket_in(world, TicketStatus.HANDLING)
    client = login_as(world.agent)

    def numbers(query: str) -> set[str]:
        text = page_text(client.get("/tickets/?" + query))
        return {t.number for t in (heating, noise, handling) if t.number in text}

    assert numbers("q=凌晨") == {noise.number}
    assert numbers("kind=complaint") == {heating.number}
    assert numbers("urgency=urgent&channel=wechat") == {heating.number}
    assert numbers("status=handling") == {handling.number}
    assert numbers(f"district={world.other_district.pk}") == {noise.number}
    assert numbers(f"lead_unit={world.township.pk}") == {handling.number}
    today = timezone.localdate().isoformat()
    assert numbers(f"received_from={today}&received_to={today}") == {heating.number, noise.number, handling.number}
    assert numbers("received_to=2000-01-01") == set()


@pytest.mark.django_db
def test_the_overdue_filter_shows_open_tickets_past_their_reply_deadline(login_as: LoginAs, world: World) -> None:
    late = ticket_in(world, TicketStatus.HANDLING)
    on_time = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=2))
    text = page_text(login_as(world.agent).get("/tickets/?overdue=on"))
    assert late.number in text and on_time.number not in text
    assert 'class="overdue"' in text


@pytest.mark.django_db
def test_the_list_sorts_by_received_time_or_deadline(login_as: LoginAs, world: World) -> None:
    first = ticket_in(world, TicketStatus.HANDLING)
    second = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=first.pk).update(reply_due_at=timezone.now() + timedelta(days=9))
    Ticket.objects.filter(pk=second.pk).update(reply_due_at=timezone.now() + timedelta(days=1))
    client = login_as(world.agent)

    def order(query: str) -> list[str]:
        text = page_text(client.get("/tickets/?" + query))
        return sorted((first.number, second.number), key=text.index)

    assert order("order=-received") == [second.number, first.number]
    assert order("order=received") == [first.number, second.number]
    assert order("order=deadline") == [second.number, first.number]


@pytest.mark.django_db
def test_the_list_pages_by_fifty(login_as: LoginAs, world: World) -> None:
    for i in range(51):
        new_ticket(world, f"工单{i}")
    client = login_as(world.agent)
    first = page_text(client.get("/tickets/"))
    assert "共 51 件" in first and "第 1 / 2 页" in first and "下一页" in first
    assert len(re.findall(r'href="/tickets/\d+/"', first)) == 50
    second = page_text(client.get("/tickets/?page=2"))
    assert "第 2 / 2 页" in second and "上一页" in second
    assert len(re.findall(r'href="/tickets/\d+/"', second)) == 1


@pytest.mark.django_db
def test_a_bad_filter_value_does_not_break_the_page(login_as: LoginAs, world: World) -> None:
    new_ticket(world)
    response = login_as(world.agent).get("/tickets/?district=abc&received_from=yesterday&order=x")
    assert response.status_code == 200
