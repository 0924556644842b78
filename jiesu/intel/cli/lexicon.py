"""`jiesu intel lexicon show | load FILE --from DATE | export | test TEXT`: the sensitive-content
lexicon from the command line (docs/intel-sensitive.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.core.management.base import iso_date
from jiesu.intel.sensitive.lexicon import (
    LABELS,
    lexicon_add,
    lexicon_export,
    lexicon_file_read,
    lexicon_in_force,
    lexicon_matcher,
    lexicon_terms,
    lexicons_history,
)


def add_arguments(sub: Any) -> None:
    parser = sub.add_parser("lexicon", help="敏感词库：show 查看，load 加载新版本，export 导出，test 试一试")
    actions = parser.add_subparsers(dest="lexicon_action", required=True, title="操作")
    show = actions.add_parser("show", help="列出各版本和某日有效版本的词语")
    show.add_argument("--on", type=iso_date, help="查看该日有效的版本（默认今天）")
    load = actions.add_parser("load", help="从 JSON 文件加载新版本，自 --from 日期起生效")
    load.add_argument("file", type=Path, help="词库 JSON 文件")
    load.add_argument("--from", dest="valid_from", type=iso_date, required=True, help="生效日期 YYYY-MM-DD")
    load.add_argument("--code", default="", help="版本编码（默认取文件中的 code，否则按日期生成）")
    load.add_argument("--name", default="", help="版本名称")
    export = actions.add_parser("export", help="以 JSON 输出某日有效的版本")
    export.add_argument("--on", type=iso_date, help="导出该日有效的版本（默认今天）")
    test = actions.add_parser("test", help="用现行词库检查一段文字，列出命中的词语和位置")
    test.add_argument("text", help="要检查的文字")
    test.add_argument("--on", type=iso_date, help="使用该日有效的版本（默认今天）")


def _day(options: dict[str, Any]) -> date:
    return options.get("on") or timezone.localdate()


def _in_force(options: dict[str, Any]) -> Any:
    lexicon = lexicon_in_force(on=_day(options))
    if lexicon is None:
        raise CommandError(f"{_day(options)} 没有有效的敏感词库版本")
    return lexicon


def _show(command: BaseCommand, options: dict[str, Any]) -> None:
    for version in lexicons_history():
        end = version.valid_to.isoformat() if version.valid_to else "长期有效"
        command.stdout.write(f"{version.code}\t{version.name}\t{version.valid_from} 至 {end}")
    lexicon = _in_force(options)
    command.stdout.write(f"{_day(options)} 有效：{lexicon.code}")
    for spec in lexicon_terms(lexicon):
        kind = "正则" if spec.is_regex else "词语"
        command.stdout.write(f"{LABELS.get(spec.category, spec.category)}\t{kind}\t{spec.pattern}")


def _load(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        header, specs = lexicon_file_read(options["file"])
        lexicon = lexicon_add(
            valid_from=options["valid_from"],
            terms=specs,
            actor=None,
            code=options["code"] or header.get("code", ""),
            name=options["name"] or header.get("name", ""),
        )
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    command.stdout.write(f"已加载词库 {lexicon.code}：{len(specs)} 个词语，自 {lexicon.valid_from} 起生效")


def _export(command: BaseCommand, options: dict[str, Any]) -> None:
    command.stdout.write(json.dumps(lexicon_export(_in_force(options)), ensure_ascii=False, indent=2))


def _test(command: BaseCommand, options: dict[str, Any]) -> None:
    hits = lexicon_matcher(_in_force(options)).find(options["text"])
    if not hits:
        command.stdout.write("未命中敏感词")
        return
    for hit in hits:
        command.stdout.write(f"{LABELS.get(hit.category, hit.category)}\t{hit.text}\t{hit.start}-{hit.end}")


ACTIONS = {"show": _show, "load": _load, "export": _export, "test": _test}


def _run(command: BaseCommand, options: dict[str, Any]) -> None:
    ACTIONS[options["lexicon_action"]](command, options)


COMMANDS = {"lexicon": _run}
