"""`jiesu units`: load and list the territorial unit tree (city → district → township → community)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jiesu.core.management.base import JiesuCommand
from jiesu.orgs.divisions import DivisionFiles
from jiesu.orgs.selectors import unit_get_by_code, units_tree
from jiesu.orgs.services import units_load_divisions, units_seed_beijing

FILE_OPTIONS = ("provinces", "cities", "areas", "streets", "villages")


class Command(JiesuCommand):
    help = "单位树：导入北京市区街两级（seed-beijing）、从全国区划代码导入（load-divisions）、查看（list）"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{seed-beijing,load-divisions,list}")
        actions.add_parser("seed-beijing", help="导入北京市、16 个区和 343 个街道乡镇（可重复执行）")
        load = actions.add_parser("load-divisions", help="从全国区划代码表导入一个省、市或区县的单位树（可重复执行）")
        load.add_argument(
            "--root", required=True, help="省（2 位）、市（4 位，如盘锦 2111）或区县（6 位，如雁塔 610113）代码"
        )
        load.add_argument(
            "--dir",
            type=Path,
            help="区划文件目录（provinces.csv、cities.csv、areas.csv、streets.csv、villages.csv[.gz]）",
        )
        for name in FILE_OPTIONS:
            load.add_argument(f"--{name}", type=Path, help=f"{name}.csv 的路径（优先于 --dir）")
        listing = actions.add_parser("list", help="按树形列出单位")
        listing.add_argument("--root", help="从该编码的单位开始（默认全部）")
        listing.add_argument("--depth", type=int, help="向下显示的层数（0 只显示根）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed-beijing":
            self.stdout.write("北京市单位树：" + units_seed_beijing().summary())
        elif options["action"] == "load-divisions":
            self._load(options)
        else:
            self._list(options.get("root"), options.get("depth"))

    def _load(self, options: dict[str, Any]) -> None:
        directory: Path | None = options.get("dir")
        if directory is not None and not directory.is_dir():
            raise CommandError(f"找不到目录：{directory}")
        found = DivisionFiles.in_directory(directory) if directory is not None else DivisionFiles()
        paths = {f"{name}_csv": options.get(name) or getattr(found, name) for name in FILE_OPTIONS}
        if not any(paths.values()):
            where = f"目录 {directory} 中没有区划文件" if directory is not None else "没有指定区划文件"
            raise CommandError(f"{where}：请用 --dir 或 --cities、--areas、--streets、--villages 等选项指定")
        result = units_load_divisions(root_code=options["root"], **paths)
        self.stdout.write(f"区划 {options['root']}：" + result.summary())

    def _list(self, root_code: str | None, depth: int | None) -> None:
        root = None
        if root_code:
            root = unit_get_by_code(code=root_code)
            if root is None:
                raise CommandError(f"没有编码为 {root_code} 的单位")
        if depth is not None and depth < 0:
            raise CommandError("--depth 不能为负数")
        for unit, level in units_tree(root=root, depth=depth):
            state = "" if unit.is_active else "（停用）"
            self.stdout.write(f"{'  ' * level}{unit.code or '-'}  {unit.name}  [{unit.get_kind_display()}]{state}")
