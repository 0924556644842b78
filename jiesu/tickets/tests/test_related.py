"""Related tickets: same requester (scope and confidentiality as the phone search), same address,
possible duplicates."""

from datetime import timedelta

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_related import address_normalise, tickets_related
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db


def _dispatched_to_township(world: World, ticket: Ticket) -> Ticket:
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    return Ticket.objects.get(pk=ticket.pk)


def test_addresses_compare_without_spaces_punctuation_width_or_city_prefix() -> None:
    assert address_normalise("北京市 朝阳区望京西园（3号楼）") == address_normalise("朝阳区望京西园3号楼")


def test_the_same_requester_is_found_by_phone_but_never_a_confidential_one_by_a_unit(world: World) -> None:
    first = new_ticket(world, "噪音扰民", requester_phone="13900001111")
    secret = new_ticket(world, "举报违建", requester_phone="139-0000-1111", requester_confidential=True)
    other = new_ticket(world, "路灯不亮", requester_phone="13900002222")
    current = new_ticket(world, "又有噪音", requester_phone="13900001111")
    agent_view = tickets_related(ticket=current, viewer=world.agent)
    assert [t.pk for t in agent_view.same_requester] == [secret.pk, first.pk]
    assert other not in agent_view.same_requester
    for t in (first, secret, current):
        _dispatched_to_township(world, t)
    unit_view = tickets_related(ticket=current, viewer=world.township_staff)
    assert [t.pk for t in unit_view.same_requester] == [first.pk]
    # A unit looking at the confidential ticket learns nothing about the requester's other tickets.
    assert tickets_related(ticket=Ticket.objects.get(pk=secret.pk), viewer=world.township_staff).same_requester == []
    assert tickets_related(ticket=current, viewer=world.other_staff).same_requester == []


def test_the_same_address_and_possible_duplicates_are_listed_newest_first(world: World) -> None:
    older = new_ticket(world, "小区暖气不热", address="北京市朝阳区望京西园3号楼")
    newer = new_ticket(world, "暖气不热", address="朝阳区 望京西园 3号楼")
    elsewhere = new_ticket(world, "道路破损", content="路面坑洼", address="朝阳区酒仙桥路1号")
    current = new_ticket(world, "小区暖气不热", address="朝阳区望京西园3号楼")
    related = tickets_related(ticket=current, viewer=world.agent)
    assert [t.pk for t in related.same_address] == [newer.pk, older.pk]
    assert older in related.possible_duplicates and elsewhere not in related.possible_duplicates
    Ticket.objects.filter(pk=older.pk).update(received_at=current.received_at - timedelta(days=40))
    assert older not in tickets_related(ticket=current, viewer=world.agent).possible_duplicates


def test_related_tickets_stay_within_the_viewer_scope(world: World) -> None:
    same = {"address": "朝阳区望京西园3号楼", "requester_phone": "13900003333"}
    other = new_ticket(world, "小区暖气不热", **same)  # still at the center: no unit sees it
    current = new_ticket(world, "小区暖气不热", **same)
    dispatch.ticket_acknowledge(ticket=current, actor=world.agent)
    dispatch.ticket_dispatch(ticket=current, actor=world.agent, lead_unit=world.office)
    # The center sees the other ticket as related in every way ...
    center_view = tickets_related(ticket=current, viewer=world.agent)
    assert [center_view.same_requester, center_view.same_address, center_view.possible_duplicates] == [[other]] * 3
    # ... the office leading the current ticket sees it, but not the other one, nor it as related.
    visible = tickets_visible_to(viewer=world.office_staff)
    assert visible.filter(pk=current.pk).exists() and not visible.filter(pk=other.pk).exists()
    assert tickets_related(ticket=current, viewer=world.office_staff).is_empty
