"""Where hotspot documents come from: a CSV export, or the tickets in the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from jiesu.intel import tables
from jiesu.intel.hotspots.detect import Window
from jiesu.intel.hotspots.documents import Document, documents_from_table
from jiesu.intel.hotspots.features import BODY_CHARS
from jiesu.tickets.models import Ticket

DEFAULT_DAYS = 30
CHUNK_ROWS = 10_000  # rows per database round trip


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
    """Title and content as text, the keyed phone digest as the requester, numbers as ids.

    Only the five columns are read, as tuples in chunks (no model instances), and only the head of
    the content that detection reads (`features.BODY_CHARS`): a month of a large center is a
    hundred thousand tickets or more."""
    rows = tickets.annotate(head=Substr("content", 1, BODY_CHARS)).values_list(
        "number", "title", "head", "received_at", "requester_phone_digest"
    )
    zone = timezone.get_current_timezone()
    return [
        Document(
            id=number,
            title=title,
            body=head or "",
            time=received.astimezone(zone).replace(tzinfo=None),
            requester=digest or "",
        )
        for number, title, head, received, digest in rows.iterator(chunk_size=CHUNK_ROWS)
    ]
