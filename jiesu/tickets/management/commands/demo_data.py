"""`jiesu demo-data`: generate a realistic Beijing 12345 ledger and import it as source "demo"."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.tickets.demo.generator import ledger_rows, ledger_write
from jiesu.tickets.demo.loader import demo_data_load, demo_reference_ensure, demo_spec


class Command(JiesuCommand):
    help = "生成演示工单：按北京区街、季节和时段规律生成台账，写入 var/demo/ 并通过导入功能入库"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=2000, help="工单数量（默认 2000）")
        parser.add_argument("--days", type=int, default=90, help="覆盖的天数，截至今天零点（默认 90）")
        parser.add_argument("--seed", type=int, default=12345, help="随机种子：相同种子、同一天生成的数据完全相同")
        parser.add_argument("--anchor", help="数据截止日期 YYYY-MM-DD（默认今天；不含当天）")
        parser.add_argument("--no-live", action="store_true", help="不生成退单审核、挂起、延期等待办状态")
        parser.add_argument("--write-only", type=Path, metavar="CSV", help="只把台账写入该文件，不入库（用于性能测试）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0 or options["days"] < 1:
            raise CommandError("--tickets 不能为负数，--days 至少为 1")
        anchor = None
        if options.get("anchor"):
            day = iso_date(options["anchor"])
            anchor = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - ledger times are naive local
        if options.get("write_only"):
            self._write_only(options, anchor)
        else:
            self._load(options, anchor)

    def _write_only(self, options: dict[str, Any], anchor: datetime | None) -> None:
        demo_reference_ensure()
        spec = demo_spec(tickets=options["tickets"], days=options["days"], seed=options["seed"], anchor=anchor)
        rows = ledger_write(options["write_only"], ledger_rows(spec))
        self.stdout.write(f"已写入 {rows} 行台账：{options['write_only']}")

    def _load(self, options: dict[str, Any], anchor: datetime | None) -> None:
        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(f"\r导入中 {done}/{total}")

        result = demo_data_load(
            tickets=options["tickets"],
            days=options["days"],
            seed=options["seed"],
            anchor=anchor,
            live=not options["no_live"],
            progress=progress,
        )
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        s = result.summary
        self.stdout.write(f"台账：{result.path}（{result.rows} 行）")
        self.stdout.write(f"导入：新建 {s.created}，更新 {s.updated}，未变 {s.unchanged}，拒绝 {s.rejected}")
        for error in s.errors[:10]:
            self.stdout.write(f"  第 {error.get('row')} 行 {error.get('column', '')}：{error.get('message')}")
        self.stdout.write(f"待办状态：执行 {result.live.steps} 步操作")
        for failure in result.live.failures:
            self.stdout.write(f"  未完成：{failure}")
        if result.new_logins:
            self.stdout.write("已创建演示账号，登录信息见 var/demo-logins.txt（jiesu demo-users 可再次查看）")
