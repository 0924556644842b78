"""Migration 0004 chains the entries written before the chain existed."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jiesu.audit.models import AuditChainHead
from jiesu.audit.services import audit_record
from jiesu.audit.verify import audit_verify

BEFORE = [("audit", "0002_initial")]


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_entries_are_chained_in_time_order() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for at, action, detail, source in [
                (datetime(2026, 3, 1, 8, tzinfo=UTC), "old.second", '{"b": 2, "a": [1, 2]}', "10.0.0.2"),
                (datetime(2026, 2, 1, 8, tzinfo=UTC), "old.first", "{}", None),
                (datetime(2026, 4, 1, 8, tzinfo=UTC), "old.third", '{"名": "值"}', "2001:DB8::0:1"),
            ]:
                cursor.execute(
                    "INSERT INTO audit_auditentry (occurred_at, action, object_type, object_id, result,"
                    " source_address, detail) VALUES (%s, %s, '', '', 'success', %s, %s)",
                    [connection.ops.adapt_datetimefield_value(at), action, source, detail],
                )
    finally:
        migrate(latest)
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditentry ORDER BY sequence")
        assert [r[0] for r in cursor.fetchall()] == ["old.first", "old.second", "old.third"]
    assert AuditChainHead.objects.get().last_sequence == 3
    audit_record(actor=None, action="new.after_migration")
    report = audit_verify()
    assert report.intact, report.as_dict()
    assert report.checked == 4
