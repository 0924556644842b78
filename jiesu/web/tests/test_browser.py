"""End to end in headless Debian Chromium: log in, find a ticket, acknowledge and dispatch it.

Runs against pytest-django's live server; the page must load nothing from outside localhost and
log no console errors (no CDN, vendored htmx, no missing static files, and no Content-Security-Policy
violation: Chromium reports each one as a console error). Swagger UI at /api/docs too.
"""

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from jiesu.orgs.testing import PASSWORD, World, build_world
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.intake import TicketDraft, ticket_create

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert os.path.exists(CHROMIUM), f"Debian Chromium is required at {CHROMIUM} (apt install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_world(django_db_serialized_rollback: None, transactional_db: None) -> World:
    return build_world()


class Watch:
    """Console errors and requests to hosts other than the live server."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.local: list[str] = []
        page.on("console", self.on_console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self.on_request)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)
        else:
            self.local.append(request.url)


def test_an_agent_finds_acknowledges_and_dispatches_a_ticket(live_server, browser: Browser, live_world: World) -> None:
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
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table.tickets")).to_contain_text("138****1234")
    page.get_by_role("link", name=ticket.number).click()
    expect(page.locator("#ticket-status")).to_have_text("已受理")

    page.locator("#action-acknowledged").get_by_role("button", name="签收").click()
    expect(page.locator(".messages")).to_contain_text("已完成「签收」")
    expect(page.locator("#ticket-status")).to_have_text("已签收")

    dispatch = page.locator("#action-dispatched")
    dispatch.locator("summary").click()
    dispatch.get_by_label("主办单位").select_option(label="望京街道")
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
