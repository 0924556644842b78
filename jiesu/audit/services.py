"""Writing the audit trail: appending a chained entry, and the retention purge.

Appends are serialised on the chain head row: PostgreSQL through SELECT ... FOR UPDATE on it,
SQLite because every transaction starts with BEGIN IMMEDIATE (settings.py) and so holds the write
lock already. The unique `sequence` is the last line of defence: a fork would violate it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from jiesu.audit.chain import (
    canonical_bytes,
    canonical_source_address,
    chain_hmac,
    entry_hash,
    normalise_detail,
    occurred_at_text,
)
from jiesu.audit.models import AuditChainHead, AuditEntry, AuditResult
from jiesu.audit.selectors import AuditSearch, audit_export_rows

# The legal floor (网络安全法 Art. 21: network logs kept at least six months).
MIN_RETENTION_DAYS = 183
PURGE_ACTION = "audit.purge"
EXPORT_ACTION = "audit.export"


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=AuditChainHead.SINGLETON).first()
    if head is not None:
        return head
    # A fresh or flushed database: start the head from whatever the table holds. Two first
    # writers may both get here; ON CONFLICT DO NOTHING lets one insert and the other then waits
    # for its lock below.
    last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    seed = AuditChainHead(pk=AuditChainHead.SINGLETON)
    if last is not None:
        seed.last_sequence, seed.last_hash = last
        first = AuditEntry.objects.order_by("sequence").values_list("sequence", "previous_hash").first()
        if first is not None:
            seed.anchor_sequence, seed.anchor_hash = first[0] - 1, first[1]
    AuditChainHead.objects.bulk_create([seed], ignore_conflicts=True)
    return AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON)


def audit_record(
    *,
    actor: models.Model | None,
    action: str,
    obj: models.Model | None = None,
    result: str = AuditResult.SUCCESS,
    source_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit line to the chain, inside the caller's transaction if there is one.

    The chain head stays locked until that transaction ends, so keep audited transactions short
    and make this their last write (locking the head before other rows invites deadlocks).
    """
    fields: dict[str, Any] = {
        "actor_id": actor.pk if actor is not None else None,
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "result": str(result),
        "source_address": canonical_source_address(source_address),
        "detail": normalise_detail(detail),
    }
    with transaction.atomic():
        head = _lock_head()
        # Taken under the lock so that time never runs backwards along the chain.
        occurred_at = timezone.now()
        sequence = head.last_sequence + 1
        payload = canonical_bytes(
            sequence=sequence, occurred_at=occurred_at_text(occurred_at), previous_hash=head.last_hash, **fields
        )
        entry = AuditEntry.objects.create(
            sequence=sequence,
            occurred_at=occurred_at,
            previous_hash=head.last_hash,
            entry_hash=entry_hash(chain_hmac(), payload),
            **fields,
        )
        head.last_sequence, head.last_hash = sequence, entry.entry_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


def audit_export(*, actor: models.Model, search: AuditSearch, source_address: str | None = None) -> Iterator[list[str]]:
    """Record that `actor` exports the filtered trail, then give the CSV lines to stream."""
    audit_record(
        actor=actor,
        action=EXPORT_ACTION,
        source_address=source_address,
        detail={"format": "csv", "filters": search.as_detail()},
    )
    return audit_export_rows(search=search)


def audit_retention_days() -> int:
    """JIESU_AUDIT_RETENTION_DAYS, refusing anything shorter than the legal six months."""
    days = int(getattr(settings, "JIESU_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"JIESU_AUDIT_RETENTION_DAYS={days} 低于法定最短保存期 {MIN_RETENTION_DAYS} 天（网络安全法第二十一条）"
        )
    return days


def _delete_up_to(sequence: int) -> int:
    if connection.vendor == "postgresql":
        # The trigger refuses every DELETE that does not come through this function (migration 0006).
        with connection.cursor() as cursor:
            cursor.execute("SELECT jiesu_audit_purge(%s)", [sequence])
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE sequence <= %s", [sequence])  # noqa: S608 - table name from meta
        return int(cursor.rowcount)


def audit_purge_expired(now: datetime | None = None, *, actor: models.Model | None = None) -> int:
    """Remove entries older than the retention period, from the start of the chain only.

    Stops at the first entry (in chain order) that is still within the period, so the rest stays
    one unbroken chain. The last removed entry becomes the anchor the remaining chain starts from,
    and the purge is itself recorded, with that anchor, as the newest entry. Returns rows removed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=audit_retention_days())
    with transaction.atomic():
        head = _lock_head()
        first_kept = (
            AuditEntry.objects.filter(sequence__gt=head.anchor_sequence, occurred_at__gte=cutoff)
            .order_by("sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        up_to = (first_kept - 1) if first_kept is not None else head.last_sequence
        if up_to <= head.anchor_sequence:
            return 0
        anchor = AuditEntry.objects.filter(sequence=up_to).values_list("entry_hash", "occurred_at").first()
        if anchor is None:
            return 0  # the chain is already broken there; `audit verify` reports it, purging would hide it
        removed = _delete_up_to(up_to)
        AuditChainHead.objects.filter(pk=head.pk).update(anchor_sequence=up_to, anchor_hash=anchor[0], anchor_at=now)
        audit_record(
            actor=actor,
            action=PURGE_ACTION,
            detail={
                "removed": removed,
                "anchor_sequence": up_to,
                "anchor_hash": anchor[0],
                "anchor_occurred_at": occurred_at_text(anchor[1]),
                "cutoff": occurred_at_text(cutoff),
                "retention_days": audit_retention_days(),
            },
        )
    return removed
