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

from jiesu.core.management.base import iso_date
from jiesu.intel.cli.versioned import RuleOption, VersionedRules
from jiesu.intel.duplicates.rules import screening_rules_on, screening_rules_publish
from jiesu.intel.models import ScreeningRuleSet, TicketLink
from jiesu.intel.screening import ticket_screen
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.selectors_search import moment_range

STEPS = ("sensitive", "duplicates", "suggestions")
RULES = VersionedRules(
    subcommand="rules",
    title="重复诉求规则",
    options=(
        RuleOption("repeat_window_days", "--repeat-days", int, "同一诉求人重复来电窗口（天）"),
        RuleOption("place_topic_window_days", "--place-days", int, "同一地点同一问题窗口（天）"),
        RuleOption("near_duplicate_window_days", "--near-days", int, "疑似重复比对窗口（天）"),
        RuleOption("near_duplicate_threshold", "--threshold", float, "疑似重复相似度阈值（0.3–1）"),
    ),
    read=screening_rules_on,
    publish=screening_rules_publish,
    count=ScreeningRuleSet.objects.count,
)


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
    RULES.add_parser(sub)


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


COMMANDS = {"screen": run_screen, "rules": RULES.run}
