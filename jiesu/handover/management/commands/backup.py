"""`jiesu backup [--out PATH]`: a consistent snapshot of the database and the attachment files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.handover.backup import backup_create


class Command(JiesuCommand):
    help = "备份：数据库一致性快照（SQLite 在线备份 / PostgreSQL pg_dump）与全部附件，打成一个 tar 包"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", type=Path, help="备份文件路径，以 .tar.gz 结尾时压缩（默认 ./jiesu-backup-<时间>.tar）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup_create(out=options.get("out"))
        self.stdout.write(
            f"已备份到 {result.path}：{result.bytes} 字节，附件 {result.attachments} 个，"
            f"审计链头第 {result.audit_head['last_sequence']} 条"
        )
        self.stdout.write(f"SHA-256：{result.sha256}")
        if result.damaged:
            self.stderr.write(
                f"注意：{len(result.damaged)} 个附件文件的内容与其 SHA-256 不符（存储已损坏），已按现状备份："
                + "、".join(result.damaged[:20])
            )
