"""`jiesu due --from 2026-02-13T16:30 --limit 2wh`: print the deadline as ISO 8601 (+08:00)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.sla.calendar import SHANGHAI, parse_duration
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.services import deadline_compute


def parse_start(text: str) -> datetime:
    """ISO 8601 date or date-time; without an offset it is Asia/Shanghai local time."""
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"无法识别的起算时间“{text}”，应为 ISO 8601 格式，如 2026-02-13T16:30") from exc
    return start.replace(tzinfo=SHANGHAI) if start.tzinfo is None else start


class Command(JiesuCommand):
    help = "计算时限截止时间：起算时间加上时限（wh 工作小时、wd 工作日、h 小时、d 自然日、min 分钟）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起算时间，如 2026-02-13T16:30（默认北京时间）")
        parser.add_argument("--limit", required=True, help="时限，如 2wh、15wd、24h、7d、30min")
        parser.add_argument(
            "--end-of-working-day",
            action="store_true",
            help="以工作日计时，截至第 n 个工作日下班时（默认截至当日 23:59:59）",
        )
        parser.add_argument("--working-hours", default="default", help="工作时间编码（默认 default）")

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_start(options["start"])
        try:
            duration = parse_duration(options["limit"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            deadline = deadline_compute(
                start=start,
                duration=duration,
                end_of_working_day=options["end_of_working_day"],
                working_hours_code=options["working_hours"],
            )
        except CalendarNotLoadedError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(deadline.astimezone(SHANGHAI).isoformat(timespec="seconds"))
