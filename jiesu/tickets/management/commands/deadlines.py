"""`jiesu deadlines recompute [--year 2027]`: recompute running deadlines after a calendar edit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.tickets.services.recompute import deadlines_recompute


class Command(JiesuCommand):
    help = "工单时限维护：节假日安排、工作时间或时限规则修改后，重算所有未办结工单的时限。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="重算未办结工单的各环节时限（已批准延期的时限保持不变）")
        recompute.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            metavar="YEAR",
            help="只重算涉及该年份的工单（可重复，如 --year 2026 --year 2027）；默认全部",
        )
        recompute.add_argument("--batch-size", type=int, default=5000, help="每批读取和写入的工单数（默认 5000）")

    def handle(self, *args: Any, **options: Any) -> None:
        years = set(options["years"]) if options["years"] else None
        summary = deadlines_recompute(years=years, batch_size=max(options["batch_size"], 1))
        scope = "、".join(f"{y}年" for y in sorted(years)) if years else "全部年份"
        self.stdout.write(
            f"时限重算完成（{scope}）：检查 {summary.scanned} 张工单，更新 {summary.changed} 张，"
            f"因并发修改跳过 {summary.stale} 张，因缺少节假日安排无法计算 {summary.failed} 张，"
            f"用时 {summary.seconds:.1f} 秒"
        )
