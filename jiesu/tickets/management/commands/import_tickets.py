"""`jiesu import tickets FILE`: import a city-platform export or a historical ledger (CSV / XLSX)."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from jiesu.core.management.base import JiesuCommand
from jiesu.tickets.importing.errors import ImportFileError
from jiesu.tickets.importing.mappings import mappings_available
from jiesu.tickets.importing.service import ImportSummary, tickets_import

ERRORS_SHOWN = 50


class Command(JiesuCommand):
    help = (
        "导入工单：jiesu import tickets 文件.csv|文件.xlsx [--mapping 名称] [--source 来源] [--dry-run] [--format json]"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=["tickets"], help="导入的数据类型（目前只有 tickets）")
        parser.add_argument("path", help="CSV（UTF-8 / GB18030）或 XLSX 文件")
        parser.add_argument("--mapping", default="jiesu", help=f"列映射，可选：{'、'.join(mappings_available())}")
        parser.add_argument("--source", default=None, help="来源平台（覆盖文件中的“来源平台”列）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入数据库")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        progress = _progress if (not as_json and sys.stderr.isatty()) else None
        try:
            summary = tickets_import(
                path=options["path"],
                mapping=options["mapping"],
                source=options["source"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except ImportFileError as exc:
            if as_json:
                self.stdout.write(json.dumps({"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False))
            raise CommandError(exc.message, returncode=2) from exc
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(_text(summary, dry_run=options["dry_run"]))


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r已处理 {done}/{total} 行")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _text(summary: ImportSummary, *, dry_run: bool) -> str:
    head = "试运行完成（未写入数据库）" if dry_run else "导入完成"
    lines = [
        f"{head}：新建 {summary.created} 条，更新 {summary.updated} 条，"
        f"未变化 {summary.unchanged} 条，拒绝 {summary.rejected} 行。"
    ]
    if summary.errors:
        lines.append("错误明细：")
        for error in summary.errors[:ERRORS_SHOWN]:
            column = f"［{error['column']}］" if error["column"] else ""
            lines.append(f"  第 {error['row']} 行{column}：{error['message']}")
        if len(summary.errors) > ERRORS_SHOWN:
            lines.append(f"  ……另有 {len(summary.errors) - ERRORS_SHOWN} 条错误未显示（用 --format json 查看全部）")
    return "\n".join(lines)
