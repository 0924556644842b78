"""`show` / `set` of versioned rule data from the command line (`jiesu intel rules`, `jiesu intel
burst-rules`): show the version in force on a day, or publish a new one from a day."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.core.management.base import iso_date


@dataclass(frozen=True)
class RuleOption:
    name: str  # the value's field name
    flag: str  # its command-line option
    kind: type  # int or float
    label: str  # what it is, in Chinese


@dataclass(frozen=True)
class VersionedRules:
    subcommand: str
    title: str  # e.g. 重复诉求规则
    options: tuple[RuleOption, ...]
    read: Callable[[date], Any]  # the rules in force on a day: .code, .valid_from, .values()
    publish: Callable[..., Any]  # (valid_from=, actor=, **values) → the new row
    count: Callable[[], int]  # versions stored

    def add_parser(self, sub: Any) -> None:
        parser = sub.add_parser(self.subcommand, help=f"{self.title}：show 查看某日有效的规则，set 发布新版本")
        parser.add_argument("action", choices=("show", "set"), help="show 查看；set 发布新版本")
        when = "show：查看该日有效的规则（默认今天）；set：生效日期（必填）"
        parser.add_argument("--from", dest="valid_from", type=iso_date, help=when)
        for option in self.options:
            parser.add_argument(option.flag, dest=option.name, type=option.kind, help=option.label)
        parser.add_argument("--format", choices=("json", "table"), default="table", help="输出格式（默认 table）")

    def run(self, command: BaseCommand, options: dict[str, Any]) -> None:
        if options["action"] == "set":
            if options["valid_from"] is None:
                raise CommandError(f"{self.subcommand} set 需要 --from（生效日期 YYYY-MM-DD）")
            values = {o.name: options[o.name] for o in self.options}
            try:
                row = self.publish(valid_from=options["valid_from"], actor=None, **values)
            except DomainError as error:
                raise CommandError(error.message) from error
            command.stdout.write(f"已发布{self.title} {row.code}，{row.valid_from} 起生效")
            on = row.valid_from
        else:
            on = options["valid_from"] or timezone.localdate()
        rules = self.read(on)
        shown = {"on": str(on), "code": rules.code or "默认", "valid_from": str(rules.valid_from or "")}
        shown |= rules.values()
        if options["format"] == "json":
            shown["versions"] = self.count()
            command.stdout.write(json.dumps(shown, ensure_ascii=False))
            return
        since = f"（{shown['valid_from']} 起）" if shown["valid_from"] else ""
        command.stdout.write(f"{on} 有效的{self.title}：{shown['code']}{since}")
        for option in self.options:
            command.stdout.write(f"  {option.label}：{shown[option.name]}")
