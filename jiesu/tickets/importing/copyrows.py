"""A batch of new tickets as PostgreSQL COPY text, with ids taken from the sequences up front.

Why text written here rather than `copy.write_row`: psycopg adapts each value of each row in
Python (about 13 µs a row), and a batch is ten rows per ticket (the ticket, ~7.5 events, its
units, its callback). Formatting a line is one join over values that are mostly constants of the
batch (template) or memoised (moments recur in a ticket, its events and its assignments).

Ids come from the tables' own sequences (`nextval` over a series, one query per table per batch),
so events can name their ticket and a callback its event without reading anything back, and the
lines of a batch are complete before they are sent: the COPY can run on another connection
while the next batch is parsed (`pipeline.py`). The ticket number is the line's first column,
filled in when the numbers are reserved, inside the transaction that inserts the tickets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import BooleanField, DateTimeField, Field, ForeignKey, IntegerField, JSONField, Model
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind
from jiesu.tickets.importing.planner import TicketPlan
from jiesu.tickets.importing.values import ticket_values
from jiesu.tickets.models import Callback, Ticket, TicketEvent, TicketUnit

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
EVENT_COLUMNS = ("id", "ticket", "kind", "from_status", "to_status", "occurred_at", "recorded_at", "reason", "payload")
UNIT_COLUMNS = ("ticket", "unit", "role", "assigned_at", "is_active")
CALLBACK_COLUMNS = ("ticket", "event", "called_at", "is_valid", "contacted", "resolved", "satisfaction", "note")
Encode = Callable[[Any], str]
KIND_TEXT = {kind: str(kind.value) for kind in EventKind}


def copy_text(value: object) -> str:
    """A text value in COPY's text format (the four characters it escapes)."""
    if value is None:
        return NULL
    text = str(value)
    # Four substring tests are cheaper than translate(), which copies; most values need no escape.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _flag(value: object) -> str:
    return NULL if value is None else ("t" if value else "f")


def _integer(value: object) -> str:
    return NULL if value is None else str(value)


@lru_cache(maxsize=1 << 16)
def copy_moment(value: datetime | None) -> str:
    """PostgreSQL reads ISO-8601 with an offset as the same instant; aware values only."""
    return NULL if value is None else value.isoformat()


def json_text(encoder_class: type[json.JSONEncoder] | None = None) -> Encode:
    """A JSON serialiser for COPY text, built once: `json.dumps` builds a C encoder on every call,
    which cost more than the encoding of a small payload. Non-ASCII stays as it is (jsonb stores
    the same value), so Chinese text needs no escaping twice."""
    encoder = (encoder_class or json.JSONEncoder)(ensure_ascii=False)
    make: Callable[..., Callable[[Any, int], tuple[str, ...]]] | None = getattr(json.encoder, "c_make_encoder", None)
    plain = type(encoder).iterencode is json.JSONEncoder.iterencode
    if make is None or not plain:  # no C accelerator, or an encoder that encodes its own way
        return lambda value: NULL if value is None else copy_text(encoder.encode(value))
    encode = make(None, encoder.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: NULL if value is None else copy_text("".join(encode(value, 0)))


def _encoder(model_field: Field[Any, Any]) -> Encode:
    if isinstance(model_field, DateTimeField):
        return copy_moment
    if isinstance(model_field, BooleanField):
        return _flag
    if isinstance(model_field, IntegerField | ForeignKey):
        return _integer
    if isinstance(model_field, JSONField):
        return json_text(model_field.encoder)
    if model_field.get_internal_type() in ("CharField", "TextField") and type(model_field).get_db_prep_value is (
        Field.get_db_prep_value
    ):
        return copy_text

    def prepared(value: object) -> str:  # sealed text, dates, decimals: as the field stores them
        stored = model_field.get_db_prep_save(value, connection)
        if isinstance(stored, date | Decimal):
            return str(stored)
        return copy_text(stored)

    return prepared


def columns_sql(model: type[Model], names: tuple[str, ...]) -> str:
    """`table (col, ...)` for a COPY statement, columns by field name."""
    quote = connection.ops.quote_name
    column_of = {f.name: f.column for f in model._meta.concrete_fields}
    return f"{quote(model._meta.db_table)} ({', '.join(quote(column_of[n]) for n in names)})"


class TicketLines:
    """Ticket lines: the field defaults of the batch, overwritten by what the row and its plan set.
    The number column comes first and is left out of `rest`, to be prefixed when reserved."""

    def __init__(self, now: datetime) -> None:
        fields = [f for f in Ticket._meta.concrete_fields if f.name not in ("id", "number")]
        self.names = ("number", "id", *(f.name for f in fields))
        self.encoders = [_encoder(f) for f in fields]
        self.position = {f.attname: i for i, f in enumerate(fields)}
        self.slots = {name: (i, self.encoders[i]) for name, i in self.position.items()}
        template: list[Any] = [f.get_default() for f in fields]
        template[self.position["created_at"]] = template[self.position["updated_at"]] = now
        self.template = [encode(value) for encode, value in zip(self.encoders, template, strict=True)]

    def rest(self, pk: int, values: dict[str, object]) -> str:
        """Everything of the line after the number: "\\t<id>\\t...\\n"."""
        line = self.template.copy()
        slots = self.slots
        for name, value in values.items():
            index, encode = slots[name]
            line[index] = encode(value)
        return f"\t{pk}\t" + "\t".join(line) + "\n"


@dataclass
class CopyBatch:
    """New tickets of one batch, line by line, grouped per ticket (the fallback writes one ticket
    per transaction); `rows` are the ledger row numbers, for messages."""

    rows: list[int] = field(default_factory=list)
    day_keys: list[str] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)  # line without its leading number
    events: list[str] = field(default_factory=list)  # all event lines of a ticket, joined
    units: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)
    ticket_columns: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.tickets)

    def subset(self, index: int) -> CopyBatch:
        return CopyBatch(
            rows=[self.rows[index]],
            day_keys=[self.day_keys[index]],
            tickets=[self.tickets[index]],
            events=[self.events[index]],
            units=[self.units[index]],
            callbacks=[self.callbacks[index]],
            ticket_columns=self.ticket_columns,
        )


