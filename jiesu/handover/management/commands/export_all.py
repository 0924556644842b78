"""`jiesu export-all DIR`: all data in open formats (JSON Lines, CSV, attachment files, manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.handover.export import PLAINTEXT_WARNING, handover_export


class Command(JiesuCommand):
    help = "导出全部数据用于移交：每张表一个 JSON Lines 文件，工单、事件、单位另有 CSV，附件文件和带 SHA-256 的清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="导出目录（必须为空或尚不存在）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stderr.write(PLAINTEXT_WARNING)
        result = handover_export(directory=options["directory"])
        self.stdout.write(
            f"已导出到 {result.directory}：{result.tables} 张表共 {result.rows} 行，"
            f"附件 {result.attachments} 个，合计 {result.bytes} 字节；清单见 manifest.json"
        )
        if result.missing_attachments:
            self.stderr.write(
                f"注意：{len(result.missing_attachments)} 个附件在存储中已不存在（如已按保存期限清理），"
                "已在 manifest.json 的 missing_attachments 中列出"
            )
