"""Where hotspot documents come from: a CSV export, or the tickets in the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.intel import tables
from jiesu.intel.hotspots.detect import Window
from jiesu.intel.hotspots.documents import Document, documents_from_table
from jiesu.tickets.models import Ticket

DEFAULT_DAYS = 30


def csv_documents(
    path: Path,
    *,
    id_column: str,
    text_columns: list[str],
    time_column: str,
    support_column: str | None = None,
    user_column: str | None = None,
) -> list[Document]:
    optional = [c for c in (support_column, user_column) if c]
    table = tables.table_read(path, required=[id_column, *text_columns, time_column, *optional])
    return documents_from_table(
        table,
        id_column=id_column,
        text_columns=text_columns,
        time_column=time_column,
        support_column=support_column,
        user_column=user_column,
    )


def day_window(first: date, last: date) -> Window:
    """Whole local days first … last, as naive local times (the form documents carry)."""
    return Window(datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min))


def default_days(first: date | None, last: date | None, *, today: date | None = None) -> tuple[date, date]:
    """The ticket window, whole days: up to today unless `last` is given, and from `DEFAULT_DAYS`
    days before its end unless `first` is given."""
    if last is None:
        last = today or timezone.localdate()
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    return first, last


def ticket_documents(window: Window) -> list[Document]:
    """Tickets received in the window and its baseline (the same length before it): title and
    content as text, the keyed phone digest as the requester, ticket numbers as ids. Tickets are
    read without a data scope: hotspots are computed by the center over all its tickets, and only
    numbers and counts leave this function's caller."""
    start = timezone.make_aware(window.baseline_start)
    end = timezone.make_aware(window.end)
    rows = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).order_by("received_at", "number")
    return tickets_as_documents(rows)


def tickets_as_documents(tickets: QuerySet[Ticket]) -> list[Document]:
    """Title and content as text, the keyed phone digest as the requester, numbers as ids."""
    rows = tickets.values_list("number", "title", "content", "received_at", "requester_phone_digest")
    return [
        Document(
            id=number,
            title=title,
            body=content,
            time=timezone.localtime(received).replace(tzinfo=None),
            requester=digest or "",
        )
        for number, title, content, received, digest in rows.iterator(chunk_size=5000)
    ]