def sequence_block(model: type[Model], count: int) -> list[int]:
    """`count` fresh ids of `model` from its sequence (never rolled back: gaps are harmless)."""
    if count == 0:
        return []
    # The sequence is looked up once (a STABLE call in the select list runs per row, six times the
    # cost of the nextval), and one array comes back rather than `count` rows.
    sql = (
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq)"
        " SELECT array_agg(nextval(s.seq)) FROM s, generate_series(1, %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.db_table, count])
        return list(cursor.fetchone()[0])


def copy_batch(plans: list[TicketPlan], actor: User | None) -> CopyBatch:
    """The COPY lines of `plans`; takes ids from the sequences on the current connection."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    lines = TicketLines(now)
    ticket_ids = sequence_block(Ticket, len(plans))
    event_ids = iter(sequence_block(TicketEvent, sum(len(p.steps) for p in plans)))
    recorded = copy_moment(now)
    payload_text = json_text(TicketEvent._meta.get_field("payload").encoder)
    empty_payload = payload_text({})
    batch = CopyBatch(ticket_columns=lines.names)
    for plan, pk in zip(plans, ticket_ids, strict=True):
        received = plan.record.times["received_at"]
        batch.rows.append(plan.record.row)
        batch.day_keys.append(received.astimezone(zone).strftime("%Y%m%d"))
        batch.tickets.append(lines.rest(pk, ticket_values(plan, actor)))
        events, last_event = [], 0
        for step in plan.steps:
            last_event = next(event_ids)
            payload = payload_text(step.payload) if step.payload else empty_payload
            statuses = f"{step.from_status!s}\t{step.to_status!s}"  # !s: the value, not the member name
            events.append(
                f"{last_event}\t{pk}\t{KIND_TEXT[step.kind]}\t{statuses}\t{copy_moment(step.at)}"
                f"\t{recorded}\t{copy_text(step.reason)}\t{payload}\n"
            )
        batch.events.append("".join(events))
        at = copy_moment(plan.assigned_at)
        batch.units.append("".join(f"{pk}\t{unit.pk}\t{role!s}\t{at}\tt\n" for unit, role in plan.assignments))
        batch.callbacks.append(_callback_line(plan, pk, last_event))
    return batch


def _callback_line(plan: TicketPlan, pk: int, event_id: int) -> str:
    step = plan.steps[-1]
    if step.kind != EventKind.CALLBACK_RECORDED:
        return ""
    answers = step.payload
    flags = "\t".join(_flag(answers[k]) for k in ("is_valid", "contacted", "resolved"))
    return f"{pk}\t{event_id}\t{copy_moment(step.at)}\t{flags}\t{copy_text(answers['satisfaction'])}\t\n"


def event_columns() -> str:
    return columns_sql(TicketEvent, EVENT_COLUMNS)


def unit_columns() -> str:
    return columns_sql(TicketUnit, UNIT_COLUMNS)


def callback_columns() -> str:
    return columns_sql(Callback, CALLBACK_COLUMNS)
