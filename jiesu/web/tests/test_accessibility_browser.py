"""Accessibility basics in headless Chromium: axe-core (WCAG 2 A/AA: labels, names, contrast, …)
on the pages each role works in, and keyboard focus order on the login and ticket pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jiesu.orgs.testing import World
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.browser_support import (
    Watch,
    axe_check,
    browser,
    check_focus_order,
    live_world,
    login,
    new_context,
    shot,
)

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOME_USERS = ("agent", "lead", "callback", "township_staff", "leader")


def _open_all_details(page: Page) -> None:
    # Opened by script, not by click, so that focus stays at the top of the page.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_the_login_page_is_accessible_and_tabs_in_order(live_server: Any, browser: Browser, live_world: World) -> None:
    page = new_context(browser).new_page()
    watch = Watch(page)
    page.goto(f"{live_server.url}/login/")
    # The username field takes focus on load; Tab goes on in DOM order and wraps to the skip link.
    assert page.evaluate("document.activeElement.name") == "username"
    check_focus_order(page, steps=5)
    axe_check(page)
    shot(page, "login")
    # A failed login shows the error; the page must stay accessible with it.
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".form-errors, .error").first).to_be_visible()
    axe_check(page)
    shot(page, "login-error")
    watch.assert_clean()


@pytest.mark.parametrize("username", HOME_USERS)
def test_each_role_home_page_is_accessible(
    live_server: Any, browser: Browser, live_world: World, username: str
) -> None:
    ticket = new_ticket(live_world, "望京西园路灯不亮")
    page = new_context(browser).new_page()
    watch = Watch(page)
    login(page, live_server.url, username)
    axe_check(page)
    shot(page, f"home-{username}")
    if username == "leader":  # read-only entry: the dashboard and a ticket in scope
        page.get_by_role("link", name="数据看板").first.click()
        expect(page.locator("#chart-daily canvas")).to_have_count(1)
        axe_check(page)
        shot(page, "dashboard")
        page.goto(f"{live_server.url}/tickets/{ticket.number}/")
        axe_check(page)
    page.get_by_role("link", name="工单列表").click()
    axe_check(page)
    watch.assert_clean()


def test_the_ticket_list_with_filters_is_accessible(live_server: Any, browser: Browser, live_world: World) -> None:
    new_ticket(live_world, "望京西园路灯不亮")
    new_ticket(live_world, "小区暖气不热")
    page = new_context(browser).new_page()
    watch = Watch(page)
    login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/tickets/?q=路灯&status=received&order=-received")
    expect(page.locator("table.tickets tbody tr")).to_have_count(1)
    axe_check(page)
    shot(page, "list-filtered")
    page.goto(f"{live_server.url}/tickets/?q=没有这样的工单")
    axe_check(page)
    watch.assert_clean()


@pytest.mark.parametrize("username", ["agent", "lead", "township_staff", "callback"])
def test_the_ticket_page_with_its_forms_open_is_accessible_and_tabs_in_order(
    live_server: Any, browser: Browser, live_world: World, username: str
) -> None:
    status = {"agent": "acknowledged", "lead": "handling", "township_staff": "handling", "callback": "closed"}
    ticket = ticket_in(live_world, status[username])
    page = new_context(browser).new_page()
    watch = Watch(page)
    login(page, live_server.url, username)
    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    _open_all_details(page)
    check_focus_order(page, steps=60)  # through every opened action form
    axe_check(page)
    shot(page, f"detail-{username}")
    watch.assert_clean()
