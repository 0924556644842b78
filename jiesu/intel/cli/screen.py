"""`jiesu intel screen`: screen the stored tickets received in a date range again (sensitive
content, repeats and duplicates, suggestions) and print what it found; `jiesu intel rules show|set`:
the versioned repeat and duplicate rules (docs/intel-duplicates.md)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.core.management.base import iso_date
from jiesu.intel.duplicates.rules import ScreeningRules, screening_rules_on, screening_rules_publish
from jiesu.intel.models import ScreeningRuleSet, TicketLink
from jiesu.intel.screening import ticket_screen
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.selectors_search import moment_range

STEPS = ("sensitive", "duplicates", "suggestions")
RULE_LABELS = {
    "repeat_window_days": "同一诉求人重复来电窗口（天）",
    "place_topic_window_days": "同一地点同一问题窗口（天）",
    "near_duplicate_window_days": "疑似重复比对窗口（天）",
    "near_duplicate_threshold": "疑似重复相似度阈值",
}


def _steps(value: str) -> tuple[str, ...]:
    steps = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise CommandError(f"--steps 可选：{','.join(STEPS)}（逗号分隔），不认识：{','.join(unknown) or '空'}")
    return steps


def add_arguments(sub: Any) -> None:
    screen = sub.add_parser("screen", help="对某段时间受理的已存工单重新做智能筛查（敏感、重复、建议）并输出统计")
    screen.add_argument("--from", dest="date_from", required=True, type=iso_date, help="受理日期起 YYYY-MM-DD（含）")
    screen.add_argument("--to", dest="date_to", required=True, type=iso_date, help="受理日期止 YYYY-MM-DD（含）")
    screen.add_argument(
        "--steps", type=_steps, default=STEPS, help="筛查步骤，逗号分隔（默认全部）：" + ",".join(STEPS)
    )
    screen.add_argument("--format", choices=("json", "table"), default="table", help="输出格式（默认 table）")
    rules = sub.add_parser("rules", help="重复诉求规则：show 查看某日有效的规则，set 发布新版本")
    rules.add_argument("action", choices=("show", "set"), help="show 查看；set 发布新版本")
    rules.add_argument(
        "--from", dest="valid_from", type=iso_date, help="show：查看该日有效的规则（默认今天）；set：生效日期（必填）"
    )
    rules.add_argument("--repeat-days", dest="repeat_window_days", type=int, help="同一诉求人重复来电窗口（天）")
    rules.add_argument("--place-days", dest="place_topic_window_days", type=int, help="同一地点同一问题窗口（天）")
    rules.add_argument("--near-days", dest="near_duplicate_window_days", type=int, help="疑似重复比对窗口（天）")
    rules.add_argument("--threshold", dest="near_duplicate_threshold", type=float, help="疑似重复相似度阈值（0.3–1）")
    rules.add_argument("--format", choices=("json", "table"), default="table", help="输出格式（默认 table）")


def _screen_counts(date_from: date, date_to: date, steps: tuple[str, ...]) -> dict[str, Any]:
    started_at, started = timezone.now(), time.perf_counter()
    tickets = Ticket.objects.filter(moment_range("received_at", date_from, date_to)).order_by("received_at", "id")
    outcomes: dict[str, Counter[str]] = {step: Counter() for step in steps}
    screened = 0
    for ticket in tickets.iterator(chunk_size=500):
        for step, outcome in ticket_screen(ticket, steps=steps).items():
            outcomes[step]["ok" if outcome == "ok" else "failed"] += 1
        screened += 1
    links = TicketLink.objects.filter(detected_at__gte=started_at).values_list("kind").annotate(n=Count("id"))
    flags = (
        TicketEvent.objects.filter(kind=EventKind.FLAGGED, recorded_at__gte=started_at)
        .values_list("payload__screen")
        .annotate(n=Count("id"))
    )
    return {
        "from": str(date_from),
        "to": str(date_to),
        "tickets": screened,
        "steps": {step: {"ok": c["ok"], "failed": c["failed"]} for step, c in outcomes.items()},
        "new_links": dict(links),
        "flagged": {str(screen): n for screen, n in flags},
        "seconds": round(time.perf_counter() - started, 3),
    }


def run_screen(command: BaseCommand, options: dict[str, Any]) -> None:
    date_from, date_to = options["date_from"], options["date_to"]
    if date_to < date_from:
        raise CommandError("--to 不能早于 --from")
    counts = _screen_counts(date_from, date_to, options["steps"])
    if options["format"] == "json":
        command.stdout.write(json.dumps(counts, ensure_ascii=False))
        return
    command.stdout.write(f"{date_from} 至 {date_to} 受理的工单 {counts['tickets']} 件，用时 {counts['seconds']} 秒")
    for step, c in counts["steps"].items():
        command.stdout.write(f"  {step}：成功 {c['ok']}，失败 {c['failed']}")
    for kind, n in sorted(counts["new_links"].items()):
        command.stdout.write(f"  新增关联 {kind}：{n}")
    for screen, n in sorted(counts["flagged"].items()):
        command.stdout.write(f"  智能标记 {screen}：{n}")


def _rules_dict(rules: ScreeningRules, on: date) -> dict[str, Any]:
    return {"on": str(on), "code": rules.code or "默认", "valid_from": str(rules.valid_from or ""), **rules.values()}


def run_rules(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["action"] == "set":
        if options["valid_from"] is None:
            raise CommandError("rules set 需要 --from（生效日期 YYYY-MM-DD）")
        values = {name: options[name] for name in RULE_LABELS}
        try:
            row = screening_rules_publish(valid_from=options["valid_from"], actor=None, **values)
        except DomainError as error:
            raise CommandError(error.message) from error
        command.stdout.write(f"已发布重复诉求规则 {row.code}，{row.valid_from} 起生效")
        on = row.valid_from
    else:
        on = options["valid_from"] or timezone.localdate()
    shown = _rules_dict(screening_rules_on(on), on)
    if options["format"] == "json":
        shown["versions"] = ScreeningRuleSet.objects.count()
        command.stdout.write(json.dumps(shown, ensure_ascii=False))
        return
    command.stdout.write(
        f"{on} 有效的规则：{shown['code']}" + (f"（{shown['valid_from']} 起）" if shown["valid_from"] else "")
    )
    for name, label in RULE_LABELS.items():
        command.stdout.write(f"  {label}：{shown[name]}")


COMMANDS = {"screen": run_screen, "rules": run_rules}
