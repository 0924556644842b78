"""Writing CopyBatches to PostgreSQL, in this thread or on a writer thread of its own.

A large import spends its time in two places: Python parsing and planning rows, and the server
inserting them and maintaining indexes. Run one after the other they add up; with the COPY of
batch n on a second connection (a thread: psycopg waits for the server without holding the GIL)
while batch n + 1 is parsed, they overlap on the machine's cores.

Each batch is one transaction on the writer's connection, as it would be inline. A batch the
database refuses is handed back (`failed`), and the caller writes it again one ticket per
transaction, so one bad row costs only itself.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterator

from django.db import DatabaseError, connection, transaction

from jiesu.tickets.importing.copyrows import CopyBatch, callback_columns, columns_sql, event_columns, unit_columns
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.intake import reserve_ticket_number_blocks

QUEUE_DEPTH = 2  # batches waiting for the writer: bounds memory, and two keep it busy


def _copy(target: str, data: str) -> None:
    if not data:
        return
    connection.ensure_connection()
    # The raw psycopg cursor (Django's has no copy()); errors still surface as Django's classes.
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {target} FROM STDIN") as copy,
    ):
        copy.write(data)


def _numbered(batch: CopyBatch) -> Iterator[str]:
    """Ticket lines with their numbers, reserved per day in line order."""
    blocks = reserve_ticket_number_blocks(dict(Counter(batch.day_keys)))
    numbers = {day: iter(block) for day, block in blocks.items()}
    for day, rest in zip(batch.day_keys, batch.tickets, strict=True):
        yield next(numbers[day]) + rest


def copy_write(batch: CopyBatch, *, relaxed_commit: bool) -> None:
    """Insert `batch` inside the caller's transaction on the current connection.

    `relaxed_commit` (only for a transaction the importer owns) lets the commit return before its
    WAL reaches the disk: a server crash can then lose the last fraction of a second of committed
    batches, never half of one, and importing the file again puts them back (imports are
    idempotent). It roughly halves the time a batch's commit takes.
    """
    if relaxed_commit:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    _copy(columns_sql(Ticket, batch.ticket_columns), "".join(_numbered(batch)))
    _copy(event_columns(), "".join(batch.events))
    _copy(unit_columns(), "".join(batch.units))
    _copy(callback_columns(), "".join(batch.callbacks))


class CopyPipeline:
    """A writer thread with its own connection, fed batches through a short queue."""

    def __init__(self) -> None:
        self._queue: queue.Queue[CopyBatch | None] = queue.Queue(maxsize=QUEUE_DEPTH)
        self.written = 0  # tickets committed (counts only: batches are dropped once written)
        self.failed: list[tuple[CopyBatch, DatabaseError]] = []
        self._crash: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="jiesu-import-writer", daemon=True)
        self._thread.start()

    def submit(self, batch: CopyBatch) -> None:
        if self._crash is not None:
            raise RuntimeError("导入写入线程已异常退出") from self._crash
        self._queue.put(batch)

    def close(self) -> None:
        """Wait for every submitted batch; re-raise what crashed the writer (not a refused batch)."""
        self._queue.put(None)
        self._thread.join()
        if self._crash is not None:
            raise RuntimeError("导入写入线程已异常退出") from self._crash

    def _run(self) -> None:
        try:
            while (batch := self._queue.get()) is not None:
                try:
                    with transaction.atomic():
                        copy_write(batch, relaxed_commit=True)
                    self.written += len(batch)
                except DatabaseError as exc:
                    self.failed.append((batch, exc))
        except BaseException as exc:
            self._crash = exc
            while self._queue.get() is not None:  # let a blocked submit() through to close()
                pass
        finally:
            connection.close()
