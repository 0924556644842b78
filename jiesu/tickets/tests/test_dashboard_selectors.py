"""Reads of the leaders' dashboard: days cut at local midnight, open statuses, overdue, scope."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_dashboard import tickets_open_by_status, tickets_overdue_count, tickets_received_per_day
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

TODAY = date(2026, 3, 10)


def received_at(world: World, moment: datetime) -> None:
    ticket = new_ticket(world)
    Ticket.objects.filter(pk=ticket.pk).update(received_at=timezone.make_aware(moment))


def test_days_are_cut_at_local_midnight_and_the_window_is_kept(world: World) -> None:
    received_at(world, datetime.combine(TODAY - timedelta(days=1), time(23, 59, 59)))
    received_at(world, datetime.combine(TODAY, time.min))
    received_at(world, datetime.combine(TODAY - timedelta(days=7), time(12)))
    received_at(world, datetime.combine(TODAY - timedelta(days=7), time(12)) - timedelta(days=1))  # day 8: outside
    received_at(world, datetime.combine(TODAY + timedelta(days=1), time.min))  # tomorrow: outside
    days = tickets_received_per_day(viewer=world.leader, today=TODAY, days=7)
    assert [row["day"] for row in days] == [(TODAY - timedelta(days=6 - i)).isoformat() for i in range(7)]
    counts = {row["day"]: row["count"] for row in days}
    assert counts[TODAY.isoformat()] == 1 and counts[(TODAY - timedelta(days=1)).isoformat()] == 1
    assert sum(counts.values()) == 2


def test_open_statuses_and_overdue_follow_the_scope(world: World) -> None:
    late = ticket_in(world, TicketStatus.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=1))
    ticket_in(world, TicketStatus.CLOSED)
    statuses = {row["status"]: row["count"] for row in tickets_open_by_status(viewer=world.leader)}
    assert statuses[TicketStatus.HANDLING] == 1 and TicketStatus.CLOSED not in statuses
    assert tickets_overdue_count(viewer=world.leader) == 1
    assert tickets_overdue_count(viewer=world.other_staff) == 0
    assert sum(row["count"] for row in tickets_open_by_status(viewer=world.other_staff)) == 0
