"""The workbench end to end in headless Debian Chromium, each user logging in through the login
page in a browser context of their own: one ticket's whole life across an agent, the unit's staff
and a callback agent; search with saved searches; a stale form; bulk dispatch and the Excel export.

Every step takes a full-page screenshot (test-artifacts/screenshots/) and runs the axe-core check;
every page must log no console error and load nothing from another host.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from jiesu.orgs.testing import World
from jiesu.sla.calendar import SHANGHAI
from jiesu.tickets.models import Attachment, Ticket, TicketEvent
from jiesu.tickets.services.reply_elements import ElementSpec, reply_element_scheme_set
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.browser_support import Watch, axe_check, browser, live_world, login, new_context, shot

__all__ = ["browser", "live_world"]  # fixtures used by name below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ELEMENTS = [
    ElementSpec("background", "问题背景"),
    ElementSpec("process", "办理过程"),
    ElementSpec("result", "办理结果"),
    ElementSpec("follow_up", "后续措施", required=False),
]


class User:
    """One person at their own browser: a context, a page, its watch."""

    def __init__(self, browser: Browser, base_url: str, username: str) -> None:
        self.context = new_context(browser)
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        self.base_url = base_url
        login(self.page, base_url, username)

    def step(self, name: str) -> None:
        shot(self.page, name)
        axe_check(self.page)

    def close(self, *, expected_statuses: tuple[int, ...] = ()) -> None:
        self.context.close()
        self.watch.assert_clean(expected_statuses=expected_statuses)


def _png(path: Path) -> Path:
    """A real 2×2 PNG, so the ticket page's image preview has something to draw."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x80\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


def _agent_takes_and_dispatches(agent: User) -> str:
    page = agent.page
    page.get_by_role("link", name="新建工单").click()
    page.get_by_label("标题").fill("望京西园东门路灯不亮")
    page.get_by_label("诉求内容").fill("东门两盏路灯连续三晚不亮，老人夜里出门不便")
    page.get_by_label("联系电话").fill("13812341234")
    page.get_by_label("所属区").select_option(label="朝阳区")
    page.get_by_label("所属街乡镇").select_option(label="望京街道")
    agent.step("new-ticket-form")
    page.get_by_role("button", name="受理").click()
    expect(page.locator("#ticket-status")).to_have_text("已受理")
    number = page.locator(".ticket-head .number").inner_text()
    agent.step("received")

    page.locator("#action-acknowledged").get_by_role("button", name="签收").click()
    expect(page.locator("#ticket-status")).to_have_text("已签收")
    agent.step("acknowledged")

    dispatch = page.locator("#action-dispatched")
    dispatch.locator("summary").click()
    dispatch.get_by_label("搜索主办单位").fill("望京")
    lead = dispatch.get_by_label("主办单位", exact=True)
    # The search replaced the full list with the matches, behind a "找到 1 个" prompt.
    expect(lead.locator("option").first).to_contain_text("找到 1 个")
    lead.select_option(value=lead.locator("option", has_text="望京街道").get_attribute("value"))
    expect(page.locator("#deadline-preview-dispatched")).to_contain_text("派给「望京街道」")
    expect(page.locator("#deadline-preview-dispatched")).to_contain_text("反馈时限")
    dispatch.get_by_label("派单说明").fill("请属地街道核实路灯情况并尽快修复")
    agent.step("dispatch-form")
    dispatch.get_by_role("button", name="提交「派单」").click()
    expect(page.locator("#ticket-status")).to_have_text("已派单待签收")
    agent.step("dispatched")
    return number


def _unit_acknowledges_and_replies(staff: User, number: str, photo: Path) -> None:
    page = staff.page
    tile = page.locator("a.tile", has_text="待签收")
    expect(tile.locator(".tile-count")).to_have_text("1")
    staff.step("home")
    tile.click()
    page.get_by_role("link", name=number).click()
    expect(page.locator("#ticket-status")).to_have_text("已派单待签收")
    page.locator("#action-unit_acknowledged").get_by_role("button").click()
    expect(page.locator("#ticket-status")).to_have_text("办理中")
    staff.step("unit-acknowledged")

    reply = page.locator("#action-replied")
    reply.locator("summary").click()
    reply.get_by_role("textbox", name="办理结果").fill(
        "已联系路灯管理所，更换东门两盏灯泡，当晚恢复照明；后续每周巡查。"
    )
    for label in ("问题背景", "办理过程", "办理结果", "后续措施（选填）"):
        reply.get_by_role("checkbox", name=label, exact=True).check()
    reply.get_by_label("附件（可多选）").set_input_files(str(photo))
    staff.step("reply-form")
    reply.get_by_role("button", name="提交「反馈办理结果」").click()
    expect(page.locator("#ticket-status")).to_have_text("已反馈待审核")
    expect(page.locator("ul.attachments")).to_contain_text("repair.png")
    expect(page.locator("ul.attachments img")).to_have_count(1)
    staff.step("replied")


