"""Reading the category tree for pickers (问题分类选择)."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.tickets.models import Category


@dataclass(frozen=True)
class CategoryOption:
    """One entry of a category picker; `label` is indented by level for a plain <select>."""

    pk: int
    code: str
    name: str
    full_name: str
    level: int
    is_leaf: bool

    @property
    def label(self) -> str:
        return "　" * (self.level - 1) + self.name


def categories_for_select() -> list[CategoryOption]:
    """Active categories in tree order (siblings by code); a category under an inactive parent is left out."""
    rows = list(
        Category.objects.filter(is_active=True).values_list("pk", "code", "name", "full_name", "level", "parent_id")
    )
    children: dict[int | None, list[tuple[int, str, str, str, int, int | None]]] = {}
    for row in rows:
        children.setdefault(row[5], []).append(row)
    options: list[CategoryOption] = []
    stack = sorted(children.get(None, []), key=lambda r: r[1], reverse=True)
    while stack:
        pk, code, name, full_name, level, _ = stack.pop()
        below = children.get(pk, [])
        options.append(CategoryOption(pk, code, name, full_name or name, level, is_leaf=not below))
        stack.extend(sorted(below, key=lambda r: r[1], reverse=True))
    return options
