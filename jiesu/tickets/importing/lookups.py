"""Resolve unit and category cells to rows, from in-memory indexes loaded once per import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category

UNIT_SEPARATORS = re.compile(r"[、,，;；|｜]")
_PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\]\s*")


class ResolveError(Exception):
    """The cell names no row, or more than one; the message is for people."""


def _add(index: dict[str, list[int]], key: str, pk: int) -> None:
    if key:
        index.setdefault(key, []).append(pk)


@dataclass
class UnitLookup:
    units: dict[int, Unit] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> UnitLookup:
        lookup = cls()
        for unit in Unit.objects.only("id", "code", "name", "kind", "path", "is_active"):
            lookup.units[unit.pk] = unit
            if unit.code:
                lookup.by_code[unit.code] = unit.pk
            _add(lookup.by_name, unit.name, unit.pk)
        return lookup

    def resolve(self, text: str) -> Unit:
        """The unit whose code or exact name is `text` (a code wins over a name)."""
        text = text.strip()
        pk = self.by_code.get(text)
        if pk is not None:
            return self.units[pk]
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return self.units[found[0]]
        if found:
            raise ResolveError(f"单位名称「{text}」对应多个单位，请改用单位编码")
        raise ResolveError(f"找不到单位「{text}」（按名称或编码）")

    def resolve_many(self, text: str) -> list[Unit]:
        """Several units separated by 、 , ; or |, in order, without repeats."""
        units: list[Unit] = []
        for part in UNIT_SEPARATORS.split(text):
            if part.strip():
                unit = self.resolve(part)
                if unit not in units:
                    units.append(unit)
        return units


def _normal_path(text: str) -> str:
    return "/".join(p for p in _PATH_SEPARATORS.split(text.strip()) if p)


@dataclass
class CategoryLookup:
    categories: dict[int, Category] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    by_path: dict[str, list[int]] = field(default_factory=dict)
    by_leaf: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CategoryLookup:
        lookup = cls()
        rows = {c.pk: c for c in Category.objects.only("id", "code", "name", "parent_id", "full_name", "level")}
        for category in rows.values():
            names = [category.name]
            parent_id = category.parent_id
            while parent_id is not None and parent_id in rows and len(names) < 10:
                names.append(rows[parent_id].name)
                parent_id = rows[parent_id].parent_id
            lookup.categories[category.pk] = category
            lookup.by_code[category.code] = category.pk
            path = "/".join(reversed(names))
            _add(lookup.by_path, path, category.pk)
            if category.full_name and _normal_path(category.full_name) != path:
                _add(lookup.by_path, _normal_path(category.full_name), category.pk)
            _add(lookup.by_leaf, category.name, category.pk)
        return lookup

    def resolve(self, text: str) -> Category:
        """By code, then by full path "A/B/C", then by leaf name when that name is unique."""
        text = text.strip()
        pk = self.by_code.get(text)
        if pk is not None:
            return self.categories[pk]
        path = _normal_path(text)
        for index in (self.by_path, self.by_leaf):
            found = index.get(path, [])
            if len(set(found)) == 1:
                return self.categories[found[0]]
            if found:
                raise ResolveError(f"问题分类「{text}」对应多个分类，请填写完整路径（如 一级/二级/三级）或分类编码")
        raise ResolveError(f"找不到问题分类「{text}」（按编码、完整路径或末级名称）")
