"""The dashboard in headless Chromium: ECharts draws both charts under the strict CSP, with no
console error and no request leaving the server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jiesu.orgs.testing import PASSWORD, World
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.web.tests.test_browser import Watch, browser, live_world

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_leader_sees_the_charts_drawn(live_server: Any, browser: Browser, live_world: World) -> None:
    new_ticket(live_world)
    new_ticket(live_world, "第二件工单")
    page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    watch = Watch(page)
    page.goto(f"{live_server.url}/login/?next=/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("密码").press("Enter")
    page.get_by_role("link", name="数据看板").first.click()
    expect(page.locator("h1")).to_have_text("数据看板")
    expect(page.locator("#chart-daily canvas")).to_have_count(1)
    expect(page.locator("#chart-status canvas")).to_have_count(1)
    assert page.locator("#open-total").inner_text() == "2"
    assert watch.errors == [] and watch.foreign == []
