"""The knowledge base in headless Debian Chromium: an agent searches, opens a hit, goes to a
ticket, and one click on 插入答复 puts the standard answer's wording into the reply box.

Every page is screenshotted and checked with axe-core; no console error, nothing from another host.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.web.tests.browser_support import Watch, axe_check, browser, live_world, login, new_context, shot
from jiesu.web.tests.knowledge_support import HEATING_ANSWER, heating_answer, heating_policy

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_finds_an_answer_and_inserts_it_into_the_reply(
    live_server: Any, browser: Browser, live_world: World
) -> None:
    heating_policy(live_world)
    answer = heating_answer(live_world)
    ticket = ticket_in(live_world, TicketStatus.ACKNOWLEDGED)  # the agent may answer it directly (自办)
    context = new_context(browser)
    page = context.new_page()
    watch = Watch(page)
    login(page, live_server.url, "agent")

    page.get_by_role("link", name="知识库").click()
    page.get_by_label("搜索").fill("暖气不热")
    page.get_by_role("button", name="检索").click()
    hit = page.locator(".kb-hit a", has_text="暖气不热的答复口径")
    expect(hit).to_be_visible()
    expect(page.locator(".kb-hit mark").first).to_be_visible()
    shot(page, "search")
    axe_check(page)

    hit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(answer.title)
    expect(page.locator("dl.facts")).to_contain_text(HEATING_ANSWER)
    shot(page, "entry")
    axe_check(page)

    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    insert = page.locator(".knowledge-panel button", has_text="插入答复").first
    expect(insert).to_be_visible()  # the panel arrived through htmx
    insert.click()
    reply = page.locator('textarea[name="self_handled-text"]')
    expect(reply).to_be_visible()
    expect(reply).to_have_value(HEATING_ANSWER)
    expect(page.locator(".knowledge-status")).to_contain_text("已将「暖气不热的答复口径」的答复口径插入答复框")
    shot(page, "ticket-inserted")
    axe_check(page)

    context.close()
    watch.assert_clean()
