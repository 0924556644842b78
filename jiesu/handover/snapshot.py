"""One consistent view of the whole database for an export or a backup, without stopping writers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Every query inside sees the database as it was at the first one.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: a deferred read transaction,
    which in WAL mode is a snapshot too; Django's atomic() would begin IMMEDIATE (settings) and
    so hold the write lock, stopping the running application, for the whole export.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    if connection.in_atomic_block:
        raise RuntimeError("read_snapshot() must start its own transaction on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")
