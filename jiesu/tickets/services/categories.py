"""Loading the appeal category tree (问题分类) from a CSV with one column per level.

The file has the columns 一级分类 … 五级分类 (at least 一级分类; deeper levels optional) and
optionally 编码, the code of the deepest category named on that row. Each row names a path
from the top; a category is identified by its code when the file gives one, otherwise by its
name under its parent, so that a second load of the same file, or of a file with new rows in
the middle, keeps every existing category and its code. Categories the file gives no code get
one generated from their parent's: "01", "01.03", "01.03.02", in the order they first appear.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from jiesu.core.errors import ValidationFailed
from jiesu.tickets.models import Category

LEVEL_HEADERS = ("一级分类", "二级分类", "三级分类", "四级分类", "五级分类")
CODE_HEADER = "编码"
SEED_CATEGORIES = Path(__file__).resolve().parents[1] / "seed" / "categories.csv"
NAME_MAX = 128
CODE_MAX = 64
FULL_NAME_MAX = 512

NamePath = tuple[str, ...]


@dataclass
class CategoryLoadResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"读取 {self.rows} 行：新建 {self.created} 个分类，更新 {self.updated} 个，未变 {self.unchanged} 个"


@dataclass
class _Node:
    names: NamePath
    code: str = ""


@dataclass
class _Tree:
    """The categories named by the file, parents before children, in file order."""

    nodes: dict[NamePath, _Node] = field(default_factory=dict)
    explicit_codes: dict[str, NamePath] = field(default_factory=dict)
    rows: int = 0


def _decode(data: bytes, encoding: str | None, name: str) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"分类文件 {name} 不能按 {encoding} 编码读取") from exc
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(f"分类文件 {name} 的编码无法识别，请保存为 UTF-8 或 GB18030")


def _columns(header: list[str], name: str) -> tuple[list[int], int | None]:
    header = [h.strip().lstrip("\ufeff") for h in header]
    levels = [header.index(h) for h in LEVEL_HEADERS if h in header]
    present = [h for h in LEVEL_HEADERS if h in header]
    if not present or present != list(LEVEL_HEADERS[: len(present)]):
        missing = next(h for h in LEVEL_HEADERS if h not in header)
        raise ValidationFailed(
            f"分类文件 {name} 缺少列：{missing}（应有列：一级分类、二级分类 … 最多五级分类，可选 编码）"
        )
    return levels, header.index(CODE_HEADER) if CODE_HEADER in header else None


def _row_names(row: list[str], levels: list[int], where: str) -> NamePath:
    cells = [row[i].strip() if i < len(row) else "" for i in levels]
    while cells and not cells[-1]:
        cells.pop()
    if "" in cells:
        gap = LEVEL_HEADERS[cells.index("")]
        raise ValidationFailed(f"{where}：{gap}为空，但下级分类有值")
    too_long = [c for c in cells if len(c) > NAME_MAX]
    if too_long:
        raise ValidationFailed(f"{where}：分类名称不能超过 {NAME_MAX} 个字（{too_long[0][:20]}…）")
    return tuple(cells)


def _add(tree: _Tree, names: NamePath, code: str, where: str) -> None:
    for depth in range(1, len(names) + 1):
        tree.nodes.setdefault(names[:depth], _Node(names[:depth]))
    node = tree.nodes[names]
    if not code:
        return
    if node.code and node.code != code:
        raise ValidationFailed(f"{where}：分类「{'/'.join(names)}」的编码前后不一致（{node.code}、{code}）")
    other = tree.explicit_codes.setdefault(code, names)
    if other != names:
        raise ValidationFailed(f"{where}：编码 {code} 已用于分类「{'/'.join(other)}」")
    node.code = code


def _parse(text: str, name: str) -> _Tree:
    reader = csv.reader(io.StringIO(text))
    levels, code_index = _columns(next(reader, []), name)
    tree = _Tree()
    for number, row in enumerate(reader, start=2):
        where = f"分类文件 {name} 第 {number} 行"
        names = _row_names(row, levels, where)
        code = row[code_index].strip() if code_index is not None and code_index < len(row) else ""
        if not names:
            if code:
                raise ValidationFailed(f"{where}：有编码但没有分类名称")
            continue
        if len(code) > CODE_MAX:
            raise ValidationFailed(f"{where}：编码不能超过 {CODE_MAX} 个字符")
        if len("/".join(names)) > FULL_NAME_MAX:
            raise ValidationFailed(f"{where}：完整分类名称不能超过 {FULL_NAME_MAX} 个字")
        _add(tree, names, code, where)
        tree.rows += 1
    if not tree.nodes:
        raise ValidationFailed(f"分类文件 {name} 中没有任何分类")
    return tree


class _Codes:
    """Hands out the next free generated code under each parent ("01", "01.01" …)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next_number: dict[str, int] = {}

    def new(self, parent_code: str) -> str:
        prefix = f"{parent_code}." if parent_code else ""
        number = self.next_number.get(prefix, 1)
        while f"{prefix}{number:02d}" in self.taken:
            number += 1
        self.next_number[prefix] = number + 1
        code = f"{prefix}{number:02d}"
        self.taken.add(code)
        return code


