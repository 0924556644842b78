"""The counting queries behind report facts (jiesu.reports.facts): each one GROUP BY or COUNT over
one indexed timestamp range, so PostgreSQL reads only the period's rows through that index
instead of scanning the table for an OR of several windows (bench/bench_reports.py).

Every function takes `where`, the special report's narrowing condition (None for all tickets).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from jiesu.kpi.indicators import Window
from jiesu.kpi.selectors import NO_GROUP_NAME
from jiesu.orgs.models import Unit
from jiesu.reports.notable import in_window, overdue_in
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Category, Ticket, TicketEvent

# (code, name) by primary key; a missing key (no unit, no category) is labelled 未指定.
Labels = dict[int, tuple[str, str]]


@dataclass(frozen=True)
class Received:
    """Tickets received in the window, per channel and per kind, and the repeat appeals."""

    total: int
    repeat: int
    by_channel: dict[str, int]
    by_kind: dict[str, int]


def tickets(where: Q | None) -> QuerySet[Ticket]:
    found = Ticket.objects.order_by()
    return found.filter(where) if where is not None else found


def count_in(field_name: str, window: Window, where: Q | None) -> int:
    """Tickets whose `field_name` falls in the window (an index-only count on PostgreSQL)."""
    return tickets(where).filter(in_window(field_name, window)).count()


def received_in(window: Window, where: Q | None) -> Received:
    """One query grouped by (channel, kind): at most 8 × 7 groups, summed per field here."""
    rows = (
        tickets(where)
        .filter(in_window("received_at", window))
        .values("channel", "kind")
        .annotate(n=Count("pk"), repeat=Count("pk", filter=Q(is_repeat=True)))
    )
    by_channel: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    total = repeat = 0
    for row in rows:
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["n"]
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        total, repeat = total + row["n"], repeat + row["repeat"]
    return Received(total, repeat, by_channel, by_kind)


def areas_in(window: Window, where: Q | None) -> tuple[dict[int | None, int], dict[int | None, int]]:
    """Received tickets per district and per township, from one query grouped by both."""
    rows = (
        tickets(where).filter(in_window("received_at", window)).values("district", "township").annotate(n=Count("pk"))
    )
    districts: dict[int | None, int] = {}
    townships: dict[int | None, int] = {}
    for row in rows:
        districts[row["district"]] = districts.get(row["district"], 0) + row["n"]
        townships[row["township"]] = townships.get(row["township"], 0) + row["n"]
    return districts, townships


def top_categories_in(window: Window, where: Q | None, limit: int) -> dict[int | None, int]:
    rows = (
        tickets(where)
        .filter(in_window("received_at", window))
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:limit]
    )
    return {r["category"]: r["n"] for r in rows}


def per_lead_unit(condition: Q, where: Q | None) -> dict[int | None, int]:
    """Tickets meeting `condition` per lead unit (None: no lead unit yet)."""
    rows = tickets(where).filter(condition).values("lead_unit").annotate(n=Count("pk"))
    return {r["lead_unit"]: r["n"] for r in rows}


def overdue_condition(window: Window) -> Q:
    return overdue_in(window, timezone.now())


def daily_in(start: date, days: int, window: Window, where: Q | None) -> dict[date, int]:
    """Tickets received per day (Beijing time), every day present, zeros included."""
    rows = (
        tickets(where)
        .filter(in_window("received_at", window))
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
    )
    found = {r["day"]: r["n"] for r in rows}
    every = (start + timedelta(days=i) for i in range(days))
    return {day: int(found.get(day, 0)) for day in every}


def returned_in(window: Window, where: Q | None) -> int:
    """Distinct tickets with a return request (申请退单) made in the window."""
    events = TicketEvent.objects.filter(in_window("occurred_at", window), kind=EventKind.RETURN_REQUESTED)
    if where is not None:
        events = events.filter(ticket_id__in=tickets(where).values("pk"))
    return events.values("ticket_id").distinct().count()


def unit_labels(ids: Iterable[int | None]) -> Labels:
    found = Unit.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in found}


def category_labels(ids: Iterable[int | None]) -> Labels:
    found = Category.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "code", "name")
    return {pk: (code, name) for pk, code, name in found}


def label_of(pk: int | None, labels: Labels) -> tuple[str, str]:
    if pk is None:
        return "", NO_GROUP_NAME
    return labels.get(pk, ("", NO_GROUP_NAME))
