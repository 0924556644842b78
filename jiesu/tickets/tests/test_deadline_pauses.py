"""Suspend / resume: the clock stops in the unit of the limit behind each deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, TicketStatus, Urgency
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import callbacks, dispatch, handling
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.tickets.tests.working_time import at, use_working_time_rules

pytestmark = pytest.mark.django_db

# Thursday before the 2026 Spring Festival. Saturday 02-14 is a make-up workday (调休上班), then
# 02-15 … 02-23 are off; Tuesday 02-24 is the next working day.
DISPATCHED = at("2026-02-12T10:00")
SUSPENDED = at("2026-02-13T16:00")  # Friday
RESUMED = at("2026-02-24T10:00")  # Tuesday
# Fri 16:00–17:30 (90) + the make-up Saturday (420) + Tue 09:00–10:00 (60)
PAUSED_WORKING_MINUTES = 570


def _dispatched(world: World, **fields: object) -> Ticket:
    with time_machine.travel(DISPATCHED, tick=False):
        ticket = new_ticket(world, "小区暖气不热", **fields)
        dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
        dispatch.ticket_triage(ticket=ticket, actor=world.agent)
        dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    return Ticket.objects.get(pk=ticket.pk)


def _pause(world: World, ticket: Ticket, start=SUSPENDED, end=RESUMED) -> Ticket:
    with time_machine.travel(start, tick=False):
        handling.ticket_suspend(ticket=ticket, actor=world.shift_lead, reason="等待司法鉴定")
    ticket.refresh_from_db()
    with time_machine.travel(end, tick=False):
        handling.ticket_resume(ticket=ticket, actor=world.shift_lead)
    return Ticket.objects.get(pk=ticket.pk)


def test_working_hour_deadline_moves_by_the_working_time_of_the_pause(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    # 16 working hours from Thursday 10:00: Thu 6 h, Fri 7 h, Saturday (make-up) 09:00–12:00.
    assert ticket.reply_due_at == at("2026-02-14T12:00")
    assert ticket.deadline_rules["reply"]["unit"] == "wh"
    assert ticket.deadline_rules["reply"]["start"] == DISPATCHED.isoformat()

    ticket = _pause(world, ticket)

    # 4.5 working hours were left at the suspension; they run from Tuesday 10:00.
    assert ticket.reply_due_at == at("2026-02-24T16:00")
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.paused_seconds == int((RESUMED - SUSPENDED).total_seconds())
    assert ticket.paused_working_minutes == PAUSED_WORKING_MINUTES
    assert ticket.deadline_rules["reply"]["pauses"] == [[SUSPENDED.isoformat(), RESUMED.isoformat()]]


def test_working_day_deadline_of_an_unacknowledged_ticket_moves_too(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    assert ticket.unit_acknowledge_due_at == at("2026-02-13T23:59:59")

    ticket = _pause(world, ticket)

    # 90 working minutes were left on Friday; they run from Tuesday 10:00.
    assert ticket.unit_acknowledge_due_at == at("2026-02-24T11:30")


def test_a_whole_paused_working_day_keeps_the_end_of_day_of_a_working_day_limit(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    # Paused all of Friday's working time (09:00–17:30) from Thursday evening.
    ticket = _pause(world, ticket, start=at("2026-02-12T20:00"), end=at("2026-02-13T18:00"))
    assert ticket.paused_working_minutes == 420
    assert ticket.unit_acknowledge_due_at == at("2026-02-14T23:59:59")  # the make-up Saturday


def test_a_pause_over_a_weekend_costs_no_working_time(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    before = ticket.reply_due_at
    # Friday 2026-03-06 17:30 → Monday 03-09 09:00: no working minute in between.
    ticket = _pause(world, ticket, start=at("2026-03-06T17:30"), end=at("2026-03-09T09:00"))
    assert ticket.paused_working_minutes == 0
    assert ticket.paused_seconds == int(timedelta(days=2, hours=15, minutes=30).total_seconds())
    assert ticket.reply_due_at == before


def test_calendar_limits_move_by_plain_time(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world, urgency=Urgency.URGENT)
    assert ticket.reply_due_at == DISPATCHED + timedelta(hours=48)
    ticket = _pause(world, ticket)
    assert ticket.reply_due_at == DISPATCHED + timedelta(hours=48) + (RESUMED - SUSPENDED)
    # The working-day limit of the same ticket still moves in working time.
    assert ticket.unit_acknowledge_due_at == at("2026-02-24T11:30")


def test_the_resumed_event_records_both_lengths_and_every_move(world: World) -> None:
    use_working_time_rules()
    ticket = _pause(world, _dispatched(world))
    event = ticket.events.get(kind=EventKind.RESUMED)
    assert event.payload["paused_seconds"] == int((RESUMED - SUSPENDED).total_seconds())
    assert event.payload["paused_working_minutes"] == PAUSED_WORKING_MINUTES
    moves = event.payload["deadlines"]
    assert set(moves) == {"reply", "unit_acknowledge"}
    assert moves["reply"] == {"from": "2026-02-14T12:00:00+08:00", "to": "2026-02-24T16:00:00+08:00"}


def test_pauses_add_up_and_done_stages_do_not_move(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    with time_machine.travel(at("2026-02-12T11:00"), tick=False):
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
    ticket = _pause(world, Ticket.objects.get(pk=ticket.pk), start=at("2026-02-12T11:00"), end=at("2026-02-12T14:00"))
    assert ticket.paused_working_minutes == 90  # 11:00–12:00 and 13:30–14:00
    assert ticket.unit_acknowledge_due_at == at("2026-02-13T23:59:59")  # acknowledged: not moved
    ticket = _pause(world, ticket, start=at("2026-02-13T09:00"), end=at("2026-02-13T10:00"))
    assert ticket.paused_working_minutes == 150
    # 16 working hours from Thursday 10:00 end Saturday 12:00; 150 paused minutes more → 16:00.
    assert ticket.reply_due_at == at("2026-02-14T16:00")
    assert len(ticket.deadline_rules["reply"]["pauses"]) == 2


def test_a_deadline_without_a_known_rule_moves_by_plain_time(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    due = ticket.reply_due_at
    assert due is not None
    Ticket.objects.filter(pk=ticket.pk).update(deadline_rules={}, reply_due_at=due)
    ticket.refresh_from_db()
    handling.ticket_suspend(ticket=ticket, actor=world.shift_lead, reason="等待鉴定")
    assert ticket.suspended_at is not None
    Ticket.objects.filter(pk=ticket.pk).update(suspended_at=ticket.suspended_at - timedelta(hours=5))
    ticket.refresh_from_db()
    handling.ticket_resume(ticket=ticket, actor=world.shift_lead)
    ticket.refresh_from_db()
    # The Beijing preset gives 7 calendar days: found again from the dispatch, plain time.
    assert ticket.deadline_rules["reply"]["unit"] == "d"
    assert ticket.reply_due_at is not None and ticket.reply_due_at - due >= timedelta(hours=5)


def test_extension_and_rework_record_the_moves_in_their_events(world: World) -> None:
    use_working_time_rules()
    ticket = _dispatched(world)
    with time_machine.travel(at("2026-02-12T11:00"), tick=False):
        dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
        until = at("2026-03-02T17:30")
        handling.ticket_extension_request(ticket=ticket, actor=world.township_staff, until=until, reason="需现场勘察")
        handling.ticket_extension_decide(ticket=ticket, actor=world.shift_lead, approve=True)
    ticket.refresh_from_db()
    approved = ticket.events.get(kind=EventKind.EXTENSION_APPROVED)
    assert approved.payload["deadlines"]["reply"]["to"] == until.isoformat()
    assert ticket.deadline_rules["reply"]["extended"] is True

    with time_machine.travel(at("2026-03-02T10:00"), tick=False):
        handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已处理")
        handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
        callbacks.ticket_rework(ticket=ticket, actor=world.callback_agent, reason="回访不满意")
    ticket.refresh_from_db()
    rework = ticket.events.get(kind=EventKind.REWORK)
    # The rework restarts the reply stage from its own moment: 16 working hours from Monday 10:00.
    assert rework.payload["deadlines"]["reply"] == {"from": until.isoformat(), "to": "2026-03-04T12:00:00+08:00"}
    assert ticket.deadline_rules["reply"]["start"] == at("2026-03-02T10:00").isoformat()
    assert "extended" not in ticket.deadline_rules["reply"]
