"""`jiesu intel bursts [--date DATE] [--format json|table] [--dry-run]`: detect the bursts of the
window ending on DATE (yesterday by default), store new ones as alerts and tell the analysts;
`jiesu intel burst-rules show|set`: the versioned thresholds (docs/intel-bursts.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from jiesu.core.management.base import iso_date
from jiesu.intel.bursts.config import burst_rules_publish, burst_settings
from jiesu.intel.bursts.detect import Burst
from jiesu.intel.bursts.services import bursts_run
from jiesu.intel.cli.versioned import RuleOption, VersionedRules
from jiesu.intel.models import BurstRuleSet

HEADER = ("热点", "窗口", "件数", "基线", "倍数", "突增程度", "基线来源", "新预警")
SOURCES = {"seasonal": "往年同期", "recent": "近期水平"}
RULES = VersionedRules(
    subcommand="burst-rules",
    title="突增预警规则",
    options=(
        RuleOption("window_days", "--window-days", int, "观察窗口（天）"),
        RuleOption("years", "--years", int, "季节基线往年数"),
        RuleOption("recent_windows", "--recent-windows", int, "无往年数据时的近期窗口数"),
        RuleOption("category_level", "--category-level", int, "问题分类层级"),
        RuleOption("min_count", "--min-count", int, "最少件数"),
        RuleOption("max_p", "--max-p", float, "泊松尾概率上限"),
        RuleOption("min_ratio", "--min-ratio", float, "最小倍数"),
        RuleOption("min_expected", "--min-expected", float, "期望值下限"),
        RuleOption("max_tickets", "--max-tickets", int, "预警保留工单数"),
    ),
    read=burst_settings,
    publish=burst_rules_publish,
    count=BurstRuleSet.objects.count,
)


def add_arguments(sub: Any) -> None:
    bursts = sub.add_parser("bursts", help="热点突增：与往年同期比较，发现突增并生成预警、通知分析员")
    bursts.add_argument("--date", type=iso_date, help="窗口结束日期 YYYY-MM-DD（含），默认昨天")
    bursts.add_argument("--format", choices=["json", "table"], default="table", help="输出格式（默认 table）")
    bursts.add_argument("--dry-run", action="store_true", help="只检测并输出，不保存预警、不发通知")
    RULES.add_parser(sub)


def _row(burst: Burst, created: bool) -> dict[str, Any]:
    return {
        "key": burst.key,
        "label": burst.label,
        "window_start": burst.span.start.isoformat(),
        "window_end": burst.span.end.isoformat(),
        "count": burst.count,
        "expected": round(burst.expected.value, 2),
        "ratio": round(burst.ratio, 2),
        "score": burst.score,
        "baseline": burst.expected.source,
        "baseline_years": burst.expected.years,
        "new_alert": created,
        "tickets": burst.ticket_numbers,
    }


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    on = options.get("date") or timezone.localdate() - timedelta(days=1)
    result = bursts_run(on=on, dry_run=bool(options.get("dry_run")))
    keys = {alert.key for alert in result.created}
    rows = [_row(b, b.key in keys) for b in result.bursts]
    if options.get("format") == "json":
        command.stdout.write(json.dumps({"date": on.isoformat(), "bursts": rows}, ensure_ascii=False, indent=2))
        return
    command.stdout.write("\t".join(HEADER))
    for r in rows:
        window = f"{r['window_start']}～{r['window_end']}"
        cells = [r["label"], window, r["count"], r["expected"], r["ratio"], r["score"], SOURCES[r["baseline"]]]
        command.stdout.write("\t".join(str(c) for c in [*cells, "是" if r["new_alert"] else "否"]))
    saved = "（试运行，未保存）" if options.get("dry_run") else f"，新预警 {len(result.created)} 条"
    command.stdout.write(f"{on} 为止的窗口发现突增 {len(rows)} 处{saved}")


COMMANDS = {"bursts": run, "burst-rules": RULES.run}
