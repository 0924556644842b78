"""`jiesu export-all DIR`: all data in open formats, for handing over to the customer.

One JSON Lines file per table (one object per row: every concrete column by its attribute name,
the primary key included), readable CSV copies of tickets, ticket events and units, every
attachment file as files/<sha256>, and manifest.json with the size, SHA-256 and rows of each.
Rows are streamed from one consistent snapshot, so memory stays flat at any table size. The
export holds personal data in clear: the directory is 0700, its files 0600.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from jiesu import __version__
from jiesu.audit.services import audit_record
from jiesu.handover.codec import encode_value, natural_key_field, natural_keys_by_pk
from jiesu.handover.csvviews import csv_views_write
from jiesu.handover.errors import HandoverFailed, HandoverRefused
from jiesu.handover.files import HashingWriter, copy_hashed, private_directory
from jiesu.handover.manifest import KIND_ATTACHMENT, KIND_TABLE, FileEntry, Manifest, manifest_write
from jiesu.handover.registry import (
    NATURAL_KEY_MODELS,
    handover_models,
    label_of,
    migration_state,
    migrations_pending,
)
from jiesu.handover.snapshot import read_snapshot
from jiesu.tickets.models import Attachment
from jiesu.tickets.services.attachments import attachment_path

CHUNK_SIZE = 2000
EXPORT_ACTION = "handover.export"
PLAINTEXT_WARNING = (
    "警告：导出目录包含明文个人信息（诉求人姓名、电话、证件号码等）。仅用于数据移交，"
    "请存放在加密介质上、按规定交接，用完后安全删除。"
)


@dataclass
class ExportResult:
    directory: Path
    tables: int = 0
    rows: int = 0
    attachments: int = 0
    bytes: int = 0
    missing_attachments: list[str] = field(default_factory=list)


def _prepare(directory: Path) -> bool:
    """Refuse anything but an empty or absent directory; True when it was created here."""
    if directory.exists():
        if not directory.is_dir() or any(directory.iterdir()):
            raise HandoverRefused(f"导出目录 {directory} 必须是空目录或尚不存在")
        private_directory(directory)
        return False
    private_directory(directory)
    return True


def _discard(directory: Path, created: bool) -> None:
    """A failed export leaves no personal data behind (the directory was empty before)."""
    if created:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _export_table(
    directory: Path, model: type[models.Model], natural: dict[str, dict[Any, list[Any]]], chunk_size: int
) -> FileEntry:
    label = label_of(model)
    fields = model._meta.concrete_fields
    attnames = [f.attname for f in fields]
    translate = {
        i: natural[label_of(f.related_model)]  # type: ignore[arg-type]
        for i, f in enumerate(fields)
        if natural_key_field(f)
    }
    rows = model._base_manager.order_by("pk").values_list(*attnames).iterator(chunk_size=chunk_size)
    name = f"{label}.jsonl"
    count = 0
    lines: list[str] = []
    with HashingWriter(directory / name) as out:
        for row in rows:
            values = [encode_value(v) for v in row]
            for i, table in translate.items():
                if row[i] is not None:
                    values[i] = table[row[i]]
            lines.append(
                json.dumps(dict(zip(attnames, values, strict=True)), ensure_ascii=False, separators=(",", ":"))
            )
            count += 1
            if len(lines) >= chunk_size:
                out.write(("\n".join(lines) + "\n").encode())
                lines.clear()
        if lines:
            out.write(("\n".join(lines) + "\n").encode())
    return FileEntry(
        path=name, kind=KIND_TABLE, bytes=out.size, sha256=out.sha256, rows=count, model=label, fields=attnames
    )


def _export_attachments(directory: Path, chunk_size: int) -> tuple[list[FileEntry], list[str]]:
    """Each stored blob once, checked against its name; blobs the store lacks are listed apart."""
    files = directory / "files"
    private_directory(files)
    entries: list[FileEntry] = []
    missing: list[str] = []
    damaged: list[str] = []
    shas = Attachment._base_manager.order_by("sha256").values_list("sha256", flat=True).distinct()
    for sha256 in shas.iterator(chunk_size=chunk_size):
        source = attachment_path(sha256)
        if not source.is_file():
            missing.append(sha256)
            continue
        with source.open("rb") as stream:
            got, size = copy_hashed(stream, files / sha256)
        if got != sha256:
            damaged.append(sha256)
        entries.append(FileEntry(path=f"files/{sha256}", kind=KIND_ATTACHMENT, bytes=size, sha256=got))
    if damaged:
        raise HandoverFailed(
            f"{len(damaged)} 个附件文件的内容与其 SHA-256 不符（存储已损坏），导出已取消：" + "、".join(damaged[:20])
        )
    return entries, missing


def handover_export(
    *, directory: Path, actor: models.Model | None = None, chunk_size: int = CHUNK_SIZE
) -> ExportResult:
    """Write the whole instance into `directory` (empty or absent) and record it in the audit log."""
    pending = migrations_pending()
    if pending:
        raise HandoverRefused(f"数据库还有 {len(pending)} 个迁移未执行（如 {pending[0]}），请先运行 jiesu migrate")
    created = _prepare(directory)
    started = timezone.now()
    try:
        with read_snapshot():
            natural = {label: natural_keys_by_pk(apps.get_model(label)) for label in NATURAL_KEY_MODELS}
            tables = [_export_table(directory, model, natural, chunk_size) for model in handover_models()]
            sheets = csv_views_write(directory, chunk_size=chunk_size)
            blobs, missing = _export_attachments(directory, chunk_size)
            migrations = migration_state()
        manifest = Manifest(
            created_at=started.isoformat(),
            jiesu_version=__version__,
            vendor=connection.vendor,
            migrations=migrations,
            files=[*tables, *sheets, *blobs],
            missing_attachments=missing,
        )
        manifest_write(directory, manifest)
    except BaseException:
        _discard(directory, created)
        raise
    result = ExportResult(
        directory=directory,
        tables=len(tables),
        rows=sum(t.rows or 0 for t in tables),
        attachments=len(blobs),
        bytes=sum(f.bytes for f in manifest.files),
        missing_attachments=missing,
    )
    audit_record(
        actor=actor,
        action=EXPORT_ACTION,
        detail={
            "directory": str(directory.resolve()),
            "tables": result.tables,
            "rows": result.rows,
            "attachments": result.attachments,
            "missing_attachments": len(missing),
        },
    )
    return result
