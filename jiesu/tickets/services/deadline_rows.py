"""Reading and writing ticket rows in bulk for `deadlines_recompute` (jiesu.tickets.services.recompute).

A row is a plain tuple (see the index constants) with every moment as integer microseconds since
the Unix epoch: on PostgreSQL the database hands them over as integers, which costs a fraction
of decoding a dozen timestamptz values per ticket, and integers compare cheaply.

Writing: only the deadlines and the changed `deadline_rules` entries. On PostgreSQL one batch
travels as one array per column and is joined with `unnest`: a single UPDATE with a dozen
parameters whatever the batch size (a VALUES list needs a parameter per cell and hits the 65,535
limit at large batches). On SQLite (the other supported database) one UPDATE per row. Either way
a row is written only if its version is still the one that was read, and the version moves on,
so a concurrent transition neither overwrites nor is overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import BigIntegerField, QuerySet, TextField
from django.db.models.expressions import RawSQL

from jiesu.sla.calendar import SHANGHAI
from jiesu.tickets.models import Ticket

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)

DUE_COLUMNS = (
    "acknowledge_due_at",
    "first_contact_due_at",
    "dispatch_due_at",
    "unit_acknowledge_due_at",
    "reply_due_at",
    "callback_due_at",
    "sector_confirmation_due_at",
)
MOMENT_COLUMNS = ("received_at", "acknowledged_at", "dispatched_at", "closed_at", "sector_pushed_at", *DUE_COLUMNS)
FACT_COLUMNS = ("urgency", "kind", "is_complex", "channel")
# Row layout.
ID, VERSION, LEAD_UNIT, SECTOR_PENDING, RULES = range(5)
FACTS = slice(5, 11)  # urgency, kind, is_complex, channel, category code, unit kind
MOMENTS = 11  # first of MOMENT_COLUMNS
DUES = MOMENTS + 5  # first of DUE_COLUMNS

Row = tuple[Any, ...]


def to_us(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_US


def from_us(us: int) -> datetime:
    """The moment in Shanghai time (what the calendar maths wants). Exact: the float division
    errs by far less than half a microsecond until the 23rd century, and is rounded back."""
    return datetime.fromtimestamp(us / 1_000_000, SHANGHAI)


def rows_read(tickets: QuerySet[Ticket], *, after_id: int, limit: int) -> list[Row]:
    """The next `limit` rows of `tickets` with an id above `after_id`, in id order."""
    page = tickets.filter(id__gt=after_id).order_by("id")
    if connection.vendor == "postgresql":
        return _read_postgresql(page, limit)
    return _read_sqlite(page, limit)


# Only these tickets' `deadline_rules` can change a recompute (a restarted stage, pauses, an
# extension, a sector window); for the others the server sends no JSON, which is most of the
# cost of reading a row, and their entries are patched, not replaced, when a deadline moves.
_RULES_NEEDED = (
    "{t}.rework_count > 0 OR {t}.paused_seconds > 0 OR {t}.sector_confirmation_pending "
    """OR {t}.deadline_rules @> '{{"reply": {{"extended": true}}}}'"""
)


def _read_postgresql(page: QuerySet[Ticket], limit: int) -> list[Row]:
    quote = connection.ops.quote_name
    table = quote(Ticket._meta.db_table)
    moments = {
        f"us_{c}": RawSQL(  # noqa: S611 - names from the model
            f"(extract(epoch FROM {table}.{quote(c)}) * 1000000)::bigint", (), BigIntegerField()
        )
        for c in MOMENT_COLUMNS
    }
    needed = _RULES_NEEDED.format(t=table)
    rules = RawSQL(f"CASE WHEN {needed} THEN {table}.deadline_rules::text END", (), TextField())  # noqa: S611
    rows = page.annotate(rules_text=rules, **moments).values_list(
        "id",
        "version",
        "lead_unit_id",
        "sector_confirmation_pending",
        "rules_text",
        *FACT_COLUMNS,
        "category__code",
        "lead_unit__kind",
        *moments,
    )[:limit]
    return [row if row[RULES] is None else (*row[:RULES], json.loads(row[RULES]), *row[RULES + 1 :]) for row in rows]


def _read_sqlite(page: QuerySet[Ticket], limit: int) -> list[Row]:
    fields = (
        "id",
        "version",
        "lead_unit_id",
        "sector_confirmation_pending",
        "deadline_rules",
        *FACT_COLUMNS,
        "category__code",
        "lead_unit__kind",
        *MOMENT_COLUMNS,
    )
    return [
        (*row[:MOMENTS], *(None if m is None else to_us(m) for m in row[MOMENTS:]))
        for row in page.values_list(*fields)[:limit]
    ]


@dataclass(frozen=True)
class DeadlineRow:
    ticket_id: int
    version: int  # as read: the row is written only if it is unchanged since
    dues: tuple[int | None, ...]  # microseconds since the epoch, in DUE_COLUMNS order
    patch: dict[str, Any]  # `deadline_rules` entries to set; None removes one

    def entries(self) -> str:
        return json.dumps({k: v for k, v in self.patch.items() if v is not None}, cls=DjangoJSONEncoder)

    def removed(self) -> str:
        return ",".join(k for k, v in self.patch.items() if v is None)


def deadlines_write(rows: list[DeadlineRow], *, now: datetime) -> set[int]:
    """Write the rows; returns the ids of those still unchanged since read, which were written."""
    if not rows:
        return set()
    if connection.vendor == "postgresql":
        return _write_postgresql(rows, now)
    return _write_sqlite(rows, now)


def _quoted() -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    return quote(Ticket._meta.db_table), [quote(name) for name in DUE_COLUMNS]


def _write_postgresql(rows: list[DeadlineRow], now: datetime) -> set[int]:
    table, dues = _quoted()
    names = [f"d{i}" for i in range(len(dues))]
    # Integer microseconds become timestamps in the server, exactly (no float on the way).
    assignments = ", ".join(
        f"{column} = timestamptz 'epoch' + v.{name} * interval '1 microsecond'"
        for column, name in zip(dues, names, strict=True)
    )
    arrays = ", ".join(["%s::bigint[]"] * len(dues))
    sql = (
        f"UPDATE {table} AS t SET {assignments}, "  # noqa: S608 - names from the model
        f"deadline_rules = (t.deadline_rules - string_to_array(v.removed, ',')) || v.rules::jsonb, "
        f"version = t.version + 1, updated_at = %s "
        f"FROM unnest(%s::bigint[], %s::int[], {arrays}, %s::text[], %s::text[]) "
        f"AS v(id, version, {', '.join(names)}, rules, removed) "
        f"WHERE t.id = v.id AND t.version = v.version RETURNING t.id"
    )
    columns: list[list[Any]] = [[row.dues[i] for row in rows] for i in range(len(dues))]
    params: list[Any] = [
        now,
        [row.ticket_id for row in rows],
        [row.version for row in rows],
        *columns,
        [row.entries() for row in rows],
        [row.removed() for row in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {ticket_id for (ticket_id,) in cursor.fetchall()}


def _write_sqlite(rows: list[DeadlineRow], now: datetime) -> set[int]:
    """One UPDATE per row (SQLite serves small centers); its json_patch is a JSON merge patch:
    a null member removes the entry."""
    table, dues = _quoted()
    ops = connection.ops
    assignments = ", ".join(f"{column} = %s" for column in dues)
    sql = (
        f"UPDATE {table} SET {assignments}, deadline_rules = json_patch(deadline_rules, %s), "  # noqa: S608
        f"version = version + 1, updated_at = %s WHERE id = %s AND version = %s"
    )
    stamp = ops.adapt_datetimefield_value(now)
    params = [
        (
            *(None if due is None else ops.adapt_datetimefield_value(from_us(due)) for due in row.dues),
            json.dumps(row.patch, cls=DjangoJSONEncoder),
            stamp,
            row.ticket_id,
            row.version,
        )
        for row in rows
    ]
    written = set()
    with connection.cursor() as cursor:
        for row, values in zip(rows, params, strict=True):
            cursor.execute(sql, values)
            if cursor.rowcount == 1:
                written.add(row.ticket_id)
    return written
