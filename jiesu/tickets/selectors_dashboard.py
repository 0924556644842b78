"""Reads of the leaders' dashboard (数据看板): tickets received per day, open tickets by status and
the overdue count, always within the viewer's scope (tickets_visible_to)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from jiesu.orgs.models import User
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.selectors import ticket_status_counts, tickets_visible_to
from jiesu.tickets.selectors_queues import OPEN_STATUSES, overdue_condition
from jiesu.tickets.selectors_search import moment_range

DASHBOARD_DAYS = 30


def tickets_received_per_day(*, viewer: User | None, today: date, days: int = DASHBOARD_DAYS) -> list[dict[str, Any]]:
    """Tickets received on each of the `days` days up to `today` (local time), zeros included."""
    first = today - timedelta(days=days - 1)
    rows = (
        tickets_visible_to(viewer=viewer)
        .filter(moment_range("received_at", first, today))
        .annotate(day=TruncDate("received_at"))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    found = {row["day"]: row["n"] for row in rows}
    every_day = (first + timedelta(days=i) for i in range(days))
    return [{"day": day.isoformat(), "count": found.get(day, 0)} for day in every_day]


def tickets_open_by_status(*, viewer: User | None) -> list[dict[str, Any]]:
    """Open tickets per status, in the workflow's order, zeros included."""
    counts = ticket_status_counts(viewer=viewer, statuses=OPEN_STATUSES)
    return [{"status": status, "label": str(TicketStatus(status).label), "count": n} for status, n in counts.items()]


def tickets_overdue_count(*, viewer: User | None) -> int:
    return tickets_visible_to(viewer=viewer).filter(overdue_condition()).count()
