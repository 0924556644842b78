"""`jiesu restore PATH [--force]`: put a `jiesu backup` archive back, and prove it came back whole.

Every member is extracted into a private staging directory beside the attachments and checked
against backup.json before anything is touched. A database that already holds data is replaced
only with --force. After the database and files are back, the audit chain must end exactly where
the backup recorded it and verify from end to end; otherwise the restore is reported as failed.
Stop the web server and worker first: a restore replaces the database under them.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models

from jiesu.audit.chain import GENESIS_HASH
from jiesu.audit.models import AuditChainHead, AuditResult
from jiesu.audit.services import audit_record
from jiesu.audit.verify import audit_verify
from jiesu.handover.backup import FORMAT, FORMAT_VERSION, META_NAME
from jiesu.handover.errors import HandoverFailed, HandoverRefused
from jiesu.handover.files import attachment_install, copy_hashed
from jiesu.handover.importer import listing
from jiesu.handover.pgtools import pg_restore
from jiesu.handover.registry import instance_data_labels, migrations_pending, migrations_unknown, verbose_table_names

RESTORE_ACTION = "handover.restore"
MEMBER_NAME = re.compile(r"backup\.json|database\.(sqlite3|pgdump)|files/[0-9a-f]{64}")


@dataclass
class RestoreResult:
    created_at: str
    vendor: str
    attachments: int
    installed: int
    audit_last_sequence: int
    pending_migrations: list[str] = field(default_factory=list)


def _extract(path: Path, staging: Path) -> dict[str, tuple[int, str]]:
    """Every member into `staging`, hashed on the way; refuses names a backup never has."""
    found: dict[str, tuple[int, str]] = {}
    problems: list[str] = []
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not MEMBER_NAME.fullmatch(member.name) or not member.isfile():
                    problems.append(f"{member.name}：不应出现在接诉备份中")
                    continue
                if member.name in found:
                    problems.append(f"{member.name}：重复出现")
                    continue
                stream = tar.extractfile(member)
                if stream is None:
                    continue
                target = staging / member.name
                target.parent.mkdir(mode=0o700, exist_ok=True)
                sha256, size = copy_hashed(stream, target)
                found[member.name] = (size, sha256)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise HandoverRefused(f"备份文件已损坏或不是接诉备份，未做任何恢复：{exc}") from exc
    if problems:
        raise HandoverRefused(listing("备份文件含有异常内容，未做任何恢复：", problems))
    return found


def _read_meta(staging: Path, found: dict[str, tuple[int, str]]) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """backup.json, and its members' sizes and hashes, once they all match what was extracted."""
    if META_NAME not in found:
        raise HandoverRefused(f"备份文件中没有 {META_NAME}：不是完整的接诉备份，未做任何恢复")
    try:
        meta: dict[str, Any] = json.loads((staging / META_NAME).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{meta.get('format')} {meta.get('format_version')}")
        recorded = {m["name"]: (int(m["bytes"]), str(m["sha256"])) for m in meta["members"]}
        _ = meta["vendor"], meta["database"], meta["migrations"], meta["audit_head"]["last_sequence"]
    except (ValueError, KeyError, TypeError) as exc:
        raise HandoverRefused(f"{META_NAME} 无法读取或格式不受支持，未做任何恢复：{exc}") from exc
    problems = []
    for name, (size, sha256) in recorded.items():
        if name not in found:
            problems.append(f"{name}：缺失")
        elif found[name][0] != size:
            problems.append(f"{name}：大小不符（记录 {size} 字节，实际 {found[name][0]} 字节）")
        elif found[name][1] != sha256:
            problems.append(f"{name}：SHA-256 校验值不符（被修改或损坏）")
    problems.extend(f"{name}：不在 {META_NAME} 的清单中" for name in found.keys() - recorded.keys() - {META_NAME})
    if meta["database"] not in recorded:
        problems.append(f"{meta['database']}：缺失")
    if problems:
        raise HandoverRefused(listing("备份文件未通过校验（被修改、损坏或不完整），未做任何恢复：", problems))
    return meta, recorded


def _check_target(meta: dict[str, Any], force: bool) -> None:
    if meta["vendor"] != connection.vendor:
        raise HandoverRefused(
            f"这是 {meta['vendor']} 数据库的备份，本实例使用 {connection.vendor}，未做任何恢复。"
            "在不同数据库之间迁移请用 jiesu export-all / jiesu import-all"
        )
    unknown = migrations_unknown(meta["migrations"])
    if unknown:
        raise HandoverRefused(
            listing("备份来自更新版本的接诉（本程序没有以下迁移），未做任何恢复；请先升级程序：", unknown)
        )
    busy = instance_data_labels()
    if busy and not force:
        raise HandoverRefused(
            f"目标数据库已有数据（{verbose_table_names(busy)}），未做任何恢复。确认要用备份覆盖全部数据时请加 --force"
        )


def _restore_sqlite(snapshot: Path) -> None:
    """Copy the snapshot over the live database page by page with the online backup API: unlike
    replacing the file, this is safe with a -wal file beside it and other connections open."""
    connection.close()
    name = Path(str(settings.DATABASES["default"]["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(snapshot), sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(snapshot: Path, tables: list[str]) -> None:
    """Tables the backup does not have go first; pg_restore then replaces the rest atomically."""
    extra = sorted(set(connection.introspection.table_names()) - set(tables))
    if extra:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS " + ", ".join(connection.ops.quote_name(t) for t in extra) + " CASCADE"
            )
    connection.close()
    pg_restore(snapshot)


def _audit_problems(meta: dict[str, Any]) -> list[str]:
    head = AuditChainHead.objects.filter(pk=AuditChainHead.SINGLETON).values_list("last_sequence", "last_hash").first()
    last_sequence, last_hash = head or (0, GENESIS_HASH)
    expected = meta["audit_head"]
    problems = []
    if (last_sequence, last_hash) != (expected["last_sequence"], expected["last_hash"]):
        problems.append(f"审计链头为第 {last_sequence} 条，与备份记录的第 {expected['last_sequence']} 条不一致")
    report = audit_verify(max_problems=5)
    problems.extend(p.message for p in report.problems)
    return problems


def backup_restore(*, path: Path, force: bool = False, actor: models.Model | None = None) -> RestoreResult:
    """Restore the archive at `path` into this instance's database and attachment store."""
    if not path.is_file():
        raise HandoverRefused(f"备份文件 {path} 不存在")
    root = Path(settings.ATTACHMENT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root))
    try:
        found = _extract(path, staging)
        meta, recorded = _read_meta(staging, found)
        _check_target(meta, force)
        blobs = [name for name in recorded if name.startswith("files/")]
        installed = sum(attachment_install(staging / name, name.removeprefix("files/"), move=True) for name in blobs)
        if connection.vendor == "postgresql":
            _restore_postgresql(staging / meta["database"], list(meta.get("tables", [])))
        else:
            _restore_sqlite(staging / meta["database"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    detail = {"path": str(path.resolve()), "created_at": meta["created_at"], "attachments": len(blobs)}
    problems = _audit_problems(meta)
    if problems:
        audit_record(actor=actor, action=RESTORE_ACTION, result=AuditResult.FAILURE, detail=detail)
        raise HandoverFailed(
            listing(
                "数据库和附件已按备份恢复，但审计日志与备份记录不符"
                "（请确认 JIESU_AUDIT_KEY 与备份时相同，并检查备份来源）：",
                problems,
            )
        )
    audit_record(actor=actor, action=RESTORE_ACTION, detail=detail)
    return RestoreResult(
        created_at=meta["created_at"],
        vendor=meta["vendor"],
        attachments=len(blobs),
        installed=installed,
        audit_last_sequence=int(meta["audit_head"]["last_sequence"]),
        pending_migrations=migrations_pending(),
    )