def _center_closes(agent: User, number: str) -> None:
    page = agent.page
    page.goto(f"{agent.base_url}/tickets/{number}/")
    close = page.locator("#action-closed")
    close.locator("summary").click()
    expect(close.locator(".reply-elements")).to_contain_text("已写明：问题背景")
    agent.step("review")
    close.get_by_role("button", name="提交「审核通过并办结」").click()
    expect(page.locator("#ticket-status")).to_have_text("已办结")
    agent.step("closed")


def _callback_recorded(callback: User, number: str) -> None:
    page = callback.page
    page.locator("a.tile", has_text="待回访").click()
    expect(page.locator("h1")).to_contain_text("待回访")
    callback.step("callback-queue")
    page.get_by_role("link", name=number).click()
    form = page.locator("#action-callback_recorded")
    form.locator("summary").click()
    form.locator("input[name='callback_recorded-contacted'][value='yes']").check()
    form.locator("input[name='callback_recorded-resolved'][value='yes']").check()
    form.get_by_role("radio", name="满意", exact=True).check()
    form.get_by_label("回访记录").fill("诉求人确认路灯已修好，表示满意")
    callback.step("callback-form")
    form.get_by_role("button", name="提交「回访」").click()
    expect(page.locator(".messages")).to_contain_text("已完成")
    expect(page.locator(".facts")).to_contain_text("已解决")
    callback.step("callback-recorded")


def test_one_ticket_lives_its_whole_life_across_three_users(
    live_server: Any, browser: Browser, live_world: World, tmp_path: Path
) -> None:
    reply_element_scheme_set(
        valid_from=timezone.now().astimezone(SHANGHAI).date(),
        elements=ELEMENTS,
        code="e2e-scheme",
        name="六要素（测试）",
    )
    agent = User(browser, live_server.url, "agent")
    number = _agent_takes_and_dispatches(agent)
    staff = User(browser, live_server.url, "township_staff")
    _unit_acknowledges_and_replies(staff, number, _png(tmp_path / "repair.png"))
    _center_closes(agent, number)
    callback = User(browser, live_server.url, "callback")
    _callback_recorded(callback, number)
    for user in (agent, staff, callback):
        user.close()

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "closed" and ticket.lead_unit == live_world.township
    assert ticket.callback_contacted is True and ticket.callback_resolved is True
    assert ticket.callback_satisfaction == "satisfied" and ticket.callback_valid is True
    assert ticket.callback_at is not None
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("occurred_at", "pk"))
    kinds = [e.kind for e in events]
    assert kinds == [
        "received",
        "acknowledged",
        "dispatched",
        "unit_acknowledged",
        "replied",
        "closed",
        "callback_recorded",
    ], kinds
    actors = {e.kind: e.actor.username for e in events if e.actor}
    assert actors["dispatched"] == "agent" and actors["replied"] == "township_staff"
    assert actors["callback_recorded"] == "callback"
    replied = next(e for e in events if e.kind == "replied")
    assert replied.payload["elements"] == ["background", "process", "result", "follow_up"]
    assert Attachment.objects.get(ticket=ticket).original_name == "repair.png"


def _row_numbers(page: Page) -> list[str]:
    return page.locator("table.tickets tbody tr td:nth-child(2) a").all_inner_texts()


def test_an_agent_searches_sorts_and_reopens_a_saved_search(
    live_server: Any, browser: Browser, live_world: World
) -> None:
    wanted = [
        new_ticket(live_world, "望京西园路灯不亮").number,
        new_ticket(live_world, "望京东路路灯倾斜").number,
    ]
    new_ticket(live_world, "学院路口路灯闪烁", district=live_world.other_district, township=live_world.other_township)
    new_ticket(live_world, "望京小区暖气不热")
    ticket_in(live_world, "acknowledged")  # 朝阳区, but no longer 已受理
    agent = User(browser, live_server.url, "agent")
    page = agent.page
    page.get_by_role("link", name="工单列表").click()
    filters = page.get_by_role("search", name="筛选工单")
    filters.get_by_label("关键词").fill("路灯")
    filters.get_by_label("状态（可多选）").select_option(label="已受理")
    filters.get_by_label("所属区").select_option(label="朝阳区")
    filters.get_by_role("button", name="查询").click()
    expect(page.locator("p.count")).to_have_text("共 2 件")
    assert sorted(_row_numbers(page)) == sorted(wanted)
    agent.step("filtered")

    page.locator("table.tickets thead").get_by_role("link", name="工单编号").click()
    expect(page.locator("th[aria-sort='ascending'], th[aria-sort='descending']")).to_have_count(1)
    first_order = _row_numbers(page)
    assert first_order in (sorted(wanted), sorted(wanted, reverse=True))
    page.locator("table.tickets thead").get_by_role("link", name="工单编号").click()
    expect(page.locator("table.tickets tbody tr").first).to_contain_text(first_order[-1])
    assert _row_numbers(page) == list(reversed(first_order))
    assert filters.get_by_label("关键词").input_value() == "路灯"  # sorting keeps the filters
    agent.step("sorted")

    page.get_by_label("查询名称").fill("朝阳路灯待签收")
    page.get_by_role("button", name="保存当前查询").click()
    expect(page.locator(".saved-list")).to_contain_text("朝阳路灯待签收")
    page.get_by_role("link", name="清空条件").click()
    expect(page.locator("p.count")).to_have_text("共 5 件")
    agent.step("cleared")
    page.locator(".saved-list").get_by_role("link", name="朝阳路灯待签收").click()
    expect(page.locator("p.count")).to_have_text("共 2 件")
    assert _row_numbers(page) == list(reversed(first_order))
    assert filters.get_by_label("关键词").input_value() == "路灯"
    agent.step("saved-search-reopened")
    agent.close()


