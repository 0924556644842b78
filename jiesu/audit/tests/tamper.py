"""Raw SQL against the audit table, the way someone with database access would tamper with it.

On PostgreSQL the append-only trigger refuses such statements, so these helpers first disable it
(the table owner may: `ALTER TABLE ... DISABLE TRIGGER`), as an attacker with the application's
database role could. Inside the test's transaction the ALTER is rolled back with everything else;
transactional tests re-enable it explicitly.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

TABLE = "audit_auditentry"
TRIGGER = "audit_entry_append_only"


def tamper(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks of this transaction are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params or [])
        changed = int(cursor.rowcount)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return changed


def row(sequence: int) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TABLE} WHERE sequence = %s", [sequence])  # noqa: S608
        names = [c[0] for c in cursor.description]
        found = cursor.fetchone()
    assert found is not None
    return dict(zip(names, found, strict=True))
