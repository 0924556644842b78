"""The reply-check section of the ticket page: highlights per element, the legend, what the text and
the ticked elements disagree on, and who sees it."""

from __future__ import annotations

import re

import pytest

from jiesu.intel.tests.test_reply_check import ALL_SIX, default_scheme, replied_ticket
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.services import handling
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db
REPLY = "我局已于5月3日派员到现场核查，路灯已修复。<b>谢谢</b>"


def _section(login_as: LoginAs, user: object, number: str) -> str:
    response = login_as(user).get(f"/tickets/{number}/reply-check/")  # type: ignore[arg-type]
    assert response.status_code == 200
    return page_text(response)


def test_the_review_page_loads_the_section_and_it_highlights_each_element(login_as: LoginAs, world: World) -> None:
    default_scheme()
    ticket = replied_ticket(world, REPLY, ticked=ALL_SIX)
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert f'hx-get="/tickets/{ticket.number}/reply-check/"' in page
    html = _section(login_as, world.agent, ticket.number)
    assert '<mark class="el-handler el-c1" title="办理人">我局' in html
    assert re.search(r'<mark class="el-handled_at el-c0"[^>]*>于5月3日</mark>', html)
    assert 'class="el-handled_at el-c0 el-process el-c2" title="办理时间、办理过程"' in html
    assert 'class="el-result el-c3"' in html
    assert "已勾选但文本中未识别到的必备要素：依据、联系诉求人情况" in html
    assert "&lt;b&gt;谢谢&lt;/b&gt;" in html and "<b>" not in html
    assert "style=" not in html and "<script" not in html
    assert "/static/web/intel-reply-check.css" in html


def test_elements_found_but_not_ticked_are_listed(login_as: LoginAs, world: World) -> None:
    default_scheme()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    text = "我局已于5月3日派员到现场核查，路灯已修复。根据《城市照明管理规定》第十条办理。已电话联系您。"
    handling.ticket_reply(ticket=ticket, actor=world.township_staff, text=text, elements=ALL_SIX)
    handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
    html = _section(login_as, world.township_staff, ticket.number)  # closed: the reply history
    assert "已勾选但文本中未识别到" not in html
    assert "文本中识别到但未勾选" not in html
    assert html.count("已识别") == 6


def test_the_section_shows_only_to_the_center_and_the_replying_unit(login_as: LoginAs, world: World) -> None:
    ticket = replied_ticket(world, REPLY, ticked=[])  # no scheme in force: the built-in default is used
    assert "反馈要素检查" in _section(login_as, world.township_staff, ticket.number)
    assert "文本中识别到但未勾选的要素：办理时间、办理人、办理过程、办理结果" in _section(
        login_as, world.leader, ticket.number
    )
    # The district above the township may read the ticket but did not write the reply.
    assert _section(login_as, world.district_staff, ticket.number) == ""
    assert login_as(world.other_staff).get(f"/tickets/{ticket.number}/reply-check/").status_code == 404


def test_a_ticket_still_in_handling_has_no_section(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    page = page_text(login_as(world.agent).get(f"/tickets/{ticket.number}/"))
    assert "reply-check" not in page
    assert _section(login_as, world.agent, ticket.number) == ""
