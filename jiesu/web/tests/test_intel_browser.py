"""Text intelligence in headless Debian Chromium: the panels of the ticket page arrive through htmx
and work with a real browser's JavaScript — "采用" fills the triage form, "不是重复" settles a link
in place, the lexicon's try box highlights hits — and each burst alert draws its chart.

Every page is screenshotted and checked with axe-core; no console error, nothing from another host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from jiesu.intel.choices import LinkStatus
from jiesu.intel.duplicates.screen import duplicates_screen
from jiesu.intel.sensitive.screen import sensitive_screen
from jiesu.intel.suggest.services import suggestions_train
from jiesu.intel.tests import duplicates_support
from jiesu.intel.tests.suggest_support import categories_make, history_make
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.tests.helpers import PATHS, new_ticket
from jiesu.web.tests.browser_support import Watch, axe_check, browser, live_world, login, new_context, shot
from jiesu.web.tests.test_intel_hotspots import an_alert

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page(browser: Browser, base_url: str, username: str) -> tuple[Page, Watch]:
    page = new_context(browser).new_page()
    watch = Watch(page)
    login(page, base_url, username)
    return page, watch


@pytest.mark.usefixtures("intel_model_root")
def test_an_agent_takes_the_suggested_category_and_kind_into_the_triage_form(
    live_server: Any, browser: Browser, live_world: World, tmp_path: Path
) -> None:
    categories = categories_make(tmp_path)
    history_make(live_world, categories)
    suggestions_train()
    ticket = new_ticket(live_world, "望京西园暖气不热", content="家里暖气片冰凉，室温只有十五度，请尽快处理")
    PATHS[TicketStatus.ACKNOWLEDGED](live_world, ticket)
    page, watch = _page(browser, live_server.url, "agent")

    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    panel = page.locator("#suggestions-panel")
    leaf = categories["室温不达标"]
    take_category = panel.locator(f'button.suggestion-apply[data-target="triaged-category"][data-value="{leaf.pk}"]')
    expect(take_category).to_be_visible()  # computed on first view, loaded by htmx
    take_category.click()
    expect(page.locator('select[name="triaged-category"]')).to_have_value(str(leaf.pk))
    expect(panel.locator(".suggestions-status")).to_contain_text("已填入")
    panel.locator('button.suggestion-apply[data-target="triaged-kind"][data-value="complaint"]').click()
    expect(page.locator('select[name="triaged-kind"]')).to_have_value("complaint")
    expect(page.locator('select[name="triaged-kind"]')).to_be_focused()
    shot(page, "suggestions-applied")
    axe_check(page)
    watch.assert_clean()


def test_an_agent_settles_a_repeat_as_not_a_repeat_without_leaving_the_ticket(
    live_server: Any, browser: Browser, live_world: World
) -> None:
    phone = "13800004444"
    first = duplicates_support.ticket(live_world, requester_phone=phone, title="楼道灯坏了", content="三号楼楼道灯坏了")
    second = duplicates_support.ticket(
        live_world, days=1, requester_phone=phone, title="楼道灯还是坏的", content="三号楼楼道灯仍然不亮"
    )
    (link,) = duplicates_screen(second)
    page, watch = _page(browser, live_server.url, "agent")

    page.goto(f"{live_server.url}/tickets/{second.number}/")
    panel = page.locator("#links-panel")
    expect(panel.get_by_role("link", name=first.number)).to_be_visible()
    expect(panel).to_contain_text("同一诉求人重复来电")
    shot(page, "links-open")
    axe_check(page)
    url = page.url
    panel.get_by_role("button", name="不是重复").click()
    expect(panel.get_by_role("button", name="不是重复")).to_have_count(0)  # swapped in place by htmx
    expect(panel.get_by_role("link", name=first.number)).to_be_visible()
    assert page.url == url
    link.refresh_from_db()
    assert link.status == LinkStatus.DISMISSED and link.decided_by_id == live_world.agent.pk
    shot(page, "links-dismissed")
    watch.assert_clean()


def test_sensitive_words_are_highlighted_on_the_ticket_and_in_the_try_box(
    live_server: Any, browser: Browser, live_world: World
) -> None:
    ticket = new_ticket(live_world, title="楼道电线裸露", content="物业一直不管，再不修就找记者曝光")
    sensitive_screen(ticket)
    page, watch = _page(browser, live_server.url, "lead")

    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    panel = page.locator("#sensitive-panel")
    expect(panel.locator("mark.sensitive-safety_hazard")).to_have_text("电线裸露")
    expect(panel.locator("mark.sensitive-public_opinion")).to_have_text(["找记者", "曝光"])
    shot(page, "ticket-sensitive")
    axe_check(page)

    page.goto(f"{live_server.url}/intel/lexicon/")
    page.get_by_role("textbox", name="试一试").fill("他说活着没意思，不想活了")
    page.get_by_role("button", name="检查").click()
    result = page.locator("#lexicon-try-result")
    expect(result.locator("mark", has_text="不想活了")).to_be_visible()
    assert page.url.endswith("/intel/lexicon/")  # answered in place, not by a new page
    shot(page, "lexicon-try")
    axe_check(page)
    watch.assert_clean()


def test_each_burst_alert_draws_its_chart_and_an_analyst_acknowledges_it(
    live_server: Any, browser: Browser, live_world: World, tmp_path: Path
) -> None:
    alert = an_alert(live_world, tmp_path)
    page, watch = _page(browser, live_server.url, "analyst")

    page.get_by_role("link", name="热点").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("热点")
    page.goto(f"{live_server.url}/intel/alerts/")
    chart = page.locator(f'[data-chart="alert-{alert.pk}"]')
    expect(chart.locator("canvas")).to_have_count(1)  # drawn by the vendored ECharts
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text("季节基线")
    shot(page, "alerts")
    axe_check(page)
    page.locator(f"#alert-{alert.pk}").get_by_role("button", name="已知悉").click()
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text("已知悉")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    watch.assert_clean()
