"""Counting tickets per cell and day in the database and judging each cell's window.

A cell is a category (its ancestor at `category_level`, or itself when shallower) in a township,
and the same category in a district: a burst spread over a district's townships shows only at the
district. Tickets without a category, or without any place, are in no cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from jiesu.intel.bursts import baseline
from jiesu.intel.bursts.baseline import Expectation, Span
from jiesu.intel.bursts.config import BurstSettings, burst_settings
from jiesu.intel.bursts.labels import burst_label
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category, Ticket

TOWNSHIP = "township"
DISTRICT = "district"
CellKey = tuple[int, str, int]  # (category id at the cell level, TOWNSHIP | DISTRICT, unit id)


@dataclass
class Burst:
    key: str
    label: str
    span: Span
    count: int
    expected: Expectation
    probability: float
    score: float
    category: Category
    unit: Unit
    ticket_numbers: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.count / self.expected.value


def burst_key(category: Category, unit: Unit) -> str:
    """Stable across databases and re-imports: codes, not ids."""
    return f"cat:{category.code}|{unit.kind}:{unit.code or unit.pk}"


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_spans(spans: list[Span]) -> Q:
    condition = Q()
    for span in spans:
        condition |= Q(received_at__gte=_moment(span.start), received_at__lt=_moment(span.end + timedelta(days=1)))
    return condition


def _ancestors(level: int) -> dict[int, int]:
    """Category id → id of its ancestor at `level` (itself when shallower); paths are "/1/5/9/"."""
    found = {}
    for pk, path in Category.objects.values_list("pk", "path"):
        parts = [p for p in path.split("/") if p]
        found[pk] = int(parts[min(level, len(parts)) - 1]) if parts else pk
    return found


def cell_daily_counts(spans: list[Span], level: int) -> dict[CellKey, dict[date, int]]:
    """Tickets per cell and local day within the spans: one grouped query."""
    ancestors = _ancestors(level)
    rows = (
        Ticket.objects.filter(_in_spans(spans), category__isnull=False)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "category_id", "township_id", "district_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[CellKey, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for day, category_id, township_id, district_id, n in rows:
        top = ancestors.get(category_id, category_id)
        if township_id is not None:
            counts[(top, TOWNSHIP, township_id)][day] += n
        if district_id is not None:
            counts[(top, DISTRICT, district_id)][day] += n
    return counts


def first_day() -> date | None:
    first = Ticket.objects.aggregate(first=Min("received_at"))["first"]
    return timezone.localdate(first) if first is not None else None


def bursts_detect(on: date, settings: BurstSettings | None = None) -> list[Burst]:
    """The cells whose window ending on `on` is a burst, most improbable first."""
    settings = settings or burst_settings(on)
    start = first_day()
    if start is None:
        return []
    span = baseline.observed_span(on, settings)
    seasonal = baseline.seasonal_spans(span, settings, start)
    recent = baseline.recent_spans(span, settings, start)
    counts = cell_daily_counts([span, *recent, *(s for year in seasonal for s in year)], settings.category_level)
    found = []
    for cell, daily in counts.items():
        burst = _judge(cell, daily, span, seasonal, recent, settings)
        if burst is not None:
            found.append(burst)
    # A township before its district on a tie: the narrower place says more.
    found.sort(key=lambda b: (-b.score, -b.count, b.unit.kind != TOWNSHIP, b.key))
    return found


def _judge(
    cell: CellKey,
    daily: dict[date, int],
    span: Span,
    seasonal: list[list[Span]],
    recent: list[Span],
    settings: BurstSettings,
) -> Burst | None:
    observed = baseline.span_count(daily, span)
    if observed < settings.min_count:
        return None
    expected = baseline.expectation(daily, seasonal, recent, settings)
    if expected is None:
        return None
    probability = baseline.tail_probability(observed, expected.value)
    if not baseline.is_burst(observed, expected.value, probability, settings):
        return None
    category = Category.objects.get(pk=cell[0])
    unit = Unit.objects.get(pk=cell[2])
    burst = Burst(
        key=burst_key(category, unit),
        label="",
        span=span,
        count=observed,
        expected=expected,
        probability=probability,
        score=round(baseline.improbability(probability), 2),
        category=category,
        unit=unit,
    )
    burst.ticket_numbers, burst.label = burst_label(burst.category, burst.unit, cell[1], span, settings.max_tickets)
    return burst
