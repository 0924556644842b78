"""The PostgreSQL write path of the importer: COPY text, ids from the sequences, the writer thread.

The pipelined import runs only outside a caller's transaction, so the tests that exercise it are
transactional (committed rows, a second connection). On SQLite the same tests run the inline
path and must give the same tickets, which is what makes the comparison meaningful.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from jiesu.core.fields import PhoneDigestField
from jiesu.orgs.testing import World
from jiesu.tickets.importing import service
from jiesu.tickets.importing.copyrows import copy_text
from jiesu.tickets.importing.dues import basis_for_record
from jiesu.tickets.importing.mappings import mapping_load
from jiesu.tickets.importing.readers import table_open
from jiesu.tickets.importing.service import _ImportRun, tickets_import
from jiesu.tickets.models import Callback, NumberSequence, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.tests.import_helpers import load_categories, row, write_csv

TRICKY = "第一行\t制表符\\反斜杠\r\n第二行 \\N 不是空值"


def test_copy_text_escapes_exactly_the_characters_copy_reads_specially() -> None:
    assert copy_text(None) == "\\N"
    assert copy_text("普通文本 plain") == "普通文本 plain"
    assert copy_text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert copy_text("\\N") == "\\\\N"  # the two characters, not a NULL


def _history(ticket: Ticket) -> list[tuple[Any, ...]]:
    """The events, less the source the test gave each import."""
    events = ticket.events.order_by("id").values_list("kind", "from_status", "to_status", "occurred_at", "payload")
    return [(*event[:4], {k: v for k, v in event[4].items() if k != "source"}) for event in events]


def _rows(count: int) -> list[dict[str, str]]:
    rows = [row(f"P{i:05d}", 诉求内容=TRICKY if i == 0 else f"第 {i} 件诉求") for i in range(count)]
    rows[1] |= {"主办单位": "", "协办单位": "", "派单时间": "", "反馈时间": ""}  # self-handled
    rows[2] |= {"回访时间": "", "是否联系": "", "是否解决": "", "满意度": ""}  # no callback yet
    return rows


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_import_gives_every_ticket_its_events_units_and_callback(world: World, tmp_path: Path) -> None:
    load_categories(tmp_path)
    monkey_batch = service.BATCH_SIZE
    service.BATCH_SIZE = 7  # several batches in flight through the writer
    try:
        summary = tickets_import(path=write_csv(tmp_path / "p.csv", _rows(30)), source="copy-test")
    finally:
        service.BATCH_SIZE = monkey_batch
    assert (summary.created, summary.rejected) == (30, 0), summary.errors
    tickets = Ticket.objects.filter(source="copy-test")
    assert tickets.count() == 30
    tricky = tickets.get(external_number="P00000")
    assert tricky.content == TRICKY
    assert tricky.requester_phone == "13800000000"
    assert tricky.requester_phone_digest == PhoneDigestField.value_for("13800000000") != ""
    with connection.cursor() as cursor:  # sealed at rest on this path too
        cursor.execute("SELECT requester_phone FROM tickets_ticket WHERE id = %s", [tricky.pk])
        assert "13800000000" not in cursor.fetchone()[0]
    for ticket in tickets:
        events = list(ticket.events.order_by("id"))
        assert events[0].from_status == "" and events[-1].to_status == ticket.status
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(events))
        assert ticket.version == len(events)
    self_handled = tickets.get(external_number="P00001")
    assert not TicketUnit.objects.filter(ticket=self_handled).exists()
    assert Callback.objects.filter(ticket__source="copy-test").count() == 29
    callback = Callback.objects.get(ticket=tricky)
    assert callback.event == TicketEvent.objects.filter(ticket=tricky).latest("id")
    numbers = sorted(tickets.values_list("number", flat=True))
    day = NumberSequence.objects.get(key="20240415")
    assert numbers == [f"20240415{n:06d}" for n in range(day.value - 29, day.value + 1)]
    again = tickets_import(path=tmp_path / "p.csv", source="copy-test")
    assert (again.created, again.unchanged) == (0, 30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pipelined_and_the_inline_import_write_the_same_history(world: World, tmp_path: Path) -> None:
    load_categories(tmp_path)
    path = write_csv(tmp_path / "p.csv", _rows(12))
    tickets_import(path=path, source="committed")
    with transaction.atomic():  # the same file again, inside a transaction of the caller's: inline
        tickets_import(path=path, source="inline")
    for committed in Ticket.objects.filter(source="committed"):
        inline = Ticket.objects.get(source="inline", external_number=committed.external_number)
        assert _history(committed) == _history(inline)
        assert (committed.status, committed.reply_due_at, committed.deadline_rules) == (
            inline.status,
            inline.reply_due_at,
            inline.deadline_rules,
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_the_database_refuses_is_written_again_one_ticket_at_a_time(world: World, tmp_path: Path) -> None:
    load_categories(tmp_path)
    path = write_csv(tmp_path / "f.csv", [row("F1"), row("F2")])
    with table_open(path) as table:
        run = _ImportRun.start(table, mapping_load("jiesu"), source=None, dry_run=False, actor=None)
        records = run.records(list(table.rows))
    assert (run.pipeline is not None) == (connection.vendor == "postgresql")
    # The same row twice breaks the (source, external number) constraint inside the batch insert,
    # on the writer's connection when there is one.
    run.insert([run.planner.plan(record, basis_for_record(record)) for record in [*records, records[0]]])
    run.finish()
    assert (run.summary.created, run.summary.rejected) == (2, 1)
    assert run.summary.errors[0]["row"] == 2 and "写入数据库失败" in run.summary.errors[0]["message"]
    assert Ticket.objects.count() == 2
    assert TicketEvent.objects.count() == 16  # nothing of the failed row is left behind
