"""`tickets_import`: read a ledger file, validate every row, plan its history, write it in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.orgs.models import User
from jiesu.tickets.importing.cells import latest_allowed
from jiesu.tickets.importing.copyrows import CopyBatch, copy_batch
from jiesu.tickets.importing.dues import basis_for_record
from jiesu.tickets.importing.errors import RowError, RowRejectedError
from jiesu.tickets.importing.forward import Existing, existing_find, forward_check, forward_write
from jiesu.tickets.importing.lookups import CategoryLookup, UnitLookup
from jiesu.tickets.importing.mappings import Mapping, mapping_load
from jiesu.tickets.importing.pipeline import CopyPipeline, copy_write
from jiesu.tickets.importing.planner import Planner, TicketPlan
from jiesu.tickets.importing.readers import Cell, Table, table_open
from jiesu.tickets.importing.rows import ImportRecord, RowParser, header_find, is_blank
from jiesu.tickets.importing.writer import write_new

BATCH_SIZE = 1000
SQLITE_CACHE_KIB = -64 * 1024  # negative: KiB rather than pages
ProgressFn = Callable[[int, int], None]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
        }


def _chunks(rows: Iterator[tuple[int, list[Cell]]], size: int) -> Iterator[list[tuple[int, list[Cell]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class _ImportRun:
    """The state of one import: the parser, the planner, the numbers seen so far, the summary."""

    def __init__(self, *, parser: RowParser, planner: Planner, dry_run: bool, actor: User | None) -> None:
        self.parser = parser
        self.planner = planner
        self.dry_run = dry_run
        self.actor = actor
        self.summary = ImportSummary()
        self.seen: dict[str, int] = {}  # source + number → first row (str keys: not GC-tracked)
        # PostgreSQL writes on a second connection while the next batch is parsed; not when the
        # caller holds a transaction, whose uncommitted rows another connection could not see.
        use_pipeline = connection.vendor == "postgresql" and not dry_run and not connection.in_atomic_block
        self.pipeline = CopyPipeline() if use_pipeline else None

    @classmethod
    def start(
        cls, table: Table, mapping: Mapping, *, source: str | None, dry_run: bool, actor: User | None
    ) -> _ImportRun:
        """Read the header (file-level errors raise here) and load the unit and category indexes."""
        header = header_find(table.rows, mapping)
        parser = RowParser(
            mapping=mapping,
            header=header,
            units=UnitLookup.load(),
            categories=CategoryLookup.load(),
            latest=latest_allowed(timezone.now()),
            source=source,
        )
        return cls(parser=parser, planner=Planner(labels=header.labels), dry_run=dry_run, actor=actor)

    def reject(self, errors: Iterable[RowError]) -> None:
        errors = list(errors)
        self.summary.rejected += 1
        self.summary.errors.extend(e.as_dict() for e in errors)

    def records(self, chunk: list[tuple[int, list[Cell]]]) -> list[ImportRecord]:
        records = []
        for number, cells in chunk:
            if is_blank(cells):
                continue
            try:
                record = self.parser.parse(number, cells)
            except RowRejectedError as rejected:
                self.reject(rejected.errors)
                continue
            key = f"{record.source}\x1f{record.external_number}"
            first = self.seen.get(key)
            if first is not None:
                column = self.parser.header.labels["external_number"]
                self.reject([RowError(number, column, f"工单编号重复：与第 {first} 行相同（同一来源）")])
                continue
            self.seen[key] = number
            records.append(record)
        return records

    def batch(self, chunk: list[tuple[int, list[Cell]]]) -> None:
        records = self.records(chunk)
        existing = existing_find(records)
        new: list[TicketPlan] = []
        for record in records:
            found = existing.get(record.key)
            try:
                if found is None:
                    new.append(self.planner.plan(record, basis_for_record(record)))
                else:
                    self.forward(record, found)
            except RowRejectedError as rejected:
                self.reject(rejected.errors)
        if new:
            self.insert(new)

    def forward(self, record: ImportRecord, existing: Existing) -> None:
        """An already imported ticket: apply only the steps it does not have yet."""
        if not existing.remaining(self.planner, record):
            self.summary.unchanged += 1
            return
        if self.dry_run:
            forward_check(self.planner, record, existing)
        else:
            forward_write(self.planner, record, existing.pk)
        self.summary.updated += 1

    def insert(self, items: list[TicketPlan]) -> None:
        if self.dry_run:
            self.summary.created += len(items)
        elif connection.vendor == "postgresql":
            self.insert_copy(copy_batch(items, self.actor))
        else:
            self.insert_rows(items)

    def insert_rows(self, items: list[TicketPlan]) -> None:
        try:
            with transaction.atomic():
                write_new(items, self.actor)
            self.summary.created += len(items)
        except DatabaseError:
            for item in items:  # one savepoint per row: each row all or nothing
                try:
                    with transaction.atomic():
                        write_new([item], self.actor)
                    self.summary.created += 1
                except DatabaseError as exc:
                    self.reject([RowError(item.record.row, "", f"写入数据库失败：{exc}")])

    def insert_copy(self, batch: CopyBatch) -> None:
        if self.pipeline is not None:
            self.pipeline.submit(batch)
            return
        relaxed = not connection.in_atomic_block  # only a transaction of our own
        try:
            with transaction.atomic():
                copy_write(batch, relaxed_commit=relaxed)
            self.summary.created += len(batch)
        except DatabaseError:
            self.insert_one_by_one(batch, relaxed=relaxed)

    def insert_one_by_one(self, batch: CopyBatch, *, relaxed: bool) -> None:
        for index in range(len(batch)):
            try:
                with transaction.atomic():
                    copy_write(batch.subset(index), relaxed_commit=relaxed)
                self.summary.created += 1
            except DatabaseError as exc:
                self.reject([RowError(batch.rows[index], "", f"写入数据库失败：{exc}")])

    def finish(self) -> None:
        """Wait for the writer thread; write the batches it could not, one ticket at a time."""
        if self.pipeline is None:
            return
        pipeline, self.pipeline = self.pipeline, None
        pipeline.close()
        self.summary.created += pipeline.written
        for batch, _ in pipeline.failed:
            self.insert_one_by_one(batch, relaxed=not connection.in_atomic_block)


@contextmanager
def _bigger_sqlite_cache() -> Iterator[None]:
    """A large import touches index pages all over a growing file; SQLite's default page cache
    (2 MiB) makes it re-read them. Give this connection 64 MiB for the import, then restore."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _audit(actor: User | None, path: Path, mapping: Mapping, source: str | None, summary: ImportSummary) -> None:
    detail = {"file": path.name, "mapping": mapping.name, "source": source or ""}
    detail |= {k: v for k, v in summary.as_dict().items() if k != "errors"}
    with transaction.atomic():
        audit_record(actor=actor, action="tickets.import", detail=detail)


def tickets_import(
    *,
    path: str | Path,
    mapping: str = "jiesu",
    source: str | None = None,
    dry_run: bool = False,
    actor: User | None = None,
    progress: ProgressFn | None = None,
) -> ImportSummary:
    """Import a CSV or XLSX ledger. File-level problems raise ImportFileError (nothing written);
    row problems are collected in the summary while the good rows go in, one transaction per batch."""
    spec = mapping_load(mapping)
    file_path = Path(path)
    with table_open(file_path) as table, _bigger_sqlite_cache():
        run = _ImportRun.start(table, spec, source=source, dry_run=dry_run, actor=actor)
        total, done = max(table.total_rows - run.parser.header.row, 0), 0
        try:
            for chunk in _chunks(table.rows, BATCH_SIZE):
                run.batch(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, max(total, done))
        finally:
            run.finish()
    run.summary.errors.sort(key=lambda e: e["row"])
    if not dry_run:
        _audit(actor, file_path, spec, source, run.summary)
    return run.summary
