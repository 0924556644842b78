"""Chains the entries written before the hash chain existed, oldest first, and seeds the head row."""

from typing import Any

from django.db import migrations

from jiesu.audit.chain import (
    GENESIS_HASH,
    canonical_bytes,
    canonical_source_address,
    chain_hmac,
    entry_hash,
    normalise_detail,
    occurred_at_text,
)

CHUNK = 1000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    ids = list(entry_model.objects.order_by("occurred_at", "id").values_list("id", flat=True))
    base = chain_hmac() if ids else None
    previous, sequence = GENESIS_HASH, 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = entry_model.objects.in_bulk(chunk)
        batch = []
        for pk in chunk:
            entry = by_id[pk]
            sequence += 1
            entry.detail = normalise_detail(entry.detail)
            entry.source_address = canonical_source_address(entry.source_address)
            payload = canonical_bytes(
                sequence=sequence,
                occurred_at=occurred_at_text(entry.occurred_at),
                actor_id=entry.actor_id,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                result=entry.result,
                source_address=entry.source_address,
                detail=entry.detail,
                previous_hash=previous,
            )
            entry.sequence, entry.previous_hash = sequence, previous
            entry.entry_hash = previous = entry_hash(base, payload)
            batch.append(entry)
        entry_model.objects.bulk_update(batch, ["sequence", "previous_hash", "entry_hash", "detail", "source_address"])
    head_model.objects.update_or_create(pk=1, defaults={"last_sequence": sequence, "last_hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_chain_fields"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
