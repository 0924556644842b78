"""The period's ledger (台账) rows for the report workbook: one row per ticket received in the
period, streamed from one query.

`values_list` with the names of the related rows joined in the same query, read in large chunks
through a server-side cursor (`.iterator`), so 100,000 rows cost one query and flat memory. The
rows hold no requester data (no name, phone, ID number, address or appeal text): the report pack
goes out by e-mail.

Reading is the costly part on the client: turning four timestamps a row into Python datetimes cost
more than the query itself. So the workbook reads `Ledger.coded()`: choice codes as stored, the
overdue flag computed in SQL, and on PostgreSQL the times already as the Excel serial numbers the
sheet holds (`excel_serial`), as text. Iterating a `Ledger` still gives typed `LedgerRow`s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Case, CharField, F, Func, Q, QuerySet, Value, When
from django.db.models.expressions import Expression
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from jiesu.orgs.models import Unit
from jiesu.reports.facts import family_check, ticket_filter
from jiesu.reports.notable import in_window
from jiesu.reports.periods import ReportPeriod
from jiesu.tickets.choices import FINAL_STATUSES, Channel, Kind, Satisfaction, TicketStatus
from jiesu.tickets.models import Category, Ticket

# Rows a round trip of the server-side cursor brings: few trips, a few megabytes held at a time.
CHUNK_SIZE = 20_000
NAMES = ("category__name", "district__name", "township__name", "lead_unit__name")
NAME_IDS = ("category_id", "district_id", "township_id", "lead_unit_id")
TIMES = ("received_at", "reply_due_at", "closed_at")
CHANNELS, KINDS = dict(Channel.choices), dict(Kind.choices)
STATUSES, SATISFACTION = dict(TicketStatus.choices), dict(Satisfaction.choices)
HEADERS = (
    "工单编号", "受理时间", "受理渠道", "诉求类型", "问题分类", "所属区", "所属街乡镇", "主办单位",
    "状态", "反馈时限", "办结时间", "是否超期", "回访满意度",
)  # fmt: skip


class Labels(dict[Any, str]):
    """What a coded column shows for each value; a value it does not know is shown as read."""

    def __missing__(self, value: Any) -> str:
        return str(value)


class _UnitNames(Labels):
    """Unit names by id, all read once (a few thousand at most); one made since is read then."""

    def __missing__(self, value: Any) -> str:
        name = self[value] = Unit.objects.filter(pk=value).values_list("name", flat=True).first() or ""
        return name


class _CategoryNames(Labels):
    def __missing__(self, value: Any) -> str:
        name = self[value] = Category.objects.filter(pk=value).values_list("name", flat=True).first() or ""
        return name


class LedgerRow(NamedTuple):
    """One ticket of the ledger, in the column order of HEADERS; times in Beijing wall-clock time."""

    number: str
    received_at: datetime
    channel: str
    kind: str
    category: str
    district: str
    township: str
    lead_unit: str
    status: str
    deadline: datetime | None
    closed_at: datetime | None
    overdue: bool
    satisfaction: str


class ExcelSerial(Func):
    """A timestamp as the text of its Excel serial number (days since 1899-12-30) in local time.

    PostgreSQL only: elsewhere (SQLite in the tests) the plain value, converted in Python."""

    output_field = CharField()

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return sql, tuple(params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # 25569 is 1970-01-01 as a serial; float8 text is the shortest exact form of the value.
        serial = f"((EXTRACT(EPOCH FROM (({sql}) AT TIME ZONE %s)) / 86400 + 25569)::float8::text)"
        return serial, (*params, timezone.get_default_timezone_name())


def excel_serials(connection_vendor: str) -> bool:
    """Whether `ExcelSerial` gives serial text (True) or the stored timestamp (False)."""
    return connection_vendor == "postgresql"


def _overdue() -> Expression:
    """The rule of the report's overdue count (jiesu.reports.notable.overdue_in) for one ticket."""
    missing = Q(replied_at__isnull=True) & ~Q(status__in=sorted(FINAL_STATUSES))
    late = Q(reply_due_at__lt=timezone.now()) & (missing | Q(replied_at__gt=F("reply_due_at")))
    return Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField())


