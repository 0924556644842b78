"""Concurrent appends never fork the chain (real threads, real connections, real locks)."""

import itertools
import threading

import pytest
from django.db import connection

from jiesu.audit.models import AuditEntry
from jiesu.audit.services import audit_record
from jiesu.audit.verify import audit_verify

PER_THREAD = 15


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_at_once_keep_one_gapless_chain() -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                audit_record(actor=None, action=f"test.{name}", detail={"n": n})
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = list(AuditEntry.objects.order_by("sequence").values_list("sequence", "previous_hash", "entry_hash"))
    assert AuditEntry.objects.filter(action="test.a").count() == PER_THREAD
    assert AuditEntry.objects.filter(action="test.b").count() == PER_THREAD
    first = rows[0][0]
    assert [r[0] for r in rows] == list(range(first, first + len(rows)))
    assert all(later[1] == earlier[2] for earlier, later in itertools.pairwise(rows))
    report = audit_verify()
    assert report.intact, report.as_dict()
