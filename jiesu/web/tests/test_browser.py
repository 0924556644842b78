"""End to end in headless Debian Chromium: log in, find a ticket, acknowledge and dispatch it.

Runs against pytest-django's live server; the page must load nothing from outside localhost and
log no console errors (no CDN, vendored htmx, no missing static files, and no Content-Security-Policy
violation: Chromium reports each one as a console error). Swagger UI at /api/docs too.
"""

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jiesu.orgs.testing import PASSWORD, World
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.intake import TicketDraft, ticket_create
from jiesu.web.tests.browser_support import Watch, browser, live_world

__all__ = ["Watch", "browser", "live_world"]  # fixtures used by name below; Watch for older imports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_agent_finds_acknowledges_and_dispatches_a_ticket(
    live_server: Any, browser: Browser, live_world: World
) -> None:
    draft = TicketDraft(
        title="望京西园路灯不亮",
        content="东门两盏路灯晚上不亮",
        requester_phone="13812341234",
        district=live_world.district,
        township=live_world.township,
    )
    ticket = ticket_create(draft=draft, actor=live_world.agent)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    watch = Watch(page)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    expect(page.locator(".who")).to_contain_text("民政热线分中心")
    expect(page.locator(".who")).to_contain_text("坐席")

    page.get_by_role("link", name="工单列表").click()
    page.get_by_label("关键词").fill("路灯")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("table.tickets")).to_contain_text("138****1234")
    page.get_by_role("link", name=ticket.number).click()
    expect(page.locator("#ticket-status")).to_have_text("已受理")

    page.locator("#action-acknowledged").get_by_role("button", name="签收").click()
    expect(page.locator(".messages")).to_contain_text("已完成「签收」")
    expect(page.locator("#ticket-status")).to_have_text("已签收")

    dispatch = page.locator("#action-dispatched")
    dispatch.locator("summary").click()
    dispatch.get_by_label("主办单位", exact=True).select_option(label="望京街道")
    dispatch.get_by_label("派单说明").fill("请属地街道核实处理")
    dispatch.get_by_role("button", name="提交「派单」").click()
    expect(page.locator("#ticket-status")).to_have_text("已派单待签收")
    expect(page.locator("table.timeline")).to_contain_text("主办单位：望京街道")

    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    context.close()
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == "dispatched" and stored.lead_unit == live_world.township
    assert watch.errors == []
    assert watch.foreign == []
    assert any(url.endswith("/static/django_htmx/htmx-2.min.js") for url in watch.local)  # served locally
