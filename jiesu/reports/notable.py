"""Notable tickets of a report period (重点工单): supervised, urgent, longest overdue and most
repeated, each found by one small ordered query of at most ten rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from jiesu.kpi.indicators import Window
from jiesu.kpi.selectors import NO_GROUP_NAME
from jiesu.tickets.choices import FINAL_STATUSES, EventKind, Urgency
from jiesu.tickets.models import Ticket, TicketEvent

LIMIT = 10
FIELDS = ("pk", "number", "title", "district__name", "category__name")


@dataclass(frozen=True)
class NotableTicket:
    """A ticket a report points out, with why (督办件, 紧急诉求, 超期3天, 重复诉求2次)."""

    number: str
    title: str
    district: str
    category: str
    reason: str
    ticket_id: int = 0


@dataclass(frozen=True)
class _Found:
    row: dict[str, Any]
    reason: str


def notable_tickets(*, window: Window, where: Q | None, now: datetime) -> list[NotableTicket]:
    """Up to ten tickets, taken in turn from each kind of notable ticket so that every kind shows;
    a ticket notable for several reasons appears once, with the first reason."""
    base = Ticket.objects.order_by()
    if where is not None:
        base = base.filter(where)
    lists = [
        _supervised(base, window),
        _urgent(base, window),
        _overdue(base, window, now),
        _repeated(base, window, narrowed=where is not None),
    ]
    chosen: dict[int, _Found] = {}
    for rank in range(LIMIT):
        for found in lists:
            if rank < len(found) and found[rank].row["pk"] not in chosen and len(chosen) < LIMIT:
                chosen[found[rank].row["pk"]] = found[rank]
    return [
        NotableTicket(
            number=f.row["number"],
            title=f.row["title"],
            district=f.row["district__name"] or NO_GROUP_NAME,
            category=f.row["category__name"] or NO_GROUP_NAME,
            reason=f.reason,
            ticket_id=f.row["pk"],
        )
        for f in chosen.values()
    ]


def in_window(field_name: str, window: Window) -> Q:
    return Q(**{f"{field_name}__gte": window.start, f"{field_name}__lt": window.end})


def overdue_in(window: Window, now: datetime) -> Q:
    """Reply deadline in the window and already passed (before `now`), reply missing or given
    after the deadline; returned to the city or merged without a reply is not overdue."""
    until = Window(window.start, min(window.end, now))
    missing = Q(replied_at__isnull=True) & ~Q(status__in=sorted(FINAL_STATUSES))
    return in_window("reply_due_at", until) & (missing | Q(replied_at__gt=F("reply_due_at")))


def _received_in(window: Window) -> Q:
    return in_window("received_at", window)


def _supervised(base: QuerySet[Ticket], window: Window) -> list[_Found]:
    """Supervised (督办) in the window."""
    events = TicketEvent.objects.filter(
        kind=EventKind.SUPERVISED, occurred_at__gte=window.start, occurred_at__lt=window.end
    ).values("ticket_id")
    rows = base.filter(pk__in=events).order_by("-received_at", "-pk").values(*FIELDS)[:LIMIT]
    return [_Found(r, "督办件") for r in rows]


def _urgent(base: QuerySet[Ticket], window: Window) -> list[_Found]:
    rows = base.filter(_received_in(window), urgency=Urgency.URGENT).order_by("-received_at", "-pk")
    return [_Found(r, "紧急诉求") for r in rows.values(*FIELDS)[:LIMIT]]


def _overdue(base: QuerySet[Ticket], window: Window, now: datetime) -> list[_Found]:
    """Overdue in the window (jiesu.reports.facts.overdue_in), the longest overdue first."""
    lateness = ExpressionWrapper(
        Coalesce(F("replied_at"), Value(min(window.end, now))) - F("reply_due_at"), output_field=DurationField()
    )
    rows = (
        base.filter(overdue_in(window, now))
        .annotate(lateness=lateness)
        .order_by("-lateness", "pk")
        .values(*FIELDS, "lateness")[:LIMIT]
    )
    return [_Found(r, f"超期{_duration(r['lateness'])}") for r in rows]


def _repeated(base: QuerySet[Ticket], window: Window, *, narrowed: bool) -> list[_Found]:
    """Received in the window with the most repeat appeals merged into it (并单)."""
    # Driven from the few merged tickets (the merged_into index) joined to their master, rather
    # than from every ticket of the period probing that index.
    merged = Ticket.objects.filter(
        merged_into__isnull=False,
        merged_into__received_at__gte=window.start,
        merged_into__received_at__lt=window.end,
    )
    if narrowed:
        merged = merged.filter(merged_into__in=base.filter(_received_in(window)).values("pk"))
    counts = merged.order_by().values("merged_into").annotate(n=Count("pk")).order_by("-n", "merged_into")[:LIMIT]
    repeats = {r["merged_into"]: r["n"] for r in counts}
    rows = {r["pk"]: r for r in Ticket.objects.filter(pk__in=list(repeats)).values(*FIELDS)}
    return [_Found(rows[pk], f"重复诉求{n}次") for pk, n in repeats.items() if pk in rows]


def _duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    hours = int(value.total_seconds() // 3600)
    if hours < 24:
        return f"{max(hours, 1)}小时"
    return f"{hours // 24}天"