def _apply(tree: _Tree, result: CategoryLoadResult) -> None:
    existing = list(Category.objects.all())
    by_code = {c.code: c for c in existing}
    by_place = {(c.parent_id, c.name): c for c in existing}
    codes = _Codes(set(by_code) | set(tree.explicit_codes))
    resolved: dict[NamePath, Category] = {}
    for names, node in tree.nodes.items():
        parent = resolved.get(names[:-1])
        parent_id = parent.pk if parent else None
        found = by_code.get(node.code) if node.code else by_place.get((parent_id, names[-1]))
        if found is None:
            code = node.code or codes.new(parent.code if parent else "")
            found = Category(code=code, name=names[-1], parent=parent, level=len(names))
            found.save()
            result.created += 1
        elif found.name != names[-1] or found.parent_id != parent_id:
            found.name, found.parent = names[-1], parent
            found.save(update_fields=["name", "parent", "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
        by_place[(parent_id, found.name)] = found
        resolved[names] = found


def _refresh_paths() -> None:
    """Recompute level, path and full name of every category from its ancestors."""
    categories = {c.pk: c for c in Category.objects.all()}
    changed: list[Category] = []
    now = timezone.now()

    def placed(category: Category, seen: frozenset[int]) -> tuple[int, str, str]:
        parent = categories.get(category.parent_id) if category.parent_id else None
        if parent is None or parent.pk in seen:
            return 1, f"/{category.pk}/", category.name
        level, path, full_name = placed(parent, seen | {category.pk})
        return level + 1, f"{path}{category.pk}/", f"{full_name}/{category.name}"

    for category in categories.values():
        level, path, full_name = placed(category, frozenset())
        if (category.level, category.path, category.full_name) != (level, path, full_name):
            category.level, category.path, category.full_name = level, path, full_name
            category.updated_at = now
            changed.append(category)
    if any(c.level > len(LEVEL_HEADERS) for c in changed):
        raise ValidationFailed("问题分类最多五级")
    # updated_at too: bulk_update skips auto_now, and cached pickers watch it (jiesu.web.forms.base).
    Category.objects.bulk_update(changed, ["level", "path", "full_name", "updated_at"], batch_size=500)


def categories_load_csv(*, path: Path | str, encoding: str | None = None) -> CategoryLoadResult:
    """Create or update the category tree from a level-columns CSV; all or nothing, idempotent."""
    source = Path(path)
    if not source.is_file():
        raise ValidationFailed(f"找不到分类文件：{source}")
    tree = _parse(_decode(source.read_bytes(), encoding, source.name), source.name)
    result = CategoryLoadResult(rows=tree.rows)
    with transaction.atomic():
        _apply(tree, result)
        _refresh_paths()
    return result
