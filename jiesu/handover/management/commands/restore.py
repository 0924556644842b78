"""`jiesu restore PATH [--force]`: restore a `jiesu backup` archive and verify the audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.handover.restore import backup_restore


class Command(JiesuCommand):
    help = "从 jiesu backup 的备份文件恢复数据库和附件，并校验审计日志（请先停止网页服务和后台任务）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="备份文件（.tar 或 .tar.gz）")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然恢复（先清空，再用备份覆盖）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup_restore(path=options["path"], force=options["force"])
        self.stdout.write(
            f"已恢复 {result.created_at} 的备份（{result.vendor}）：附件 {result.attachments} 个"
            f"（新写入 {result.installed} 个），审计链完整，链头第 {result.audit_last_sequence} 条"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"备份来自较早的版本：请运行 jiesu migrate（{len(result.pending_migrations)} 个迁移待执行）"
            )
