"""Requester name, phone and ID number sealed with SM4 (jiesu.core.fields); a phone search digest.

The data step seals the existing plaintext rows, 1,000 at a time, with plain SQL (the historical
model would try to open the plaintext). The whole migration is one transaction on both databases,
so a failure leaves the table as it was. Without a field key it refuses, in Chinese, to start
when there is anything to seal; an empty database needs no key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

import jiesu.core.fields
from jiesu.core.fields import sealed_bytes, sealed_context, sealed_text
from jiesu.core.keyring import Keyring, keyring

BATCH = 1000
COLUMNS = ("requester_name", "requester_phone", "requester_id_number")
NO_KEY = (
    "数据库中有 {count} 张工单的诉求人信息需要加密，但未配置字段加密密钥：请设置 JIESU_FIELD_KEY"
    "（32 位十六进制，可用 jiesu keys new 生成）或 JIESU_FIELD_KEY_FILE 后重新执行 jiesu migrate"
)


def _ring(cursor: Any, table: str) -> Keyring | None:
    """The keyring, or None when no row holds requester data; refuses if rows do and no key is set."""
    anything = " OR ".join(f"{c} <> ''" for c in COLUMNS)
    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {anything}")  # noqa: S608 - fixed names
    count = cursor.fetchone()[0]
    if not count:
        return None
    try:
        return keyring()
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(NO_KEY.format(count=count)) from exc


def _convert(apps: Any, schema_editor: Any, seal: bool) -> None:
    table = apps.get_model("tickets", "Ticket")._meta.db_table
    contexts = [sealed_context(table, c) for c in COLUMNS]
    with schema_editor.connection.cursor() as cursor:
        ring = _ring(cursor, table)
        if ring is None:
            return
        after = 0
        select = f"SELECT id, {', '.join(COLUMNS)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608
        update = (
            f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in COLUMNS)}, requester_phone_digest = %s WHERE id = %s"  # noqa: S608
        )
        while rows := _fetch(cursor, select, after):
            changes = []
            for pk, *values in rows:
                new = [_turn(ring, value, context, seal) for value, context in zip(values, contexts, strict=True)]
                digest = ring.phone_digest(values[1]) if seal and values[1] else ""
                changes.append([*new, digest, pk])
            cursor.executemany(update, changes)
            after = rows[-1][0]


def _fetch(cursor: Any, select: str, after: int) -> list[Any]:
    cursor.execute(select, [after, BATCH])
    return list(cursor.fetchall())


def _turn(ring: Keyring, value: str, context: bytes, seal: bool) -> str:
    if not value:
        return value
    if seal:
        return sealed_text(ring.seal(value.encode(), context))
    return ring.open(sealed_bytes(value), context).decode()


def seal_existing(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, seal=True)


def open_existing(apps: Any, schema_editor: Any) -> None:
    _convert(apps, schema_editor, seal=False)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_fewer_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="ticket", name="ticket_requester_phone"),
        migrations.AlterField(
            model_name="ticket",
            name="requester_name",
            field=jiesu.core.fields.SealedCharField(blank=True, max_length=64, verbose_name="诉求人"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="requester_phone",
            field=jiesu.core.fields.SealedCharField(blank=True, max_length=32, verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="requester_id_number",
            field=jiesu.core.fields.SealedCharField(blank=True, max_length=32, verbose_name="证件号码"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="requester_phone_digest",
            field=jiesu.core.fields.PhoneDigestField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=64,
                source="requester_phone",
                verbose_name="联系电话检索摘要",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["requester_phone_digest"], name="ticket_phone_digest"),
        ),
        migrations.RunPython(seal_existing, open_existing),
    ]
