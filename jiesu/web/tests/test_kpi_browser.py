"""The KPI pages in headless Chromium: reached from the navigation, charts drawn by web/kpi.js under
the strict CSP, a number followed to its tickets, no console error, no foreign request, and no
serious accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.testing import World
from jiesu.web.tests.browser_support import Watch, axe_check, browser, live_world, login, new_context

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_leader_reads_the_kpis_and_follows_a_number(live_server: Any, browser: Browser, live_world: World) -> None:
    build_march_ledger(live_world)
    page = new_context(browser).new_page()
    watch = Watch(page)
    login(page, live_server.url, "leader")
    page.get_by_role("link", name="考核指标").first.click()
    expect(page.locator("h1")).to_have_text("考核指标")

    page.get_by_label("开始日期").fill("2024-03-01")
    page.get_by_label("结束日期").fill("2024-03-31")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#kpi-score")).to_contain_text("68.67")
    axe_check(page)

    page.get_by_role("navigation", name="考核指标").get_by_role("link", name="趋势").click()
    expect(page.locator("h1")).to_have_text("指标趋势")
    expect(page.locator("#kpi-chart canvas")).to_have_count(1)

    page.get_by_role("navigation", name="考核指标").get_by_role("link", name="分布").click()
    expect(page.locator("#kpi-chart canvas")).to_have_count(1)
    axe_check(page)

    # 解决率's denominator on the overview: the valid callbacks of fully assessed tickets.
    page.get_by_role("navigation", name="考核指标").get_by_role("link", name="总览").click()
    page.locator("#kpi-indicators tr", has_text="解决率").locator("td").nth(2).get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("解决率 · 分母的工单")
    expect(page.locator("#kpi-drill-count")).to_have_text("共 3 件")
    expect(page.locator("table.tickets tbody tr")).to_have_count(3)
    watch.assert_clean()
