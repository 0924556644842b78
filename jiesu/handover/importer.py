"""`jiesu import-all DIR`: load an export into a fresh instance, every row as it was.

Nothing is written until the whole export has passed its manifest and the target has shown it
is freshly migrated, empty and at the same migration state. Then one transaction loads every
table in dependency order with the exported primary keys, puts the attachment files in place,
and proves the audit trail still verifies under this instance's key before it commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery

from jiesu.audit.services import audit_record
from jiesu.audit.verify import audit_verify
from jiesu.handover.codec import Decoder, field_decoder
from jiesu.handover.errors import HandoverFailed, HandoverRefused
from jiesu.handover.files import attachment_install
from jiesu.handover.manifest import FileEntry, Manifest, manifest_problems, manifest_read
from jiesu.handover.registry import (
    handover_models,
    instance_data_labels,
    label_of,
    migration_state,
    verbose_table_names,
)

IMPORT_ACTION = "handover.import"
MAX_BATCH = 1000
MAX_LISTED = 30

ModelType = type[models.Model]


@dataclass
class ImportResult:
    tables: int
    rows: int
    attachments: int


def listing(title: str, lines: list[str]) -> str:
    shown = [f"  - {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(f"  …… 另有 {len(lines) - MAX_LISTED} 项")
    return "\n".join([title, *shown])


def migration_differences(recorded: dict[str, str], here: dict[str, str]) -> list[str]:
    return [
        f"{app}：来源 {recorded.get(app) or '无'}，本实例 {here.get(app) or '无'}"
        for app in sorted(recorded.keys() | here.keys())
        if recorded.get(app) != here.get(app)
    ]


def _pair_tables(manifest: Manifest) -> list[tuple[FileEntry, ModelType]]:
    """The export's table files against this instance's models, in this instance's load order."""
    differences = migration_differences(manifest.migrations, migration_state())
    if differences:
        raise HandoverRefused(
            listing("导出来源与本实例的数据库迁移状态不一致，未写入任何数据（请先把两边升级到同一版本）：", differences)
        )
    entries = {entry.model: entry for entry in manifest.tables}
    pairs, problems = [], []
    for model in handover_models():
        entry = entries.pop(label_of(model), None)
        if entry is None:
            problems.append(f"缺少数据表 {label_of(model)} 的文件")
            continue
        if sorted(entry.fields or []) != sorted(f.attname for f in model._meta.concrete_fields):
            problems.append(f"{entry.path}：字段与本实例的数据表不一致")
        pairs.append((entry, model))
    problems.extend(f"{entry.path}：本实例没有这张数据表" for entry in entries.values())
    if problems:
        raise HandoverRefused(listing("导出目录与本实例不匹配，未写入任何数据：", problems))
    return pairs


def _clear(models_in_order: list[ModelType]) -> None:
    """Remove what the target's data migrations seeded; the export brings its own version."""
    with connection.cursor() as cursor:
        for model in reversed(models_in_order):
            if model._base_manager.exists():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - name from meta


def _insert(model: ModelType, fields: list[models.Field[Any, Any]], objs: list[models.Model]) -> None:
    # raw=True stores the values as given: bulk_create would let auto_now / auto_now_add
    # overwrite every created_at and updated_at with the time of the import.
    query = InsertQuery(model)
    query.insert_values(fields, objs, raw=True)
    query.get_compiler(using=connection.alias).execute_sql(returning_fields=None)


def _derived_fields(fields: list[models.Field[Any, Any]]) -> list[models.Field[Any, Any]]:
    """Fields that compute their value when saved (a keyed search digest): recomputed here, under
    this instance's keys, as a save would. Date fields are left out: their only such behaviour is
    stamping the current time (auto_now), and the exported time must stay."""
    return [f for f in fields if type(f).pre_save is not models.Field.pre_save and not isinstance(f, models.DateField)]


def _load_table(directory: Path, entry: FileEntry, model: ModelType, natural: dict[str, Any]) -> int:
    fields = list(model._meta.concrete_fields)
    decoders: dict[str, Decoder] = {f.attname: field_decoder(f, natural) for f in fields}
    derived = _derived_fields(fields)
    batch_size = max(1, min(MAX_BATCH, connection.ops.bulk_batch_size(fields, [None] * MAX_BATCH)))
    batch: list[models.Model] = []
    count = 0
    with (directory / entry.path).open("rb") as stream:
        for line in stream:
            row = json.loads(line)
            obj = model(**{name: decoders[name](value) for name, value in row.items()})
            for field in derived:
                field.pre_save(obj, True)
            batch.append(obj)
            if len(batch) >= batch_size:
                _insert(model, fields, batch)
                count += len(batch)
                batch = []
    if batch:
        _insert(model, fields, batch)
        count += len(batch)
    return count


def _reset_sequences(models_in_order: list[ModelType]) -> None:
    """Rows came with their keys, so PostgreSQL's sequences must catch up (SQLite's do by themselves)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_in_order)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _verify_audit_chain() -> None:
    report = audit_verify(max_problems=3)
    if not report.intact:
        first = report.problems[0].message if report.problems else ""
        raise HandoverFailed(
            f"导入后审计日志校验未通过（{report.problem_count} 处问题，如：{first}），已全部撤销。"
            "本实例的审计密钥 JIESU_AUDIT_KEY 必须与导出来源实例相同。"
        )


def handover_check(directory: Path) -> tuple[Manifest, list[tuple[FileEntry, ModelType]]]:
    """Everything import-all checks before it writes; raises HandoverRefused with the reasons."""
    manifest = manifest_read(directory)
    problems = manifest_problems(directory, manifest)
    if problems:
        raise HandoverRefused(listing("导出目录未通过校验（文件被修改、损坏或不完整），未写入任何数据：", problems))
    pairs = _pair_tables(manifest)
    busy = instance_data_labels()
    if busy:
        raise HandoverRefused(
            f"本实例已有数据（{verbose_table_names(busy)}），未写入任何数据。"
            "请在新建并执行过 jiesu migrate 的空实例中导入。"
        )
    return manifest, pairs


def handover_import(*, directory: Path, actor: models.Model | None = None) -> ImportResult:
    """Load the export in `directory` into this (fresh) instance, in one transaction."""
    manifest, pairs = handover_check(directory)
    models_in_order = [model for _, model in pairs]
    natural: dict[str, Any] = {}
    with transaction.atomic():
        _clear(models_in_order)
        rows = sum(_load_table(directory, entry, model, natural) for entry, model in pairs)
        _reset_sequences(models_in_order)
        _verify_audit_chain()
        for entry in manifest.attachments:
            attachment_install(directory / entry.path, entry.sha256)
        audit_record(
            actor=actor,
            action=IMPORT_ACTION,
            detail={
                "directory": str(directory.resolve()),
                "source_created_at": manifest.created_at,
                "source_vendor": manifest.vendor,
                "tables": len(pairs),
                "rows": rows,
                "attachments": len(manifest.attachments),
            },
        )
    return ImportResult(tables=len(pairs), rows=rows, attachments=len(manifest.attachments))
