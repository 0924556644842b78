"""`jiesu kpi --scheme NAME --from DATE --to DATE [--by …] [--format json|table|xlsx]`,
`--rank`, `--compare`, `--forecast`, `jiesu kpi --list-schemes` and
`jiesu kpi adjustments add|list|revoke` (docs/kpi.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.core.spreadsheet import tables_workbook
from jiesu.kpi import cli, xlsx
from jiesu.kpi.analysis import kpi_compare, kpi_forecast, kpi_ranking
from jiesu.kpi.choices import AdjustmentKind, Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.selectors import schemes_list

BY_CHOICES = [g for g in Grouping.values if g != Grouping.ALL]
Mode = tuple[Callable[..., dict[str, Any]], Callable[[dict[str, Any], cli.Write], None], Callable[[Any], Any]]


class Command(JiesuCommand):
    help = (
        "按考核方案计算指标和得分、排名、环比同比和期末预测；--list-schemes 列出考核方案；adjustments 管理表扬/批评记录"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subject", nargs="?", choices=["adjustments"], help="adjustments：表扬/批评记录")
        parser.add_argument("verb", nargs="?", choices=["add", "list", "revoke"], help="add、list 或 revoke")
        parser.add_argument("--list-schemes", action="store_true", help="列出考核方案及其版本")
        parser.add_argument("--scheme", help="考核方案编码，如 beijing-3rates")
        parser.add_argument("--from", dest="start", type=str, help="开始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", type=str, help="结束日期 YYYY-MM-DD（含）")
        parser.add_argument(
            "--by", choices=BY_CHOICES, default=Grouping.ALL, help="分组：单位、区、街乡镇、分类、类型、受理坐席"
        )
        parser.add_argument("--format", choices=["json", "table", "xlsx"], default="table", help="输出格式")
        parser.add_argument("--output", help="--format xlsx 时写入的文件")
        parser.add_argument("--rank", action="store_true", help="排名（配合 --by）")
        parser.add_argument("--order-by", default="score", help="排名依据：score 或指标编码")
        parser.add_argument("--min-volume", type=int, help="参与排名的最小样本量（默认取方案设置）")
        parser.add_argument("--compare", action="store_true", help="环比与同比")
        parser.add_argument("--forecast", action="store_true", help="期末预测")
        parser.add_argument("--today", help="期末预测的基准日期（默认今天）")
        adjustments = parser.add_argument_group("表扬/批评记录（adjustments）")
        adjustments.add_argument("--kind", choices=AdjustmentKind.values, help="commendation 表扬 / criticism 批评")
        adjustments.add_argument("--on", help="日期 YYYY-MM-DD")
        adjustments.add_argument("--points", help="分值（正数）")
        adjustments.add_argument("--reason", help="事由或撤销原因")
        adjustments.add_argument("--unit", help="单位编码（不填为整个中心）")
        adjustments.add_argument("--document", help="文号")
        adjustments.add_argument("--id", type=int, help="要撤销的记录编号")
        adjustments.add_argument("--actor", help="以该用户的身份录入或撤销（默认系统）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subject"] == "adjustments":
            cli.adjustments_command(options["verb"] or "list", options, self.stdout.write)
            return
        if options["verb"]:
            raise CommandError("add、list、revoke 只能用于 adjustments")
        if options["list_schemes"]:
            self._list()
            return
        if not (options["scheme"] and options["start"] and options["end"]):
            raise CommandError("请指定 --scheme、--from 和 --to，或使用 --list-schemes")
        if sum(bool(options[m]) for m in ("rank", "compare", "forecast")) > 1:
            raise CommandError("--rank、--compare、--forecast 只能选一个")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("--format xlsx 需要用 --output 指定文件")
        compute, text, tables = self._mode(options)
        start, end = iso_date(options["start"]), iso_date(options["end"])
        document = compute(scheme_code=options["scheme"], start=start, end=end, by=options["by"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        elif options["format"] == "xlsx":
            made = tables(document)
            Path(options["output"]).write_bytes(tables_workbook(made if isinstance(made, list) else [made]))
            self.stdout.write(f"已写入 {options['output']}")
        else:
            text(document, self.stdout.write)

    def _mode(self, options: dict[str, Any]) -> Mode:
        if options["rank"]:

            def rank(**kw: Any) -> dict[str, Any]:
                return kpi_ranking(**kw, order_by=options["order_by"], min_volume=options["min_volume"])

            return rank, cli.ranking_text, xlsx.ranking_table
        if options["compare"]:
            return kpi_compare, cli.compare_text, xlsx.compare_table
        if options["forecast"]:
            today: date = iso_date(options["today"]) if options["today"] else timezone.localdate()

            def forecast(**kw: Any) -> dict[str, Any]:
                return kpi_forecast(**kw, today=today)

            return forecast, cli.forecast_text, xlsx.forecast_table
        return kpi_evaluate, cli.evaluation_text, xlsx.evaluation_tables

    def _list(self) -> None:
        for scheme in schemes_list():
            until = f"至 {scheme.effective_to}" if scheme.effective_to else "起长期有效"
            self.stdout.write(
                f"{scheme.code}\tv{scheme.version}\t{scheme.name}\t{scheme.effective_from} {until}\t"
                f"{scheme.get_period_display()}\t{scheme.items.count()} 项"
            )
