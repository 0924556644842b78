"""Shared pieces of the browser tests: Debian Chromium, the live world, console/request watching,
logging in through the login page, the axe-core accessibility check and screenshots.

Test modules import the fixtures by name (`from ...browser_support import browser, live_world`)
so pytest finds them without a conftest that every web test would load.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, expect, sync_playwright

from jiesu.orgs.testing import PASSWORD, World, build_world

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
REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
SEGMENTED_INPUTS = {"date", "datetime-local", "time", "month", "week"}


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

    def assert_clean(self, *, expected_statuses: tuple[int, ...] = ()) -> None:
        """No console error and no foreign request. Chromium logs every 4xx page as a console
        error; `expected_statuses` lists the ones the test provoked on purpose (a stale form: 409)."""
        expected = tuple(f"status of {code} " for code in expected_statuses)
        errors = [
            e for e in self.errors if not (e.startswith("Failed to load resource") and any(x in e for x in expected))
        ]
        assert errors == [], f"console errors: {errors}"
        assert self.foreign == [], f"requests to foreign hosts: {self.foreign}"


def new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page, as a person would, and land on the home page."""
    page.goto(f"{base_url}/login/?next=/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who .user-name")).to_have_text(username)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA violations on the current page.

    The product's CSP refuses injected <script> tags (no 'unsafe-inline'), so `add_script_tag`
    cannot be used; Playwright's evaluate runs through the DevTools protocol, which CSP does not
    govern, so the library's text is evaluated directly. The product's policy stays as it is.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    result: dict[str, Any] = page.evaluate("(options) => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def axe_check(page: Page, *, exclude_rules: dict[str, str] | None = None) -> None:
    """Fail on any serious or critical violation. `exclude_rules` maps a rule id to the written
    reason it is a false positive on this page."""
    skipped = exclude_rules or {}
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS and v["id"] not in skipped]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([node["target"] for node in v["nodes"][:3]], ensure_ascii=False)
        for v in blocking
    ]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(lines)


def no_positive_tabindex(page: Page) -> None:
    count = page.evaluate('document.querySelectorAll(\'[tabindex]:not([tabindex="0"]):not([tabindex="-1"])\').length')
    assert count == 0, f"{count} elements with a positive tabindex on {page.url}"


def _focused_marker(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.dataset.focusIndex || ''"))


# Tab stops in DOM order; of a radio group only the checked radio (or the first) is a stop.
_NUMBER_TAB_STOPS = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary, audio[controls], [tabindex="0"]';
  const groups = new Set();
  let index = 0;
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
    if (el.type === 'radio' && el.name) {
      const scope = el.form || document;
      const checked = scope.querySelector(`input[type=radio][name="${el.name}"]:checked`);
      const group = el.name + '@' + (el.form ? el.form.action : '');
      if (groups.has(group) || (checked && checked !== el)) continue;
      groups.add(group);
    }
    el.dataset.focusIndex = String(index++);
  }
  return index;
}"""


def check_focus_order(page: Page, steps: int = 12) -> None:
    """Tab walks the tab stops in DOM order and the first stop of the page is the skip link or the
    first nav link. Call it on a freshly loaded page. A page that autofocuses a field (the login
    page) starts the walk there; the walk then wraps past the last stop to the first one."""
    no_positive_tabindex(page)
    total = int(page.evaluate(_NUMBER_TAB_STOPS))
    first = page.locator("[data-focus-index='0']")
    assert "skip" in (first.get_attribute("class") or "") or first.evaluate("el => !!el.closest('nav')"), (
        f"the first tab stop of {page.url} is neither the skip link nor a nav link"
    )
    start = _focused_marker(page)
    expected = int(start) + 1 if start else 0
    for _ in range(min(steps, total)):
        page.keyboard.press("Tab")
        marker = _focused_marker(page)
        if not marker and expected == total:  # past the last stop, focus leaves the page once
            page.keyboard.press("Tab")
            marker, expected = _focused_marker(page), 0
        if marker == str(expected - 1) and page.evaluate("document.activeElement.type") in SEGMENTED_INPUTS:
            continue  # Tab moves between the year/month/day/… parts of one date field
        outer = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert marker == str(expected), f"Tab reached {outer} (stop {marker!r}), expected stop {expected} on {page.url}"
        expected += 1


def shot(page: Page, name: str, *, prefix: str | None = None) -> Path:
    """A full-page PNG under test-artifacts/screenshots/, named after the running test."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = prefix or os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
    safe = re.sub(r"[^\w.-]+", "-", f"{test}-{name}")
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
