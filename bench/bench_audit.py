"""`jiesu audit verify` over 1,000,000 audit entries: target ≤ 30 s.

The entries are chained in Python with the product's own hashing (jiesu.audit.chain) and bulk
inserted (SQLite: executemany; PostgreSQL: COPY), continuing whatever chain the database already
holds, so the verification that is timed is the real one over a real, valid chain.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

BENCH = "audit verify"
COLUMNS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "result",
    "source_address",
    "detail",
    "previous_hash",
    "entry_hash",
)
ACTIONS = ("auth.login", "auth.logout", "tickets.import", "pii.reveal", "orgs.role_grant", "audit.export")
BATCH = 20_000


def _entries(start: int, stop: int, previous: str, first_at: datetime) -> Iterator[tuple[Any, ...]]:
    from jiesu.audit.chain import canonical_bytes, chain_hmac, entry_hash, occurred_at_text

    base = chain_hmac()
    for seq in range(start, stop + 1):
        at = first_at + timedelta(seconds=seq * 15)
        action = ACTIONS[seq % len(ACTIONS)]
        source = f"10.{seq % 200}.{seq % 250}.{seq % 97 + 1}"
        detail = {"工单": f"B{seq:012d}", "原因": "核实诉求人身份"} if seq % 3 else {}
        result = "failure" if seq % 17 == 0 else "success"
        payload = canonical_bytes(
            sequence=seq,
            occurred_at=occurred_at_text(at),
            actor_id=None,
            action=action,
            object_type="tickets.ticket" if detail else "",
            object_id=str(seq) if detail else "",
            result=result,
            source_address=source,
            detail=detail,
            previous_hash=previous,
        )
        digest = entry_hash(base, payload)
        yield (seq, at, None, action, "tickets.ticket" if detail else "", str(seq) if detail else "", result, source,
               json.dumps(detail, ensure_ascii=False), previous, digest)  # fmt: skip
        previous = digest


def _insert(rows: list[tuple[Any, ...]], table: str) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})",
            [(r[0], adapt(r[1]), *r[2:]) for r in rows],
        )


def _fill(records: int) -> int:
    """Append valid chained entries until the chain holds `records`; returns how many were added."""
    from jiesu.audit.models import AuditChainHead, AuditEntry
    from jiesu.audit.services import audit_record

    if not AuditChainHead.objects.exists():
        audit_record(actor=None, action="bench.start")
    head = AuditChainHead.objects.get()
    start, stop = head.last_sequence + 1, records
    first_at = datetime.now(UTC) - timedelta(days=180)
    batch: list[tuple[Any, ...]] = []
    for row in _entries(start, stop, head.last_hash, first_at):
        batch.append(row)
        if len(batch) == BATCH or row[0] == stop:
            with transaction.atomic():
                _insert(batch, AuditEntry._meta.db_table)
                AuditChainHead.objects.filter(pk=head.pk).update(last_sequence=row[0], last_hash=row[-1])
            batch = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(AuditEntry._meta.db_table)}")
    return max(0, stop - start + 1)


def run(records: int = 1_000_000) -> list[dict[str, Any]]:
    from jiesu.audit.verify import audit_verify

    started = time.perf_counter()
    added = _fill(records)
    fill_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = audit_verify()
    seconds = time.perf_counter() - started
    assert report.intact, report.as_dict()
    return [
        {"benchmark": BENCH, "metric": "database", "value": connection.vendor},
        {"benchmark": BENCH, "metric": "records", "value": report.checked},
        {"benchmark": BENCH, "metric": "records added", "value": added},
        {"benchmark": BENCH, "metric": "fill seconds", "value": round(fill_seconds, 1)},
        {"benchmark": BENCH, "metric": "records / s", "value": round(report.checked / seconds)},
        {"benchmark": BENCH, "metric": "verify seconds", "value": round(seconds, 1), "target": "≤ 30"},
    ]


if __name__ == "__main__":
    from bench.common import django_setup, print_table

    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    django_setup()
    print_table(run(records=args.records))
