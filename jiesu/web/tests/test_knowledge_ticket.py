"""The 知识推荐 panel of the ticket page: loaded by htmx, it offers the matching policy, the
standard answer (with its wording on the 插入答复 button), the responsible unit and similar
closed tickets; the dispatch form gets the responsible unit as a suggestion."""

from __future__ import annotations

import html as html_lib

import pytest

from jiesu.knowledge.choices import Library
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import ticket_actions_for
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.knowledge_support import HEATING_ANSWER, heating_answer, published
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


def _knowledge(world: World) -> dict[str, int]:
    policy = published(
        world,
        Library.POLICY,
        title="供暖期暖气室温标准规定",
        issuing_body="市城市管理委员会",
        body="供暖期内居室温度不得低于十八度，暖气不热的由供热单位上门检修。",
    )
    responsibility = published(
        world,
        Library.RESPONSIBILITY,
        title="供热质量与暖气不热投诉处理",
        unit=world.district,
        legal_basis="《供热采暖管理办法》第十二条",
        body="暖气不热、室温不达标由区供热主管部门督促供热单位处理。",
    )
    return {"policy": policy.pk, "answer": heating_answer(world).pk, "responsibility": responsibility.pk}


def test_the_ticket_page_loads_the_panel_lazily(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    html = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert f'hx-get="/tickets/{ticket.number}/knowledge/"' in html
    assert 'hx-trigger="load"' in html and "web/knowledge.js" in html


def test_the_panel_offers_policy_answer_unit_and_similar_tickets(login_as: LoginAs, world: World) -> None:
    ids = _knowledge(world)
    closed = ticket_in(world, TicketStatus.CLOSED)
    ticket = new_ticket(world)
    response = login_as(world.agent).get(f"/tickets/{ticket.number}/knowledge/")
    html = page_text(response)
    assert response.status_code == 200
    assert f'href="/knowledge/{ids["policy"]}/"' in html
    assert f'href="/knowledge/{ids["answer"]}/"' in html
    assert f'href="/knowledge/{ids["responsibility"]}/"' in html and "朝阳区" in html
    assert f'data-answer="{html_lib.escape(HEATING_ANSWER)}"' in html
    assert ">插入答复</button>" in html
    assert f'href="/tickets/{closed.number}/"' in html
    assert closed.reply_text and closed.reply_text[:10] in html


def test_the_dispatch_form_gets_the_responsible_unit(login_as: LoginAs, world: World) -> None:
    _knowledge(world)
    ticket = next(
        t
        for t in (
            new_ticket(world),
            ticket_in(world, TicketStatus.ACKNOWLEDGED),
            ticket_in(world, TicketStatus.TRIAGED),
        )
        if "dispatched" in ticket_actions_for(ticket=t, viewer=world.agent)
    )
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert 'id="knowledge-units-dispatched"' in page
    panel = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/knowledge/"))
    assert 'id="knowledge-units-dispatched" hx-swap-oob="true"' in panel
    assert f'data-unit-id="{world.district.pk}"' in panel and 'data-event="dispatched"' in panel


def test_nothing_found_says_so(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world, title="路灯不亮", content="东门两盏路灯不亮")
    html = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/knowledge/"))
    assert "没有找到与本工单相关的知识条目" in html


def test_the_panel_follows_the_ticket_scope(login_as: LoginAs, world: World) -> None:
    ticket = new_ticket(world)
    assert login_as(world.other_staff).get(f"/tickets/{ticket.number}/knowledge/").status_code == 404
    assert Ticket.objects.filter(pk=ticket.pk).exists()
