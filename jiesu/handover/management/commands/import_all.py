"""`jiesu import-all DIR`: load an export-all directory into a freshly migrated, empty instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.handover.importer import handover_import


class Command(JiesuCommand):
    help = "导入 jiesu export-all 的导出目录：先校验清单，目标须为刚迁移的空实例，全部在一个事务中载入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="export-all 生成的导出目录")

    def handle(self, *args: Any, **options: Any) -> None:
        result = handover_import(directory=options["directory"])
        self.stdout.write(
            f"已导入 {result.tables} 张表共 {result.rows} 行、附件 {result.attachments} 个；审计日志校验通过"
        )
