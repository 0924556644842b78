"""`jiesu reply-elements show|set`: the reply-element checklist (六要素) and its versions."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand, iso_date
from jiesu.tickets.models import ReplyElementScheme
from jiesu.tickets.services.reply_elements import (
    DEFAULT_SCHEME_FILE,
    reply_element_file_read,
    reply_element_scheme_in_force,
    reply_element_scheme_set,
)


class Command(JiesuCommand):
    help = "反馈要素（六要素）方案：查看现行方案，或设置自某日起生效的新方案"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{show,set}")
        show = actions.add_parser("show", help="查看某日（默认今天）生效的方案及历史版本")
        show.add_argument("--on", type=iso_date, help="日期 YYYY-MM-DD")
        put = actions.add_parser("set", help="设置新方案（JSON 文件；不指定文件时使用内置的默认六要素）")
        put.add_argument("--from", dest="valid_from", type=iso_date, required=True, help="生效日期 YYYY-MM-DD")
        put.add_argument("--file", type=str, help="要素文件（JSON）")
        put.add_argument("--code", default="", help="方案编码（默认取文件中的 code）")
        put.add_argument("--name", default="", help="方案名称（默认取文件中的 name）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(options.get("on") or timezone.localdate())
        else:
            self._set(options)

    def _show(self, on: date) -> None:
        scheme = reply_element_scheme_in_force(on=on)
        if scheme is None:
            self.stdout.write(f"{on} 没有生效的反馈要素方案（反馈不做要素检查）")
        else:
            self.stdout.write(f"{on} 生效：{scheme.name}（{scheme.code}，{scheme.valid_from} 起）")
            for element in scheme.elements.all():
                self.stdout.write(f"  {element.code}\t{element.label}\t{'必填' if element.required else '选填'}")
        self.stdout.write("全部版本：")
        for version in ReplyElementScheme.objects.order_by("valid_from", "id"):
            until = version.valid_to or "至今"
            self.stdout.write(f"  {version.code}\t{version.name}\t{version.valid_from} — {until}")

    def _set(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]) if options.get("file") else DEFAULT_SCHEME_FILE
        header, specs = reply_element_file_read(path)
        scheme = reply_element_scheme_set(
            valid_from=options["valid_from"],
            elements=specs,
            code=options["code"] or str(header.get("code") or ""),
            name=options["name"] or str(header.get("name") or ""),
        )
        self.stdout.write(f"已设置反馈要素方案 {scheme.code}，自 {scheme.valid_from} 起生效，共 {len(specs)} 项")