def _local(value: datetime | None, zone: tzinfo) -> datetime | None:
    # Excel has no time zones: the ledger shows the Beijing wall-clock time people read on the
    # pages (the report's days are Beijing days too: jiesu.kpi.evaluation.window_of_days).
    return value.astimezone(zone).replace(tzinfo=None) if value is not None else None


class Ledger(Iterator[LedgerRow]):
    """The ledger's rows: typed `LedgerRow`s when iterated, or the faster `coded()` rows shown
    through `labels()`."""

    def __init__(self, tickets: QuerySet[Ticket]) -> None:
        self._tickets = tickets.order_by("received_at", "id")
        self._typed: Iterator[LedgerRow] | None = None

    def __next__(self) -> LedgerRow:
        if self._typed is None:
            self._typed = self._rows()
        return next(self._typed)

    def _values(self, names: tuple[str, ...], *times: Any) -> Iterator[tuple[Any, ...]]:
        received, due, closed = times
        rows = self._tickets.values_list(
            "number", received, "channel", "kind", *names, "status", due, closed, _overdue(), "callback_satisfaction"
        )
        return rows.iterator(chunk_size=CHUNK_SIZE)

    def labels(self) -> tuple[Labels | None, ...]:
        """Per column of `coded()` rows, what each code or id is shown as (None: shown as read)."""
        units = _UnitNames(Unit.objects.values_list("id", "name"))
        categories = _CategoryNames(Category.objects.values_list("id", "name"))
        choices = (Labels(CHANNELS), Labels(KINDS), categories, units, units, units, Labels(STATUSES))
        return (None, None, *choices, None, None, None, Labels(SATISFACTION))

    def coded(self) -> Iterator[tuple[Any, ...]]:
        """Rows in HEADERS order: choice codes and the ids of the named rows (see `labels()`),
        None for a missing id or time, times as Excel serial text if `excel_serials(vendor)` else
        as Beijing wall-clock datetimes."""
        # The names are looked up on the client: joining four tables made the rows the server
        # sorts several times wider, and a year's sort the slowest part of the query.
        # In a transaction the server-side cursor streams; outside one it would be declared WITH
        # HOLD, which runs the whole query and stores its result before the first row comes.
        with transaction.atomic(using=self._tickets.db):
            if excel_serials(connections[self._tickets.db].vendor):
                yield from self._values(NAME_IDS, *(ExcelSerial(F(name)) for name in TIMES))
                return
            zone = timezone.get_default_timezone()
            for row in self._values(NAME_IDS, *TIMES):
                yield (row[0], _local(row[1], zone), *row[2:9], _local(row[9], zone), _local(row[10], zone), *row[11:])

    def _rows(self) -> Iterator[LedgerRow]:
        zone = timezone.get_default_timezone()
        for number, received, channel, kind, *names, status, due, closed, late, sat in self._values(NAMES, *TIMES):
            category, area, township, unit = (name or "" for name in names)
            received = received.astimezone(zone).replace(tzinfo=None)
            channel, kind, status = CHANNELS.get(channel, channel), KINDS.get(kind, kind), STATUSES.get(status, status)
            due, closed, sat = _local(due, zone), _local(closed, zone), SATISFACTION.get(sat, sat or "")
            yield LedgerRow(
                number, received, channel, kind, category, area, township, unit, status, due, closed, bool(late), sat
            )


def ledger_rows(
    period: ReportPeriod, *, family: str = "hotline", topic: str = "", district: Unit | None = None
) -> Ledger:
    """The tickets received in `period` (narrowed like the report's facts), oldest first."""
    family_check(family)
    tickets = Ticket.objects.filter(in_window("received_at", period.window))
    where = ticket_filter(topic=topic.strip(), district=district)
    if where is not None:
        tickets = tickets.filter(where)
    return Ledger(tickets)
