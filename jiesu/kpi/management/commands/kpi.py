"""`jiesu kpi --scheme NAME --from DATE --to DATE [--by …] [--format json|table]` and
`jiesu kpi --list-schemes`: assessment results on the command line (docs/kpi.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.selectors import schemes_list

BY_CHOICES = [g for g in Grouping.values if g != Grouping.ALL]


def _percent(value: Any) -> str:
    return "不适用" if value is None else f"{value * 100:.2f}%"


class Command(JiesuCommand):
    help = "按考核方案计算指标和得分；--list-schemes 列出可用的考核方案"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list-schemes", action="store_true", help="列出考核方案及其版本")
        parser.add_argument("--scheme", help="考核方案编码，如 beijing-3rates")
        parser.add_argument("--from", dest="start", type=str, help="开始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="end", type=str, help="结束日期 YYYY-MM-DD（含）")
        parser.add_argument("--by", choices=BY_CHOICES, default=Grouping.ALL, help="分组：单位、区、街乡镇、分类、类型")
        parser.add_argument("--format", choices=["json", "table"], default="table", help="输出格式")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_schemes"]:
            self._list()
            return
        if not (options["scheme"] and options["start"] and options["end"]):
            raise CommandError("请指定 --scheme、--from 和 --to，或使用 --list-schemes")
        start, end = iso_date(options["start"]), iso_date(options["end"])
        document = kpi_evaluate(scheme_code=options["scheme"], start=start, end=end, by=options["by"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self._table(document)

    def _list(self) -> None:
        for scheme in schemes_list():
            until = f"至 {scheme.effective_to}" if scheme.effective_to else "起长期有效"
            self.stdout.write(
                f"{scheme.code}\tv{scheme.version}\t{scheme.name}\t{scheme.effective_from} {until}\t"
                f"{scheme.get_period_display()}\t{scheme.items.count()} 项"
            )

    def _table(self, document: dict[str, Any]) -> None:
        self.stdout.write(
            f"考核方案：{document['scheme']} v{document['version']}　期间：{document['from']} 至 {document['to']}"
        )
        for group in document["groups"]:
            score = "不适用" if group["score"] is None else group["score"]
            self.stdout.write(f"\n【{group['name']}】（{group['key']}）综合得分：{score}")
            if group["payment"] is not None:
                self.stdout.write(f"  付款比例：{_percent(group['payment'])}")
            for code, cell in group["indicators"].items():
                ind = INDICATORS[code]
                shown = cell["value"] if not ind.is_rate else _percent(cell["value"])
                ratio = "" if not ind.is_rate else f"  {cell['numerator']} / {cell['denominator']}"
                self.stdout.write(f"  {ind.name}：{shown}{ratio}")
            for target in group["targets"]:
                met = {True: "达标", False: "未达标", None: "不适用"}[target["met"]]
                sign = "≥" if target["direction"] == "at_least" else "≤"
                self.stdout.write(
                    f"  目标 {INDICATORS[target['indicator']].name} {sign} {_percent(target['threshold'])}：{met}"
                )
