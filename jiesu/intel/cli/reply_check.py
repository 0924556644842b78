"""`jiesu intel reply-check --csv FILE --text COL [--out FILE] [--format json|table] [--at MOMENT]`:
the reply elements (六要素) found in each reply of a CSV file, and the share of replies showing
each element (docs/intel-reply-check.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from jiesu.core.errors import DomainError
from jiesu.intel import tables
from jiesu.intel.replycheck import ReplyCheck, reply_checker_at

FOUND_COLUMN = "elements_found"
MISSING_COLUMN = "elements_missing"


def _moment(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"时间格式应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM：{value}")
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_current_timezone())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def add_arguments(sub: Any) -> None:
    parser = sub.add_parser("reply-check", help="反馈要素检查：识别 CSV 中每条答复写明了哪些要素，并统计各要素的比例")
    parser.add_argument("--csv", required=True, type=Path, help="CSV 文件（UTF-8 或 GB18030）")
    parser.add_argument("--text", required=True, help="答复文本列，如 答复意见")
    parser.add_argument("--out", type=Path, help="输出 CSV 文件（原有列加上识别到的和缺少的要素）")
    parser.add_argument("--format", choices=("json", "table"), default="table", help="汇总的输出格式（默认 table）")
    parser.add_argument("--at", type=_moment, help="使用该时间生效的要素方案（默认现在；没有方案时用内置默认方案）")


def _summary(checks: list[ReplyCheck]) -> dict[str, Any]:
    first = checks[0]
    total = len(checks)
    elements = []
    for index, element in enumerate(first.elements):
        found = sum(1 for c in checks if c.elements[index].found)
        elements.append(
            {
                "code": element.code,
                "label": element.label,
                "required": element.required,
                "found": found,
                "share": round(found / total, 4),
            }
        )
    complete = sum(1 for c in checks if not c.missing)
    return {
        "scheme": first.scheme_code or "built-in",
        "scheme_name": first.scheme_name,
        "rows": total,
        "complete": complete,
        "complete_share": round(complete / total, 4),
        "elements": elements,
    }


def _write_table(command: BaseCommand, summary: dict[str, Any]) -> None:
    scheme = "内置默认方案" if summary["scheme"] == "built-in" else summary["scheme"]
    command.stdout.write(f"要素方案：{summary['scheme_name']}（{scheme}），共 {summary['rows']} 条答复")
    command.stdout.write("要素\t名称\t识别到\t比例")
    for element in summary["elements"]:
        command.stdout.write(f"{element['code']}\t{element['label']}\t{element['found']}\t{element['share']:.1%}")
    command.stdout.write(f"全部要素齐全：{summary['complete']} 条（{summary['complete_share']:.1%}）")


def _run(command: BaseCommand, options: dict[str, Any]) -> None:
    column = str(options["text"]).strip()
    try:
        table = tables.table_read(options["csv"], required=[column])
        checker = reply_checker_at(options.get("at") or timezone.now())
        checks = [checker.check(text) for text in tables.texts_of(table, [column])]
        if options.get("out"):
            rows = []
            for row, check in zip(table.rows, checks, strict=True):
                found = [e.label for e in check.elements if e.found]
                missing = [e.label for e in check.elements if not e.found]
                rows.append({**row, FOUND_COLUMN: "、".join(found), MISSING_COLUMN: "、".join(missing)})
            tables.table_write(options["out"], [*table.columns, FOUND_COLUMN, MISSING_COLUMN], rows)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    summary = _summary(checks)
    if options["format"] == "json":
        command.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        _write_table(command, summary)
    if options.get("out"):
        command.stdout.write(f"逐条结果已写入 {options['out']}")


COMMANDS = {"reply-check": _run}
