"""`jiesu tickets-export -o 台账.xlsx`: the ticket ledger as an Excel file, audited like the web export."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.orgs.models import User
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.exporting.service import search_description, tickets_export, tickets_for_export
from jiesu.tickets.selectors import TicketSearch


class Command(JiesuCommand):
    help = (
        "导出工单台账（Excel）：jiesu tickets-export -o 台账.xlsx [--status 状态 …] "
        "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--as 用户名]"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
        parser.add_argument(
            "--status", action="append", choices=TicketStatus.values, default=[], help="工单状态（可重复）"
        )
        parser.add_argument("--from", dest="received_from", type=iso_date, help="受理日期起（含）")
        parser.add_argument("--to", dest="received_to", type=iso_date, help="受理日期止（含）")
        parser.add_argument(
            "--as", dest="username", help="以该用户的数据范围导出（默认：系统，全部工单）；审计日志记录此用户"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件的扩展名应为 .xlsx")
        if not output.parent.is_dir():
            raise CommandError(f"输出目录不存在：{output.parent}")
        viewer = self._viewer(options["username"])
        search = TicketSearch(
            statuses=tuple(options["status"]),
            received_from=options["received_from"],
            received_to=options["received_to"],
        )
        filters = {**search_description(search), "source": "cli"}
        rows = tickets_export(
            tickets=tickets_for_export(viewer=viewer, search=search),
            actor=viewer,
            path=output,
            filters=filters,
            progress=_progress if sys.stderr.isatty() else None,
        )
        self.stdout.write(f"已导出 {rows} 件工单到 {output}")

    def _viewer(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username).select_related("unit").first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        return user


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r已导出 {done}/{total} 行")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
