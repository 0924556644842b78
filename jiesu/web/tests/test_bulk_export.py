"""The list's bulk bar and Excel export: checkboxes, bulk results, the export job and its file."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.exporting.jobs import export_job_wait
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.tickets.tests.test_export_jobs import queued_export
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


def test_the_list_has_checkboxes_and_the_bulk_bar(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.RECEIVED)
    page = page_text(login_as(world.agent).get("/tickets/"))
    assert f'name="numbers" value="{ticket.number}" form="bulk-form"' in page
    assert 'id="bulk-form"' in page and "导出 Excel（1 件）" in page and "web/bulk.js" in page


def test_bulk_acknowledge_reports_done_and_refused(login_as: LoginAs, world: World) -> None:
    fresh = ticket_in(world, TicketStatus.RECEIVED)
    moved = ticket_in(world, TicketStatus.TRIAGED)
    response = login_as(world.agent).post(
        "/tickets/bulk", {"action": "acknowledge", "numbers": [fresh.number, moved.number]}
    )
    page = page_text(response)
    assert response.status_code == 200 and "批量签收：完成 1 件，未完成 1 件" in page
    assert "当前状态下不能执行该操作" in page or "不能" in page
    assert Ticket.objects.get(pk=fresh.pk).status == TicketStatus.ACKNOWLEDGED


def test_unit_staff_acknowledge_as_their_unit(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    page = page_text(
        login_as(world.township_staff).post("/tickets/bulk", {"action": "acknowledge", "numbers": [ticket.number]})
    )
    assert "承办单位签收" in page and "完成 1 件" in page
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING


def test_bulk_dispatch_asks_for_the_lead_unit_then_keeps_input_on_error(login_as: LoginAs, world: World) -> None:
    tickets = [ticket_in(world, TicketStatus.TRIAGED) for _ in range(2)]
    client = login_as(world.agent)
    numbers = [t.number for t in tickets]
    first = page_text(client.post("/tickets/bulk", {"action": "dispatch", "numbers": numbers}))
    assert "已选择 2 件工单" in first and "主办单位" in first and "批量派单请选择主办单位" not in first
    wrong = client.post("/tickets/bulk", {"action": "dispatch", "numbers": numbers, "confirm": "1", "reason": "请处理"})
    assert wrong.status_code == 400
    text = page_text(wrong)
    assert "批量派单请选择主办单位" in text and "请处理" in text and f'value="{numbers[0]}"' in text
    done = client.post(
        "/tickets/bulk",
        {"action": "dispatch", "numbers": numbers, "confirm": "1", "lead_unit": world.township.pk},
    )
    assert "批量派单：完成 2 件" in page_text(done)
    assert set(Ticket.objects.filter(number__in=numbers).values_list("status", flat=True)) == {"dispatched"}


def test_urge_needs_text_and_the_limit_is_enforced(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    client = login_as(world.agent)
    empty = client.post("/tickets/bulk", {"action": "urge", "numbers": [ticket.number]})
    assert empty.status_code == 400 and "请填写催办内容" in page_text(empty)
    many = client.post("/tickets/bulk", {"action": "urge", "reason": "快", "numbers": [f"N{n}" for n in range(501)]})
    assert many.status_code == 400 and "一次最多选择 500 件" in page_text(many)
    none = client.post("/tickets/bulk", {"action": "urge", "reason": "快"})
    assert none.status_code == 400 and "请先勾选工单" in page_text(none)


def test_numbers_outside_the_scope_are_reported_not_found(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    page = page_text(
        login_as(world.other_staff).post("/tickets/bulk", {"action": "acknowledge", "numbers": [ticket.number]})
    )
    assert "工单不存在或您无权查看" in page
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_export_job_offers_the_file_to_its_owner_only(login_as: LoginAs, world: World) -> None:
    ticket_in(world, TicketStatus.RECEIVED)
    ticket_in(world, TicketStatus.ACKNOWLEDGED)
    client = login_as(world.agent)
    response = client.post("/tickets/export?status=received")
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    export_job_wait(job_id, timeout=60)
    fragment = page_text(client.get(f"/exports/{job_id}/progress"))
    assert "导出完成，共 1 件工单" in fragment and "hx-trigger" not in fragment
    download = client.get(f"/exports/{job_id}/file")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    sheet = load_workbook(BytesIO(download.getvalue()), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 2
    other = login_as(world.shift_lead)
    assert other.get(f"/exports/{job_id}/").status_code == 404
    assert other.get(f"/exports/{job_id}/file").status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_selected_starts_a_job_for_the_ticked_tickets(login_as: LoginAs, world: World) -> None:
    chosen = ticket_in(world, TicketStatus.RECEIVED)
    ticket_in(world, TicketStatus.RECEIVED)
    client = login_as(world.agent)
    response = client.post("/tickets/bulk", {"action": "export", "numbers": [chosen.number]})
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    export_job_wait(job_id, timeout=60)
    assert "导出完成，共 1 件工单" in page_text(client.get(f"/exports/{job_id}/"))


def test_a_second_export_shows_the_running_one_with_a_chinese_message(login_as: LoginAs, world: World) -> None:
    ticket = ticket_in(world, TicketStatus.RECEIVED)
    waiting = queued_export(world.agent)
    client = login_as(world.agent)
    try:
        response = client.post("/tickets/export?status=received", follow=True)
        assert response.redirect_chain[-1][0] == f"/exports/{waiting.id}/"
        assert "您已有一个导出任务正在进行，请等待完成" in page_text(response)
        bulk = client.post("/tickets/bulk", {"action": "export", "numbers": [ticket.number]})
        assert bulk.status_code == 409 and "您已有一个导出任务正在进行，请等待完成" in page_text(bulk)
        assert f'value="{ticket.number}"' in page_text(bulk)  # the ticks are kept
    finally:
        cache.clear()
