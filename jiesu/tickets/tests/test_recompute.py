"""Recomputing running deadlines after a calendar edit: the service, the job and the command."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from jiesu.audit.models import AuditEntry
from jiesu.orgs.testing import World
from jiesu.sla.services import calendar_day_set
from jiesu.tickets.jobs import deadlines_recompute_when_changed
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import callbacks, dispatch, handling, oversight
from jiesu.tickets.services.deadline_rows import DeadlineRow, deadlines_write, rows_read
from jiesu.tickets.services.deadlines import deadlines_recompute_open
from jiesu.tickets.services.intake import ticket_merge
from jiesu.tickets.services.recompute import (
    RECOMPUTE_ACTION,
    RECOMPUTE_YEARS_ACTION,
    RecomputeSummary,
    _recompute_batch,
    _Recomputer,
    deadlines_recompute,
    recompute_queryset,
)
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.tickets.tests.working_time import at, use_working_time_rules

pytestmark = pytest.mark.django_db

NEW_HOLIDAY = date(2026, 3, 10)  # a Tuesday, made a holiday by the edit


def _dispatched(world: World, moment: str, **fields: object) -> Ticket:
    with time_machine.travel(at(moment), tick=False):
        ticket = new_ticket(world, "小区暖气不热", **fields)
        dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
        dispatch.ticket_triage(ticket=ticket, actor=world.agent)
        dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    return Ticket.objects.get(pk=ticket.pk)


def _add_holiday() -> None:
    calendar_day_set(day=NEW_HOLIDAY, is_workday=False, name="测试假日", actor=None)


@pytest.fixture
def rules(db: None) -> None:
    use_working_time_rules()


@pytest.mark.usefixtures("rules")
def test_a_deadline_in_the_edited_period_moves_and_the_others_do_not(world: World) -> None:
    affected = _dispatched(world, "2026-03-09T10:00")  # 16 wh: Mon 6 h, Tue 7 h, Wed 3 h
    later = _dispatched(world, "2026-03-16T10:00")
    assert affected.reply_due_at == at("2026-03-11T12:00")
    assert later.reply_due_at == at("2026-03-18T12:00")
    version = affected.version

    _add_holiday()
    assert deadlines_recompute_open() == 1

    affected.refresh_from_db()
    later.refresh_from_db()
    assert affected.reply_due_at == at("2026-03-12T12:00")  # Tuesday off: a day later
    assert affected.unit_acknowledge_due_at == at("2026-03-11T23:59:59")  # 1 wd after Monday is now Wednesday
    assert affected.dispatch_due_at == at("2026-03-09T12:00")  # before the holiday: unchanged
    assert affected.version == version + 1
    assert later.reply_due_at == at("2026-03-18T12:00")
    assert deadlines_recompute_open() == 0  # nothing left to move


@pytest.mark.usefixtures("rules")
def test_pauses_are_measured_again_and_extensions_are_kept(world: World) -> None:
    paused = _dispatched(world, "2026-03-09T10:00")
    with time_machine.travel(at("2026-03-09T11:00"), tick=False):
        handling.ticket_suspend(ticket=paused, actor=world.shift_lead, reason="等待鉴定")
    with time_machine.travel(at("2026-03-09T14:30"), tick=False):
        handling.ticket_resume(ticket=paused, actor=world.shift_lead)
    paused.refresh_from_db()
    assert paused.reply_due_at == at("2026-03-11T15:30")  # 120 paused working minutes

    extended = _dispatched(world, "2026-03-09T10:00")
    with time_machine.travel(at("2026-03-09T11:00"), tick=False):
        dispatch.ticket_unit_acknowledge(ticket=extended, actor=world.township_staff)
        handling.ticket_extension_request(
            ticket=extended, actor=world.township_staff, until=at("2026-03-11T17:30"), reason="需现场勘察"
        )
        handling.ticket_extension_decide(ticket=extended, actor=world.shift_lead, approve=True)

    _add_holiday()
    deadlines_recompute_open()

    paused.refresh_from_db()
    extended.refresh_from_db()
    assert paused.reply_due_at == at("2026-03-12T15:30")
    assert extended.reply_due_at == at("2026-03-11T17:30")


@pytest.mark.usefixtures("rules")
def test_a_rework_restarts_from_its_own_moment(world: World) -> None:
    ticket = _dispatched(world, "2026-03-02T10:00")
    with time_machine.travel(at("2026-03-09T10:00"), tick=False):
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
        handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已处理")
        handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
        callbacks.ticket_rework(ticket=ticket, actor=world.callback_agent, reason="回访不满意")
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-11T12:00")
    _add_holiday()
    deadlines_recompute_open()
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-12T12:00")  # from the rework, not the first dispatch


@pytest.mark.usefixtures("rules")
def test_finished_tickets_and_other_years_are_left_alone(world: World) -> None:
    merged = _dispatched(world, "2026-03-09T10:00")
    with time_machine.travel(at("2026-03-09T11:00"), tick=False):
        master = new_ticket(world, "主工单")
        ticket_merge(ticket=merged, master=master, actor=world.agent)
    running = _dispatched(world, "2026-03-09T10:00")
    _add_holiday()

    assert deadlines_recompute(years={2025}).changed == 0
    assert deadlines_recompute(years={2026}).changed == 1
    merged.refresh_from_db()
    running.refresh_from_db()
    assert merged.reply_due_at == at("2026-03-11T12:00")
    assert running.reply_due_at == at("2026-03-12T12:00")
    entry = AuditEntry.objects.filter(action=RECOMPUTE_YEARS_ACTION).latest("id")
    assert entry.detail["years"] == [2026] and entry.detail["changed"] == 1 and entry.detail["fingerprint"] is None


@pytest.mark.usefixtures("rules")
def test_an_imported_deadline_without_an_entry_gets_one_when_it_moves(world: World) -> None:
    ticket = _dispatched(world, "2026-03-09T10:00")
    Ticket.objects.filter(pk=ticket.pk).update(deadline_rules={})
    _add_holiday()
    assert deadlines_recompute(batch_size=1).changed == 1
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-12T12:00")
    assert ticket.deadline_rules["reply"]["unit"] == "wh"
    assert ticket.deadline_rules["reply"]["start"] == at("2026-03-09T10:00").isoformat()


@pytest.mark.usefixtures("rules")
def test_a_ticket_changed_meanwhile_is_not_overwritten(world: World) -> None:
    ticket = _dispatched(world, "2026-03-09T10:00")
    row = DeadlineRow(ticket_id=ticket.pk, version=ticket.version - 1, dues=(None,) * 7, patch={})
    assert deadlines_write([row], now=at("2026-03-09T12:00")) == set()
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-11T12:00")


@pytest.mark.usefixtures("rules")
def test_a_ticket_that_moves_during_the_run_is_read_again(world: World) -> None:
    ticket = _dispatched(world, "2026-03-09T10:00")
    _add_holiday()
    rows = rows_read(recompute_queryset(), after_id=0, limit=10)
    with time_machine.travel(at("2026-03-09T11:00"), tick=False):
        oversight.ticket_note(ticket=ticket, actor=world.agent, text="诉求人来电补充情况")
    summary = RecomputeSummary()
    assert _recompute_batch(_Recomputer(), rows, summary) == [ticket.pk]  # not overwritten
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-11T12:00")
    assert deadlines_recompute().changed == 1  # a later read catches up
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-12T12:00")


@pytest.mark.usefixtures("rules")
def test_the_worker_job_runs_only_after_an_sla_edit(world: World) -> None:
    ticket = _dispatched(world, "2026-03-09T10:00")
    now = at("2026-03-09T12:00")
    deadlines_recompute_when_changed(now)  # the first run records what it saw
    assert deadlines_recompute_when_changed(now) == 0
    runs = AuditEntry.objects.filter(action=RECOMPUTE_ACTION).count()
    assert deadlines_recompute_when_changed(now) == 0
    assert AuditEntry.objects.filter(action=RECOMPUTE_ACTION).count() == runs  # no change, no run

    _add_holiday()
    assert deadlines_recompute_when_changed(now) == 1
    ticket.refresh_from_db()
    assert ticket.reply_due_at == at("2026-03-12T12:00")
    summary = AuditEntry.objects.filter(action=RECOMPUTE_ACTION).latest("id").detail
    assert summary["changed"] == 1 and summary["scanned"] >= 1 and summary["fingerprint"]
    assert deadlines_recompute_when_changed(now) == 0


@pytest.mark.usefixtures("rules")
def test_the_command(world: World) -> None:
    _dispatched(world, "2026-03-09T10:00")
    _add_holiday()
    out = StringIO()
    call_command("deadlines", "recompute", "--year", "2026", stdout=out)
    assert "时限重算完成（2026年）" in out.getvalue() and "更新 1 张" in out.getvalue()
    out = StringIO()
    call_command("deadlines", "recompute", stdout=out)
    assert "全部年份" in out.getvalue() and "更新 0 张" in out.getvalue()


def test_a_year_without_calendar_is_counted_not_guessed(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world, "2026-12-21T10:00")
    due = ticket.reply_due_at
    # Dispatched again (say by the importer) on 30 December: 16 working hours run into 2027.
    Ticket.objects.filter(pk=ticket.pk).update(dispatched_at=at("2026-12-30T10:00"))
    summary = deadlines_recompute()
    assert (summary.failed, summary.changed) == (1, 0)
    ticket.refresh_from_db()
    assert ticket.reply_due_at == due
