"""The 重复诉求 panel of the ticket page: links both ways within the viewer's scope, and the center
operators' 并单 and 不是重复."""

from __future__ import annotations

import pytest

from jiesu.intel.choices import LinkStatus
from jiesu.intel.duplicates.screen import duplicates_screen
from jiesu.intel.models import TicketLink
from jiesu.intel.tests.duplicates_support import ticket
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
PHONE = "13800003333"


def _pair(world: World, **elsewhere: object) -> tuple[Ticket, Ticket, TicketLink]:
    """Two tickets of one phone; the second in another place when `elsewhere` says so."""
    first = ticket(world, requester_phone=PHONE, title="楼道灯坏了", content="三号楼楼道灯坏了一个月")
    second = ticket(world, days=1, requester_phone=PHONE, title="楼道灯还是坏的", content="楼道灯仍然不亮", **elsewhere)
    (link,) = duplicates_screen(second)
    return first, second, link


def test_the_ticket_page_loads_the_panel_lazily(login_as: LoginAs, world: World) -> None:
    first, _, _ = _pair(world)
    html = page_text(login_as(world.agent).get(f"/tickets/{first.number}/"))
    assert f'hx-get="/tickets/{first.number}/links/"' in html


def test_the_panel_shows_links_both_ways_with_the_operator_buttons(login_as: LoginAs, world: World) -> None:
    first, second, link = _pair(world)
    client = login_as(world.agent)
    later = page_text(client.get(f"/tickets/{second.number}/links/"))
    assert "本单重复了" in later and first.number in later and "同一诉求人重复来电" in later
    assert f'action="/intel/links/{link.pk}/merge"' in later and "不是重复" in later
    earlier = page_text(client.get(f"/tickets/{first.number}/links/"))
    assert "被其重复" in earlier and second.number in earlier
    analyst = page_text(login_as(world.analyst).get(f"/tickets/{first.number}/links/"))
    assert second.number in analyst and "不是重复" not in analyst


def test_links_to_tickets_outside_the_scope_are_never_shown(login_as: LoginAs, world: World) -> None:
    first, second, _ = _pair(world, district=world.other_district, township=world.other_township)
    dispatch.ticket_acknowledge(ticket=first, actor=world.agent)
    dispatch.ticket_dispatch(ticket=first, actor=world.agent, lead_unit=world.township)
    html = page_text(login_as(world.township_staff).get(f"/tickets/{first.number}/links/"))
    assert second.number not in html and "未发现" in html
    assert login_as(world.township_staff).get(f"/tickets/{second.number}/links/").status_code == 404
    assert login_as(world.outsider).get(f"/tickets/{first.number}/links/").status_code == 404


def test_not_a_repeat_records_who_and_when(login_as: LoginAs, world: World) -> None:
    first, _, link = _pair(world)
    client = login_as(world.agent)
    response = client.post(f"/intel/links/{link.pk}/dismiss", {"shown": first.number}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已排除" in page_text(response) and "agent" in page_text(response)
    link.refresh_from_db()
    assert link.status == LinkStatus.DISMISSED and link.decided_by == world.agent and link.decided_at is not None
    again = client.post(f"/intel/links/{link.pk}/dismiss", {"shown": first.number})
    assert again.status_code == 302


def test_only_center_operators_decide(login_as: LoginAs, world: World) -> None:
    first, _, link = _pair(world)
    response = login_as(world.analyst).post(
        f"/intel/links/{link.pk}/dismiss", {"shown": first.number}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.status == LinkStatus.OPEN


def test_merge_merges_the_later_ticket_into_the_earlier(login_as: LoginAs, world: World) -> None:
    first, second, link = _pair(world)
    response = login_as(world.agent).post(f"/intel/links/{link.pk}/merge", {"shown": second.number})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{second.number}/"
    merged = Ticket.objects.get(pk=second.pk)
    assert merged.status == TicketStatus.MERGED and merged.merged_into_id == first.pk
    link.refresh_from_db()
    assert link.status == LinkStatus.MERGED and link.decided_by == world.agent
