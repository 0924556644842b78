"""Writes planned tickets: new ones in bulk, existing ones step by step through ticket_transition.

On SQLite (and any backend but PostgreSQL, which takes COPY: copyrows.py and pipeline.py), new
rows of a batch go in with one bulk insert per table (tickets, events, assignments, callbacks;
see `_insert_rows`). At batch sizes, building a model instance and compiling an INSERT
per row is most of bulk_create's cost; the values here are bound as Django binds them (the
backend's own datetime adapter, JSON as the field's encoder writes it), and the rows are new, so
no model logic is skipped (the models' save() adds nothing but the append-only guard, and the
columns a field derives in pre_save are derived in values.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Max,
    Model,
    TextField,
)
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import EventKind
from jiesu.tickets.importing.planner import PlannedStep, TicketPlan
from jiesu.tickets.importing.values import ticket_values
from jiesu.tickets.models import Callback, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.services.intake import reserve_ticket_number_blocks
from jiesu.tickets.services.transitions import ticket_transition

E = EventKind
KIND_TEXT = {kind: str(kind.value) for kind in EventKind}
Row = tuple[Any, ...]
EVENT_FIELDS = ("ticket", "kind", "from_status", "to_status", "occurred_at", "recorded_at", "reason", "payload")
UNIT_FIELDS = ("ticket", "unit", "role", "assigned_at", "is_active")
MAX_BIND_PARAMETERS = 999  # the smallest common limit (old SQLite builds)
CALLBACK_FIELDS = ("ticket", "event", "called_at", "is_valid", "contacted", "resolved", "satisfaction", "note")


def _insert_rows(model: type[Model], fields: tuple[str, ...], rows: list[Row]) -> None:
    """A plain bulk insert inside the caller's transaction: SQLite re-runs one prepared statement
    in C (executemany); other backends get multi-row VALUES statements. (PostgreSQL imports take
    COPY instead: copyrows.py.)"""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_of = {f.name: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in fields)
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(head + one, rows)
            return
        per = max(1, min(len(rows), MAX_BIND_PARAMETERS // len(fields)))
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])


def _text(value: object) -> object:
    return value if value is None or type(value) is str else str(value)


def _same(value: object) -> object:
    return value


def _sqlite_moment(value: datetime | None) -> str | None:
    """`DatabaseOperations.adapt_datetimefield_value` of the SQLite backend for aware values,
    without its per-call settings lookups (checked against it in the tests)."""
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


class _Binder:
    """Turns Python values into bind parameters for one batch (datetimes memoised: a row's
    moments recur in the ticket, its events and its assignments)."""

    def __init__(self) -> None:
        self.ops = connection.ops
        adapt = self.ops.adapt_datetimefield_value
        if connection.vendor == "sqlite" and connection.timezone == UTC:
            adapt = _sqlite_moment  # what Django stores there: naive UTC text
        self.moment: Callable[[Any], object] = lru_cache(maxsize=1 << 16)(adapt)
        self.json_as_text = connection.vendor == "sqlite"  # SQLite stores JSON as text
        self.empty_json = self._json({})

    def _json(self, value: Any, encoder: type[json.JSONEncoder] | None = None) -> object:
        if self.json_as_text:
            return json.dumps(value, cls=encoder)
        return self.ops.adapt_json_value(value, encoder)

    def json(self, value: dict[str, Any]) -> object:
        # Planned payloads hold only JSON-native values, for which DjangoJSONEncoder writes the
        # same text as the standard encoder (whose fast path needs no custom class).
        return self._json(value) if value else self.empty_json

    def adapter(self, field: Field[Any, Any]) -> Callable[[Any], object]:
        if isinstance(field, DateTimeField):
            return self.moment
        if isinstance(field, JSONField):
            return lambda value: self._json(value, field.encoder)
        if isinstance(field, CharField | TextField):
            return _text
        if isinstance(field, BooleanField | IntegerField | ForeignKey):
            return _same
        return lambda value: field.get_db_prep_save(value, connection)


class _TicketRows:
    """Rows of the ticket table: the field defaults, overwritten by what the row and its plan set."""

    def __init__(self, binder: _Binder, now: datetime) -> None:
        fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
        self.names = tuple(f.name for f in fields)
        self.adapters = [binder.adapter(f) for f in fields]
        self.position = {f.attname: i for i, f in enumerate(fields)}
        template = [f.get_default() for f in fields]
        template[self.position["created_at"]] = template[self.position["updated_at"]] = now
        self.template = [adapt(value) for adapt, value in zip(self.adapters, template, strict=True)]

    def row(self, values: dict[str, object]) -> Row:
        row = list(self.template)
        position, adapters = self.position, self.adapters
        for name, value in values.items():
            index = position[name]
            row[index] = adapters[index](value)
        return tuple(row)


def _numbers(plans: list[TicketPlan]) -> list[str]:
    zone = timezone.get_current_timezone()
    by_day: dict[str, list[int]] = defaultdict(list)
    for index, plan in enumerate(plans):
        by_day[plan.record.times["received_at"].astimezone(zone).strftime("%Y%m%d")].append(index)
    blocks = reserve_ticket_number_blocks({day: len(indexes) for day, indexes in by_day.items()})
    numbers = [""] * len(plans)
    for day, indexes in by_day.items():
        for index, number in zip(indexes, blocks[day], strict=True):
            numbers[index] = number
    return numbers


def _insert_tickets(plans: list[TicketPlan], binder: _Binder, actor: User | None, now: datetime) -> list[int]:
    """Insert the tickets; their ids, in plan order, are looked up by the numbers just reserved."""
    rows = _TicketRows(binder, now)
    numbers = _numbers(plans)
    _insert_rows(
        Ticket,
        rows.names,
        [rows.row({"number": n, **ticket_values(p, actor)}) for p, n in zip(plans, numbers, strict=True)],
    )
    ids = dict(Ticket.objects.filter(number__in=numbers).order_by().values_list("number", "id"))
    return [ids[number] for number in numbers]


def _history_rows(
    plans: list[TicketPlan], ids: list[int], binder: _Binder, now: datetime
) -> tuple[list[Row], list[Row]]:
    """Event rows and assignment rows of the batch."""
    moment, as_json = binder.moment, binder.json
    recorded = moment(now)
    events: list[Row] = []
    units: list[Row] = []
    for plan, pk in zip(plans, ids, strict=True):
        for step in plan.steps:
            kind, before, after = KIND_TEXT[step.kind], str(step.from_status), str(step.to_status)
            events.append((pk, kind, before, after, moment(step.at), recorded, step.reason, as_json(step.payload)))
        if plan.assignments:
            at = moment(plan.assigned_at)
            units += [(pk, unit.pk, str(role), at, True) for unit, role in plan.assignments]
    return events, units


def _callback_rows(plans: list[TicketPlan], ids: list[int], binder: _Binder) -> list[Row]:
    """Callbacks need their event's id: one query for the batch."""
    steps = {pk: p.steps[-1] for p, pk in zip(plans, ids, strict=True) if p.steps[-1].kind == E.CALLBACK_RECORDED}
    if not steps:
        return []
    # A callback is its ticket's last event, inserted last: the highest id of the ticket's events.
    # (Filtering on the kind instead would make SQLite walk the kind index over the whole table.)
    events = TicketEvent.objects.filter(ticket_id__in=steps).order_by().values("ticket_id")
    found = events.annotate(last=Max("id")).values_list("ticket_id", "last")
    rows: list[Row] = []
    for ticket_id, event_id in found:
        step = steps[ticket_id]
        valid, contacted, resolved = (step.payload[k] for k in ("is_valid", "contacted", "resolved"))
        rows.append(
            (ticket_id, event_id, binder.moment(step.at), valid, contacted, resolved, step.payload["satisfaction"], "")
        )
    return rows