def test_a_stale_form_says_so_and_keeps_the_input(live_server: Any, browser: Browser, live_world: World) -> None:
    ticket = new_ticket(live_world, "望京西园路灯不亮")
    master = new_ticket(live_world, "望京西园东门路灯坏了")
    first, second = User(browser, live_server.url, "agent"), User(browser, live_server.url, "lead")
    for user in (first, second):
        user.page.goto(f"{live_server.url}/tickets/{ticket.number}/")
        expect(user.page.locator("#ticket-status")).to_have_text("已受理")

    first.page.locator("#action-acknowledged").get_by_role("button", name="签收").click()
    expect(first.page.locator("#ticket-status")).to_have_text("已签收")
    first.step("acknowledged-first")

    merge = second.page.locator("#action-merged")
    merge.locator("summary").click()
    merge.locator("input[name='merged-master_number']").fill(master.number)
    merge.locator("textarea[name='merged-reason']").fill("同一路灯，与另一工单重复")
    second.step("stale-form-filled")
    merge.get_by_role("button").click()
    expect(second.page.locator(".messages")).to_contain_text("该工单已被他人处理")
    expect(second.page.locator("#ticket-status")).to_have_text("已签收")
    kept = second.page.locator("#action-merged")
    expect(kept).to_have_attribute("open", "")
    expect(kept.locator("input[name='merged-master_number']")).to_have_value(master.number)
    expect(kept.locator("textarea[name='merged-reason']")).to_have_value("同一路灯，与另一工单重复")
    second.step("stale-refused")
    first.close()
    second.close(expected_statuses=(409,))  # the refused form comes back as 409 Conflict

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == "acknowledged" and stored.merged_into_id is None
    assert list(TicketEvent.objects.filter(ticket=stored).values_list("kind", flat=True).order_by("pk")) == [
        "received",
        "acknowledged",
    ]


def test_bulk_dispatch_then_export_the_result_to_excel(
    live_server: Any, browser: Browser, live_world: World, tmp_path: Path
) -> None:
    ready = [ticket_in(live_world, "acknowledged").number for _ in range(2)]
    taken = ticket_in(live_world, "dispatched").number  # already with a unit: refused
    ticket_in(live_world, "acknowledged")  # listed, not ticked
    agent = User(browser, live_server.url, "agent")
    page = agent.page
    page.goto(f"{live_server.url}/tickets/?order=number")
    for number in [*ready, taken]:
        page.get_by_role("checkbox", name=f"选择工单 {number}").check()
    expect(page.locator("#bulk-count")).to_have_text("已选择 3 件工单")
    agent.step("bulk-selected")
    page.locator("#bulk-form").get_by_role("button", name="派单…").click()
    expect(page.locator("h1")).to_have_text("批量操作：派单")
    page.get_by_label("主办单位", exact=True).select_option(label="望京街道")
    page.get_by_label("派单说明 / 催办内容").fill("请属地街道统一核实处理")
    agent.step("bulk-dispatch-form")
    page.get_by_role("button", name="确认执行").click()
    expect(page.locator("h1")).to_contain_text("完成 2 件，未完成 1 件")
    results = page.locator("table.bulk-results tbody tr")
    expect(results).to_have_count(3)
    for number in ready:
        expect(results.filter(has_text=number)).to_contain_text("已完成")
    expect(results.filter(has_text=taken)).to_contain_text("未完成")
    agent.step("bulk-results")
    stored = Ticket.objects.filter(number__in=ready)
    assert {t.status for t in stored} == {"dispatched"} and {t.lead_unit_id for t in stored} == {live_world.township.pk}

    page.goto(f"{live_server.url}/tickets/?status=dispatched")
    expect(page.locator("p.count")).to_have_text("共 3 件")
    listed = set(_row_numbers(page))
    page.get_by_role("button", name="导出 Excel（3 件）").click()
    expect(page.locator("#export-done")).to_contain_text("共 3 件工单", timeout=30_000)
    agent.step("export-done")
    with page.expect_download() as download_info:
        page.locator("#export-progress").get_by_role("link", name="下载").click()
    saved = tmp_path / "ledger.xlsx"
    download_info.value.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and len(rows) - 1 == 3
    assert {str(row[0]) for row in rows[1:]} == listed == {*ready, taken}
    agent.close()
