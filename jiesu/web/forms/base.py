"""Form plumbing shared by every page: Chinese error messages and the unit/category pickers."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import Any

from django import forms

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category

# Set explicitly so the messages stay Chinese whatever language the browser asks for.
ERROR_MESSAGES = {
    "required": "此项必填",
    "invalid_choice": "选项无效，请重新选择",
    "invalid_list": "请选择一个或多个选项",
    "invalid": "格式不正确",
    "max_length": "内容过长",
}

GroupedChoices = list[tuple[str, list[tuple[int, str]]]]


class ChineseForm(forms.Form):
    """A form whose built-in validation messages are Chinese and whose errors sit beside fields."""

    required_css_class = "required"
    error_css_class = "has-error"

    def full_clean(self) -> None:
        # Here rather than in __init__ so that fields added by subclasses get the messages too.
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, **ERROR_MESSAGES}
        super().full_clean()


def _district_of(unit: Unit, districts: dict[int, Unit]) -> Unit | None:
    for pk in unit.ancestor_ids():
        if pk in districts:
            return districts[pk]
    return None


class Pickers:
    """Choices for unit, district and category selects, each loaded at most once per request."""

    @cached_property
    def _units(self) -> list[Unit]:
        return list(Unit.objects.filter(is_active=True).exclude(kind=UnitKind.COMMUNITY).order_by("path"))

    @cached_property
    def districts(self) -> list[tuple[int, str]]:
        return [(u.pk, u.name) for u in self._units if u.kind == UnitKind.DISTRICT]

    def _grouped(self, units: list[Unit]) -> GroupedChoices:
        """Units under the district they belong to; city-level departments come first."""
        districts = {u.pk: u for u in self._units if u.kind == UnitKind.DISTRICT}
        groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for unit in units:
            district = _district_of(unit, districts)
            groups[district.name if district else "市级单位"].append((unit.pk, unit.name))
        ordered = ["市级单位"] + [d.name for d in districts.values()]
        return [(name, groups[name]) for name in ordered if groups.get(name)]

    @cached_property
    def handling_units(self) -> GroupedChoices:
        """Who a ticket may be dispatched to: every active unit but the center and the city itself."""
        excluded = {UnitKind.CENTER, UnitKind.CITY}
        return self._grouped([u for u in self._units if u.kind not in excluded])

    @cached_property
    def townships(self) -> GroupedChoices:
        return self._grouped([u for u in self._units if u.kind == UnitKind.TOWNSHIP])

    def units_below(self, unit: Unit | None) -> list[tuple[int, str]]:
        """Units a ticket may be forwarded to (下派): strictly inside `unit`, communities included."""
        if unit is None:
            return []
        below = Unit.objects.filter(is_active=True, path__startswith=unit.path).exclude(pk=unit.pk)
        return [(u.pk, u.name) for u in below.order_by("path")]

    @cached_property
    def categories(self) -> list[tuple[int, str]]:
        rows = Category.objects.filter(is_active=True).order_by("path").values_list("pk", "name", "level")
        return [(pk, "\u3000" * (level - 1) + name) for pk, name, level in rows]


def with_blank(choices: list[Any], label: str = "全部") -> list[Any]:
    return [("", label), *choices]
