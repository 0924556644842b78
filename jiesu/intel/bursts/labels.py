"""What an alert is called: place + problem. The problem is the category's name, followed by the
words of the cell's largest hotspot (jiesu.intel.hotspots) when its tickets form one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.intel.bursts.baseline import Span
from jiesu.intel.hotspots import hotspots_detect
from jiesu.intel.hotspots.sources import tickets_as_documents
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category, Ticket

LABEL_MAX = 200
WORDS = 3
WORDS_SEPARATOR = "："


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def cell_tickets(category: Category, unit: Unit, unit_field: str, span: Span) -> QuerySet[Ticket]:
    """The cell's tickets received in the span, oldest first."""
    return Ticket.objects.filter(
        received_at__gte=_moment(span.start),
        received_at__lt=_moment(span.end + timedelta(days=1)),
        category__path__startswith=category.path,
        **{f"{unit_field}_id": unit.pk},
    ).order_by("received_at", "number")


def _hotspot_words(tickets: QuerySet[Ticket], span: Span, exclude: str) -> list[str]:
    documents = tickets_as_documents(tickets)
    start = datetime.combine(span.start, time.min)
    found = hotspots_detect(documents, start=start, end=start + timedelta(days=len(span.days())), limit=1)
    if not found:
        return []
    return [w for w in found[0].problem if w and w not in exclude][:WORDS]


def burst_label(category: Category, unit: Unit, unit_field: str, span: Span, limit: int) -> tuple[list[str], str]:
    """(ticket numbers, label) of a cell's window, e.g. "望京街道·供暖：暖气、不热"."""
    tickets = cell_tickets(category, unit, unit_field, span)
    numbers = list(tickets.values_list("number", flat=True)[:limit])
    label = f"{unit.name}·{category.name}"
    words = _hotspot_words(tickets, span, category.name)
    if words:
        label += WORDS_SEPARATOR + "、".join(words)
    return numbers, label[:LABEL_MAX]


def label_words(label: str) -> list[str]:
    """The hotspot words of a label made by burst_label."""
    _, _, words = label.partition(WORDS_SEPARATOR)
    return [w for w in words.split("、") if w]
