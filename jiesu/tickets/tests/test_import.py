"""Importing ledgers: tickets with their history, idempotent re-imports, forward updates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.orgs.testing import World
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.services import DeadlineFacts, stage_time_limit
from jiesu.tickets.choices import AssignmentRole, EventKind, Satisfaction, TicketStatus
from jiesu.tickets.importing.service import tickets_import
from jiesu.tickets.models import Callback, NumberSequence, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.services import callbacks, dispatch, handling
from jiesu.tickets.services.intake import (
    TicketDraft,
    next_ticket_number,
    reserve_ticket_number_blocks,
    reserve_ticket_numbers,
    ticket_create,
)
from jiesu.tickets.tests.import_helpers import early, load_categories, row, write_csv
from jiesu.tickets.tests.working_time import use_working_time_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")
E = EventKind


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("occurred_at", "id").values_list("kind", flat=True))


@pytest.fixture
def ledger(world: World, tmp_path: Path) -> Path:
    load_categories(tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_a_full_row_becomes_a_closed_ticket_whose_events_carry_the_row_timestamps(ledger: Path) -> None:
    summary = tickets_import(path=write_csv(ledger / "a.csv", [row()]))
    assert (summary.created, summary.rejected, summary.errors) == (1, 0, [])
    ticket = Ticket.objects.get(source="import", external_number="BJ2024041500001")
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.number == "20240415000001" and ticket.category is not None and ticket.category.name == "暖气不热"
    events = list(ticket.events.order_by("occurred_at", "id"))
    assert [(e.kind, e.occurred_at) for e in events] == [
        (E.RECEIVED, at("2024-04-15 08:30")),
        (E.ACKNOWLEDGED, at("2024-04-15 08:35")),
        (E.CONTACTED, at("2024-04-15 09:00")),
        (E.DISPATCHED, at("2024-04-15 09:10")),
        (E.UNIT_ACKNOWLEDGED, at("2024-04-16 10:00")),  # no 单位签收时间: the next known later one
        (E.REPLIED, at("2024-04-16 10:00")),
        (E.CLOSED, at("2024-04-16 15:00")),
        (E.CALLBACK_RECORDED, at("2024-04-17 10:00")),
    ]
    assert all(e.actor_id is None for e in events)
    assert [(e.from_status, e.to_status) for e in events][3] == (TicketStatus.ACKNOWLEDGED, TicketStatus.DISPATCHED)
    assert ticket.version == len(events)
    assert ticket.received_at == at("2024-04-15 08:30") and ticket.first_contacted_at == at("2024-04-15 09:00")
    assert ticket.closed_at == at("2024-04-16 15:00") and ticket.reply_text.startswith("已协调")
    assert ticket.lead_unit is not None and ticket.lead_unit.name == "望京街道"
    units = set(TicketUnit.objects.filter(ticket=ticket, is_active=True).values_list("unit__name", "role"))
    assert units == {("望京街道", AssignmentRole.LEAD), ("社会救助处", AssignmentRole.ASSISTING)}
    callback = Callback.objects.get(ticket=ticket)
    assert callback.event.kind == E.CALLBACK_RECORDED and callback.satisfaction == Satisfaction.SATISFIED
    assert ticket.callback_resolved is True and ticket.callback_at == at("2024-04-17 10:00")
    assert AuditEntry.objects.filter(action="tickets.import").count() == 1


@pytest.mark.django_db
def test_reimport_changes_nothing_and_a_newer_export_moves_tickets_forward(ledger: Path) -> None:
    first = [early(row("A1")), early(row("A2"))]
    assert tickets_import(path=write_csv(ledger / "v1.csv", first)).created == 2
    ticket = Ticket.objects.get(external_number="A1")
    assert ticket.status == TicketStatus.DISPATCHED
    assert kinds(ticket) == [E.RECEIVED, E.ACKNOWLEDGED, E.DISPATCHED]

    again = tickets_import(path=write_csv(ledger / "v1-again.csv", first))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert TicketEvent.objects.count() == 6 and Ticket.objects.count() == 2

    newer = [row("A1"), early(row("A2")), row("A3")]
    summary = tickets_import(path=write_csv(ledger / "v2.csv", newer))
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (1, 1, 1, 0)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert kinds(ticket) == [
        E.RECEIVED, E.ACKNOWLEDGED, E.CONTACTED, E.DISPATCHED, E.UNIT_ACKNOWLEDGED, E.REPLIED, E.CLOSED,
        E.CALLBACK_RECORDED,
    ]  # fmt: skip
    contacted = ticket.events.get(kind=E.CONTACTED)
    assert contacted.occurred_at == at("2024-04-15 09:00") and ticket.first_contacted_at == contacted.occurred_at
    assert Callback.objects.filter(ticket=ticket).count() == 1
    assert TicketUnit.objects.filter(ticket=ticket, is_active=True).count() == 2

    last = tickets_import(path=write_csv(ledger / "v2-again.csv", newer))
    assert (last.created, last.updated, last.unchanged) == (0, 0, 3)
    assert TicketEvent.objects.filter(ticket=ticket).count() == 8


@pytest.mark.django_db
def test_a_returned_row_gets_a_return_request_and_approval_before_dispatch(ledger: Path) -> None:
    tickets_import(path=write_csv(ledger / "r.csv", [row("R1", 是否退单="是")]))
    ticket = Ticket.objects.get(external_number="R1")
    assert kinds(ticket)[:5] == [E.RECEIVED, E.ACKNOWLEDGED, E.CONTACTED, E.RETURN_REQUESTED, E.RETURN_APPROVED]
    assert kinds(ticket)[5] == E.DISPATCHED and ticket.return_count == 1
    approved = ticket.events.get(kind=E.RETURN_APPROVED)
    assert approved.to_status == TicketStatus.TRIAGED and approved.occurred_at == at("2024-04-15 09:10")
    assert ticket.status == TicketStatus.CLOSED


@pytest.mark.django_db
def test_missing_intermediate_timestamps_take_the_next_known_later_one(ledger: Path) -> None:
    values = row("G1", 签收时间="", 首次联系时间="", 派单时间="", 反馈时间="", 回访时间="", 是否联系="", 是否解决="")
    tickets_import(path=write_csv(ledger / "g.csv", [{**values, "满意度": ""}]))
    ticket = Ticket.objects.get(external_number="G1")
    closed = at("2024-04-16 15:00")
    assert [e.occurred_at for e in ticket.events.order_by("id")][1:] == [closed] * 5
    assert ticket.acknowledged_at == ticket.dispatched_at == ticket.replied_at == closed
    assert ticket.status == TicketStatus.CLOSED


@pytest.mark.django_db
def test_without_a_lead_unit_a_closed_row_was_answered_by_the_center(ledger: Path) -> None:
    values = row("S1", 主办单位="", 协办单位="", 派单时间="", 反馈时间="")
    summary = tickets_import(path=write_csv(ledger / "s.csv", [values]))
    assert summary.errors == []
    ticket = Ticket.objects.get(external_number="S1")
    assert kinds(ticket) == [E.RECEIVED, E.ACKNOWLEDGED, E.CONTACTED, E.SELF_HANDLED, E.CALLBACK_RECORDED]
    assert ticket.is_direct_answer and ticket.lead_unit is None and ticket.status == TicketStatus.CLOSED


@pytest.mark.django_db
def test_a_received_only_row_stays_received(ledger: Path) -> None:
    values = {k: v for k, v in row("N1").items() if k in ("工单编号", "来电时间", "标题", "所属区", "主办单位")}
    tickets_import(path=write_csv(ledger / "n.csv", [values]))
    ticket = Ticket.objects.get(external_number="N1")
    assert ticket.status == TicketStatus.RECEIVED and kinds(ticket) == [E.RECEIVED]
    assert ticket.lead_unit is None  # a unit without a dispatch time was never dispatched


@pytest.mark.django_db
def test_bad_rows_are_reported_with_row_and_column_while_good_rows_go_in(ledger: Path) -> None:
    rows = [
        row("OK1"),
        row("BAD1", 所属区="不存在区"),
        row("BAD2", 问题分类="城乡建设/供暖/不存在"),
        row("BAD3", 来电时间="2024-13-45 25:00"),
        row("BAD4", 派单时间="2024-04-15 08:00:00"),
        row("OK1"),
        row("BAD5", 回访时间="2024-04-17 10:00:00", 满意度=""),
        row("BAD6", 受理渠道="飞鸽传书", 协办单位="社会救助处、不存在处"),
        row("OK2", 所属区="110105", 协办单位="C001-01;朝阳区"),
    ]
    summary = tickets_import(path=write_csv(ledger / "mixed.csv", rows))
    assert (summary.created, summary.rejected) == (2, 7)
    found = {(e["row"], e["column"]) for e in summary.errors}
    assert found == {
        (3, "所属区"),
        (4, "问题分类"),
        (5, "来电时间"),
        (6, "派单时间"),
        (7, "工单编号"),
        (8, "满意度"),
        (9, "受理渠道"),
        (9, "协办单位"),
    }
    messages = {e["row"]: e["message"] for e in summary.errors}
    assert "找不到单位「不存在区」" in messages[3]
    assert "与第 2 行相同" in messages[7]
    assert "早于签收时间" in messages[6]
    ok2 = Ticket.objects.get(external_number="OK2")
    assert ok2.district is not None and ok2.district.name == "朝阳区"
    assert TicketUnit.objects.filter(ticket=ok2, role=AssignmentRole.ASSISTING).count() == 2
    assert not Ticket.objects.filter(external_number__startswith="BAD").exists()


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(ledger: Path) -> None:
    summary = tickets_import(path=write_csv(ledger / "d.csv", [row("D1"), row("D2", 所属区="不存在区")]), dry_run=True)
    assert (summary.created, summary.rejected) == (1, 1)
    assert not Ticket.objects.exists() and not TicketEvent.objects.exists()
    assert not NumberSequence.objects.exists() and not AuditEntry.objects.filter(action="tickets.import").exists()


@pytest.mark.django_db
def test_a_dry_run_of_a_newer_export_counts_updates_without_writing(ledger: Path) -> None:
    tickets_import(path=write_csv(ledger / "v1.csv", [early(row("U1"))]))
    summary = tickets_import(path=write_csv(ledger / "v2.csv", [row("U1")]), dry_run=True)
    assert (summary.updated, summary.unchanged) == (1, 0)
    assert kinds(Ticket.objects.get(external_number="U1")) == [E.RECEIVED, E.ACKNOWLEDGED, E.DISPATCHED]


@pytest.mark.django_db
def test_the_source_comes_from_the_option_then_the_column_then_the_default(ledger: Path) -> None:
    rows = [row("X1", 来源平台="市级平台"), row("X2")]
    tickets_import(path=write_csv(ledger / "x.csv", rows))
    assert set(Ticket.objects.values_list("external_number", "source")) == {("X1", "市级平台"), ("X2", "import")}
    summary = tickets_import(path=write_csv(ledger / "y.csv", rows), source="海淀台账")
    assert summary.created == 2
    assert Ticket.objects.filter(source="海淀台账").count() == 2


@pytest.mark.django_db
def test_progress_reports_rows_done(ledger: Path) -> None:
    calls: list[tuple[int, int]] = []
    tickets_import(
        path=write_csv(ledger / "p.csv", [row(f"P{i}") for i in range(3)]), progress=lambda d, t: calls.append((d, t))
    )
    assert calls and calls[-1][0] == calls[-1][1] == 3


@pytest.mark.django_db
def test_an_imported_history_equals_the_one_the_verb_services_write(ledger: Path, world: World) -> None:
    """Same timestamps through the live services and through the importer: same ticket, same events."""
    use_working_time_rules()
    tickets_import(path=write_csv(ledger / "a.csv", [row("SAME", 协办单位="")]))
    imported = Ticket.objects.get(external_number="SAME")

    draft = TicketDraft(
        title="小区暖气不热",
        content=row()["诉求内容"],
        kind="complaint",
        received_at=at("2024-04-15 08:30"),
        requester_name="张三",
        requester_phone="13800000000",
        address="望京西园三区",
        district=world.district,
        township=world.township,
        category=imported.category,
        source="live",
        external_number="SAME",
    )
    live = ticket_create(draft=draft, actor=None)
    dispatch.ticket_acknowledge(ticket=live, actor=None, at=at("2024-04-15 08:35"))
    handling.ticket_contact(ticket=live, actor=None, reached=True, at=at("2024-04-15 09:00"))
    dispatch.ticket_dispatch(ticket=live, actor=None, lead_unit=world.township, at=at("2024-04-15 09:10"))
    dispatch.ticket_unit_acknowledge(ticket=live, actor=None, at=at("2024-04-16 10:00"))
    handling.ticket_reply(ticket=live, actor=None, text=row()["办理结果"], at=at("2024-04-16 10:00"))
    handling.ticket_review(ticket=live, actor=None, accept=True, at=at("2024-04-16 15:00"))
    answers = callbacks.CallbackAnswers(
        contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED, called_at=at("2024-04-17 10:00")
    )
    callbacks.ticket_callback(ticket=live, actor=None, answers=answers)
    live.refresh_from_db()

    fields = [
        f.attname
        for f in Ticket._meta.concrete_fields
        if f.attname not in {"id", "number", "source", "created_at", "updated_at"}
    ]
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(live, f) for f in fields}
    assert imported.reply_due_at is not None and imported.deadline_rules["reply"]["rule_set"] == "test-working-time"

    def history(ticket: Ticket) -> list[tuple[Any, ...]]:
        events = ticket.events.order_by("occurred_at", "id")
        return [(e.kind, e.from_status, e.to_status, e.occurred_at, e.reason, e.payload) for e in events][1:]

    assert history(imported) == history(live)


@pytest.mark.django_db
def test_a_year_without_a_loaded_calendar_gives_no_deadline_instead_of_an_error(ledger: Path) -> None:
    rule_set = use_working_time_rules()
    rule_set.effective_from = date(2000, 1, 1)  # in force, but 2003 has no working-day calendar
    rule_set.save()
    with pytest.raises(CalendarNotLoadedError):  # what the live services would raise
        stage_time_limit(stage="dispatch", start=at("2003-06-02 08:35"), facts=DeadlineFacts())
    old = early(row("OLD", 来电时间="2003-06-02 08:30:00", 签收时间="2003-06-02 08:35:00", 派单时间=""))
    summary = tickets_import(path=write_csv(ledger / "old.csv", [old]))
    assert summary.errors == [] and summary.created == 1
    ticket = Ticket.objects.get(external_number="OLD")
    assert ticket.status == TicketStatus.ACKNOWLEDGED  # 2003: before the loaded calendars (2004 on)
    assert ticket.dispatch_due_at is None and "dispatch" not in ticket.deadline_rules


@pytest.mark.django_db
def test_a_newer_export_that_no_longer_fits_the_ticket_is_rejected_and_writes_nothing(
    ledger: Path, world: World
) -> None:
    tickets_import(path=write_csv(ledger / "v1.csv", [early(row("C1"))]))
    ticket = Ticket.objects.get(external_number="C1")
    dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
    dispatch.ticket_return_request(ticket=ticket, actor=world.township_staff, reason="不属于本街道职责")
    before = kinds(ticket)

    summary = tickets_import(path=write_csv(ledger / "v2.csv", [row("C1", 单位签收时间="")]))
    assert (summary.updated, summary.rejected) == (0, 1)
    assert summary.errors[0]["row"] == 2 and "办理流程不合法" in summary.errors[0]["message"]
    assert kinds(ticket) == before  # the contact step that would have fitted was rolled back with the row


@pytest.mark.django_db
def test_number_blocks_continue_the_daily_sequence() -> None:
    first = reserve_ticket_numbers("20240415", 3)
    assert first == ["20240415000001", "20240415000002", "20240415000003"]
    blocks = reserve_ticket_number_blocks({"20240415": 2, "20240416": 1, "20240417": 0})
    assert blocks == {"20240415": ["20240415000004", "20240415000005"], "20240416": ["20240416000001"]}
    assert next_ticket_number(at("2024-04-15 12:00")) == "20240415000006"
