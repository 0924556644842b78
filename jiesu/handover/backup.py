"""`jiesu backup [--out PATH]`: one archive with a consistent database snapshot and the files.

The archive (.tar, or .tar.gz when the name says so) holds:

- `database.sqlite3` (SQLite's online backup API: a consistent copy while the application runs)
  or `database.pgdump` (`pg_dump --format=custom` from an exported snapshot);
- `files/<sha256>`: every attachment blob;
- `backup.json`: when, which database, the migration state and the audit chain head as of the
  snapshot, and the size and SHA-256 of every other member.

The database is copied first: attachment files are written before the rows that name them, so
every blob the snapshot refers to is already on disk when the files are read.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from jiesu import __version__
from jiesu.audit.chain import GENESIS_HASH
from jiesu.audit.models import AuditChainHead
from jiesu.audit.services import audit_record
from jiesu.handover.errors import HandoverRefused
from jiesu.handover.files import HashingReader, HashingWriter, attachment_blobs
from jiesu.handover.pgtools import pg_dump
from jiesu.handover.registry import migration_state

BACKUP_ACTION = "handover.backup"
META_NAME = "backup.json"
FORMAT = "jiesu-backup"
FORMAT_VERSION = 1
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass
class Snapshot:
    path: Path
    member: str
    migrations: dict[str, str]
    audit_head: dict[str, Any]
    tables: list[str]


@dataclass
class BackupResult:
    path: Path
    bytes: int
    sha256: str
    attachments: int
    audit_head: dict[str, Any]
    damaged: list[str] = field(default_factory=list)


def _head(last_sequence: int | None, last_hash: str | None) -> dict[str, Any]:
    return {"last_sequence": int(last_sequence or 0), "last_hash": last_hash or GENESIS_HASH}


def _snapshot_sqlite(work: Path) -> Snapshot:
    target = work / DATABASE_MEMBERS["sqlite"]
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        latest: dict[str, str] = {}
        recorder = MigrationRecorder.Migration._meta.db_table
        for app, name in copy.execute(f'SELECT app, name FROM "{recorder}"'):  # noqa: S608 - name from meta
            latest[app] = max(latest.get(app, ""), name)
        head = copy.execute(
            f'SELECT last_sequence, last_hash FROM "{AuditChainHead._meta.db_table}" WHERE id = ?',  # noqa: S608
            [AuditChainHead.SINGLETON],
        ).fetchone()
        tables = [r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    finally:
        copy.close()
        source.close()
    target.chmod(0o600)
    return Snapshot(
        target, DATABASE_MEMBERS["sqlite"], dict(sorted(latest.items())), _head(*(head or (0, None))), tables
    )


def _snapshot_postgresql(work: Path) -> Snapshot:
    target = work / DATABASE_MEMBERS["postgresql"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
        head = AuditChainHead.objects.filter(pk=AuditChainHead.SINGLETON).values_list("last_sequence", "last_hash")
        snapshot = Snapshot(
            target,
            DATABASE_MEMBERS["postgresql"],
            migration_state(),
            _head(*(head.first() or (0, None))),
            sorted(connection.introspection.table_names()),
        )
        # The transaction stays open while pg_dump reads: the exported snapshot lives as long as it.
        pg_dump(target, snapshot=str(row[0]) if row else "")
    return snapshot


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = tar.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    with path.open("rb") as stream:
        reader = HashingReader(stream)
        tar.addfile(info, reader)
    return {"name": name, "bytes": info.size, "sha256": reader.sha256}


def _add_json(tar: tarfile.TarFile, name: str, data: dict[str, Any]) -> None:
    body = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(body))


def _write_archive(out: Path, snapshot: Snapshot, meta: dict[str, Any]) -> tuple[int, str, int, list[str]]:
    partial = out.with_name(f".{out.name}.partial")
    mode = "w:gz" if out.name.endswith((".gz", ".tgz")) else "w"
    damaged: list[str] = []
    try:
        with HashingWriter(partial) as raw, tarfile.open(fileobj=raw, mode=mode) as tar:  # type: ignore[call-overload]
            members = [_add(tar, snapshot.path, snapshot.member)]
            for blob in attachment_blobs():
                members.append(_add(tar, blob, f"files/{blob.name}"))
                if members[-1]["sha256"] != blob.name:
                    damaged.append(blob.name)
            _add_json(tar, META_NAME, {**meta, "members": members})
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return raw.size, raw.sha256, len(members) - 1, damaged


def default_backup_path() -> Path:
    return Path.cwd() / f"jiesu-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"


def backup_create(*, out: Path | None = None, actor: models.Model | None = None) -> BackupResult:
    """Write a backup archive to `out` (default: ./jiesu-backup-<time>.tar) and audit it."""
    out = out or default_backup_path()
    if out.exists():
        raise HandoverRefused(f"{out} 已存在：请换一个文件名，备份不会覆盖已有文件")
    if connection.vendor not in DATABASE_MEMBERS:
        raise HandoverRefused(f"不支持备份 {connection.vendor} 数据库（仅支持 SQLite 和 PostgreSQL）")
    if AuditChainHead._meta.db_table not in connection.introspection.table_names():
        raise HandoverRefused("数据库还没有接诉的数据表（尚未执行 jiesu migrate），没有可备份的内容")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    with tempfile.TemporaryDirectory(prefix=".jiesu-backup-", dir=out.parent) as work:
        snapshot = (_snapshot_postgresql if connection.vendor == "postgresql" else _snapshot_sqlite)(Path(work))
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "jiesu_version": __version__,
            "created_at": started.isoformat(),
            "vendor": connection.vendor,
            "database": snapshot.member,
            "migrations": snapshot.migrations,
            "audit_head": snapshot.audit_head,
            "tables": snapshot.tables,
        }
        size, sha256, attachments, damaged = _write_archive(out, snapshot, meta)
    result = BackupResult(out, size, sha256, attachments, snapshot.audit_head, damaged)
    audit_record(
        actor=actor,
        action=BACKUP_ACTION,
        detail={
            "path": str(out.resolve()),
            "bytes": size,
            "sha256": sha256,
            "attachments": attachments,
            "audit_last_sequence": snapshot.audit_head["last_sequence"],
        },
    )
    return result
