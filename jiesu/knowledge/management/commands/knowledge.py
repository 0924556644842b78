"""`jiesu knowledge search | export | import | reindex | expire | demo`: the knowledge base from the
server's command line (docs/knowledge.md). Errors are reported in Chinese with exit status 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.html import strip_tags

from jiesu.core.errors import ValidationFailed
from jiesu.core.management.base import JiesuCommand
from jiesu.knowledge.choices import Library
from jiesu.knowledge.demo import knowledge_demo_ensure
from jiesu.knowledge.exchange import library_export, library_import
from jiesu.knowledge.jobs import knowledge_expire_job, knowledge_expiry_reminders_job
from jiesu.knowledge.search.index import entries_reindex
from jiesu.knowledge.search.query import knowledge_search
from jiesu.orgs.models import User

LIBRARY_HELP = "知识库：" + "、".join(f"{value}（{label}）" for value, label in Library.choices)


def _library(value: str) -> str:
    if value not in Library.values:
        raise CommandError(f"未知的知识库：{value}。可选：{'、'.join(Library.values)}")
    return value


def _actor(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户不存在或已停用：{username}")
    return user


class Command(JiesuCommand):
    help = (
        "知识库：search 检索，export 导出 Excel，import 导入 Excel，reindex 重建索引，"
        "expire 处理到期条目，demo 演示数据"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        search = sub.add_parser("search", help="全文检索已发布的条目，按相关度排序")
        search.add_argument("text", help="检索词，如“低保 申请条件”")
        search.add_argument("--library", type=_library, help=LIBRARY_HELP)
        search.add_argument("--limit", type=int, default=10, help="最多显示几条（默认 10）")
        export = sub.add_parser("export", help="把一个库的条目导出为 Excel (.xlsx)")
        export.add_argument("--library", type=_library, required=True, help=LIBRARY_HELP)
        export.add_argument("--out", type=Path, required=True, help="输出文件 .xlsx")
        export.add_argument("--actor", help="以该用户的身份导出（默认系统：全部条目）")
        imp = sub.add_parser("import", help="从 Excel (.xlsx) 导入一个库的条目：先校验全部行，有错误则不写入")
        imp.add_argument("file", type=Path, help="Excel 文件，格式同导出文件")
        imp.add_argument("--library", type=_library, required=True, help=LIBRARY_HELP)
        imp.add_argument("--actor", help="以该用户的身份导入（默认系统）")
        imp.add_argument("--publish", action="store_true", help="导入后直接发布（需 --actor 为知识库编辑）")
        sub.add_parser("reindex", help="重建全部条目的检索索引")
        sub.add_parser("expire", help="立即处理到期条目：过期的设为失效，并提醒知识库编辑即将到期的条目")
        sub.add_parser("demo", help="写入演示知识条目（已有演示条目时跳过）")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "search": self._search,
            "export": self._export,
            "import": self._import,
            "reindex": self._reindex,
            "expire": self._expire,
            "demo": self._demo,
        }
        handlers[options["subcommand"]](options)

    def _search(self, options: dict[str, Any]) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit 至少为 1")
        libraries = [options["library"]] if options.get("library") else []
        page = knowledge_search(options["text"], viewer=None, libraries=libraries, limit=options["limit"])
        if not page.hits:
            self.stdout.write("没有找到相关条目")
        for rank, hit in enumerate(page.hits, start=1):
            label = Library(hit.entry.library).label
            self.stdout.write(
                f"{rank}. [{label}] {strip_tags(hit.title_html)}  （相关度 {hit.score:.3f}，编号 {hit.entry.pk}）"
            )
            if hit.snippet_html:
                self.stdout.write(f"   {strip_tags(hit.snippet_html)}")
        if page.total > len(page.hits):
            self.stdout.write(f"共 {page.total} 条，显示前 {len(page.hits)} 条")
        if page.suggestions:
            self.stdout.write(f"您是不是要找：{'、'.join(page.suggestions)}")

    def _export(self, options: dict[str, Any]) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("导出文件名应以 .xlsx 结尾")
        data = library_export(library=options["library"], viewer=_actor(options.get("actor")))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self.stdout.write(f"已导出 {Library(options['library']).label}：{out}")

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = _actor(options.get("actor"))
        if options["publish"] and actor is None:
            raise CommandError("--publish 需要用 --actor 指定一名知识库编辑")
        try:
            result = library_import(library=options["library"], source=path, actor=actor, publish=options["publish"])
        except ValidationFailed as exc:
            lines = exc.details.get("errors") or []
            for line in lines:
                self.stderr.write(line)
            raise CommandError(f"导入失败，未写入任何数据（{len(lines)} 处错误）" if lines else exc.message) from exc
        self.stdout.write(f"导入完成。{result.summary()}")

    def _reindex(self, options: dict[str, Any]) -> None:
        count = entries_reindex()
        self.stdout.write(f"已重建 {count} 个条目的检索索引")

    def _expire(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        expired = knowledge_expire_job(now)
        reminded = knowledge_expiry_reminders_job(now)
        self.stdout.write(f"已将 {expired} 个到期条目设为失效，提醒即将到期的条目 {reminded} 个")

    def _demo(self, options: dict[str, Any]) -> None:
        self.stdout.write(knowledge_demo_ensure())
