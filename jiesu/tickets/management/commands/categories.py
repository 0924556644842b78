"""`jiesu categories load [FILE]`: load the appeal category tree from a level-columns CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv


class Command(JiesuCommand):
    help = "问题分类：从 CSV（一级分类、二级分类 … 五级分类，可选 编码）导入"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load}")
        load = actions.add_parser("load", help="导入分类树（可重复执行）；不指定文件时导入内置的示例分类")
        load.add_argument("file", nargs="?", type=Path, default=SEED_CATEGORIES, help="CSV 文件路径")
        load.add_argument("--encoding", help="文件编码（默认自动识别 UTF-8 / GB18030）")

    def handle(self, *args: Any, **options: Any) -> None:
        result = categories_load_csv(path=options["file"], encoding=options.get("encoding"))
        self.stdout.write(f"{options['file'].name}：" + result.summary())
