"""`jiesu calendar show|set|clear|complete|import|export`: the statutory holiday calendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.sla.calendar import CalendarNotLoaded, workdays_in_year
from jiesu.sla.importers import read_calendar_file
from jiesu.sla.selectors import calendar_days_of_year, calendar_year_get, work_calendar
from jiesu.sla.services import calendar_day_clear, calendar_day_set, calendar_year_import, calendar_year_mark_complete

WEEKDAYS = "一二三四五六日"


class Command(JiesuCommand):
    help = "查看和维护法定节假日与调休安排（按国务院办公厅每年的放假通知录入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="列出某年的放假与调休上班日期")
        show.add_argument("year", type=int)

        set_day = sub.add_parser("set", help="登记一天：放假（--off）或调休上班（--work）")
        set_day.add_argument("day")
        kind = set_day.add_mutually_exclusive_group(required=True)
        kind.add_argument("--off", action="store_true", help="放假")
        kind.add_argument("--work", action="store_true", help="周末调休上班")
        set_day.add_argument("--name", default="", help="节日名称，如 元旦")
        set_day.add_argument("--notice", default=None, help="通知文号，如 国办发明电〔2026〕X号")
        set_day.add_argument("--url", default=None, help="通知链接")
        set_day.add_argument("--source", default=None, help="数据来源")

        clear = sub.add_parser("clear", help="删除某天的登记")
        clear.add_argument("day")

        complete = sub.add_parser("complete", help="确认某年已录入完整并生效（--undo 撤销）")
        complete.add_argument("year", type=int)
        complete.add_argument("--undo", action="store_true")

        load = sub.add_parser("import", help="从 JSON 或 CSV 文件导入某年的全部安排（替换原有记录）")
        load.add_argument("path")
        load.add_argument("--year", type=int, default=None)
        load.add_argument("--notice", default=None)
        load.add_argument("--url", default=None)
        load.add_argument("--source", default=None)
        load.add_argument("--draft", action="store_true", help="只导入，不生效（稍后用 complete 确认）")

        export = sub.add_parser("export", help="以 JSON 导出某年的安排（可再导入）")
        export.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"do_{action}")(options)

    def do_show(self, options: dict[str, Any]) -> None:
        year = options["year"]
        calendar_year = calendar_year_get(year)
        if calendar_year is None:
            raise CommandError(str(CalendarNotLoaded(year)))
        self.stdout.write(f"{year}年 法定节假日与调休安排")
        if calendar_year.notice_number or calendar_year.notice_url:
            self.stdout.write(f"通知：{calendar_year.notice_number} {calendar_year.notice_url}".rstrip())
        if calendar_year.source:
            self.stdout.write(f"来源：{calendar_year.source}")
        state = "已生效" if calendar_year.is_complete else "草稿（尚未确认录入完整，不参与计算）"
        self.stdout.write(f"状态：{state}")
        days = list(calendar_days_of_year(year))
        for row in days:
            label = "调休上班" if row.is_workday else "放假　　"  # full-width padding keeps columns aligned
            self.stdout.write(f"{row.day:%Y-%m-%d}  周{WEEKDAYS[row.day.weekday()]}  {label}  {row.name}".rstrip())
        off = sum(1 for row in days if not row.is_workday)
        work = len(days) - off
        summary = f"合计：放假 {off} 天（不含本来休息的周末），调休上班 {work} 天"
        if calendar_year.is_complete:
            summary += f"；全年工作日 {workdays_in_year(year, work_calendar(years=[year]))} 天"
        self.stdout.write(summary + "。")

    def do_set(self, options: dict[str, Any]) -> None:
        day = iso_date(options["day"])
        row = calendar_day_set(
            day=day,
            is_workday=bool(options["work"]),
            name=options["name"],
            actor=None,
            notice_number=options["notice"],
            notice_url=options["url"],
            source=options["source"],
        )
        self.stdout.write(f"已登记：{row}")
        if not row.year.is_complete:
            self.stdout.write(f"{day.year}年尚未生效：全部录入并核对后，运行 jiesu calendar complete {day.year}")

    def do_clear(self, options: dict[str, Any]) -> None:
        day = iso_date(options["day"])
        if not calendar_day_clear(day=day, actor=None):
            raise CommandError(f"{day} 没有登记记录")
        self.stdout.write(f"已删除 {day} 的登记")

    def do_complete(self, options: dict[str, Any]) -> None:
        calendar_year = calendar_year_mark_complete(year=options["year"], actor=None, is_complete=not options["undo"])
        self.stdout.write(f"{calendar_year.year}年安排" + ("已生效" if calendar_year.is_complete else "已撤销生效"))

    def do_import(self, options: dict[str, Any]) -> None:
        try:
            parsed = read_calendar_file(Path(options["path"]))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        year = options["year"] or parsed.year
        if year is None:
            raise CommandError("无法确定年份，请用 --year 指定")
        source = options["source"] if options["source"] is not None else (parsed.source or Path(options["path"]).name)
        calendar_year = calendar_year_import(
            year=year,
            days=parsed.days,
            actor=None,
            notice_number=options["notice"] if options["notice"] is not None else parsed.notice_number,
            notice_url=options["url"] if options["url"] is not None else parsed.notice_url,
            source=source,
            complete=not options["draft"],
        )
        state = "已生效" if calendar_year.is_complete else "草稿，尚未生效"
        self.stdout.write(f"已导入 {year}年 {len(parsed.days)} 条记录（{state}）")

    def do_export(self, options: dict[str, Any]) -> None:
        year = options["year"]
        calendar_year = calendar_year_get(year)
        if calendar_year is None:
            raise CommandError(str(CalendarNotLoaded(year)))
        data = {
            "year": year,
            "notice_number": calendar_year.notice_number,
            "notice_url": calendar_year.notice_url,
            "source": calendar_year.source,
            "days": [
                {"day": row.day.isoformat(), "is_workday": row.is_workday, "name": row.name}
                for row in calendar_days_of_year(year)
            ],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