def write_new(plans: list[TicketPlan], actor: User | None) -> None:
    """Insert the tickets of new rows with their events, assignments and callbacks.

    The caller holds the transaction (one per batch).
    """
    binder, now = _Binder(), timezone.now()
    ids = _insert_tickets(plans, binder, actor, now)
    events, units = _history_rows(plans, ids, binder, now)
    _insert_rows(TicketEvent, EVENT_FIELDS, events)
    _insert_rows(TicketUnit, UNIT_FIELDS, units)
    _insert_rows(Callback, CALLBACK_FIELDS, _callback_rows(plans, ids, binder))


def _callback(ticket_id: int, event: TicketEvent, step: PlannedStep) -> Callback:
    answers = step.payload
    return Callback(
        ticket_id=ticket_id,
        event=event,
        called_at=step.at,
        is_valid=answers["is_valid"],
        contacted=answers["contacted"],
        resolved=answers["resolved"],
        satisfaction=answers["satisfaction"],
    )


def remaining_steps(plan: TicketPlan, existing: list[str]) -> list[PlannedStep]:
    """The planned steps the ticket does not have yet (matched by kind, in order)."""
    have = Counter(existing)
    remaining = []
    for step in plan.steps:
        if have[step.kind] > 0:
            have[step.kind] -= 1
        else:
            remaining.append(step)
    return remaining


def _reassign(ticket: Ticket, plan: TicketPlan, at: datetime) -> None:
    TicketUnit.objects.filter(ticket=ticket, is_active=True).update(is_active=False)
    TicketUnit.objects.bulk_create(
        [TicketUnit(ticket=ticket, unit=unit, role=role, assigned_at=at) for unit, role in plan.assignments]
    )


@transaction.atomic
def write_steps(ticket: Ticket, plan: TicketPlan, steps: list[PlannedStep]) -> None:
    """Move an existing ticket forward, one ticket_transition per step, with the row's timestamps."""
    for step in steps:
        event = ticket_transition(
            ticket=ticket,
            event=step.kind,
            actor=None,
            reason=step.reason,
            payload=step.payload,
            changes=step.changes,
            occurred_at=step.at,
        )
        if step.kind == E.DISPATCHED:
            _reassign(ticket, plan, step.at)
        elif step.kind in (E.RETURN_APPROVED, E.RETURNED_TO_CITY):
            TicketUnit.objects.filter(ticket=ticket, is_active=True).update(is_active=False)
        elif step.kind == E.CALLBACK_RECORDED:
            _callback(ticket.pk, event, step).save(force_insert=True)
