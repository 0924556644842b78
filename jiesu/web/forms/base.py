"""Form plumbing shared by every page: Chinese error messages and the unit/category pickers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from django import forms
from django.db.models import Count, Max
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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
# Who a ticket is never dispatched to: the center and the city itself, and communities (too small
# to lead; a township forwards to them).
NOT_HANDLING = frozenset({UnitKind.CENTER, UnitKind.CITY, UnitKind.COMMUNITY})
T = TypeVar("T")


def _option(value: Any, label: Any, selected: set[str]) -> str:
    text = "" if value is None else str(value)
    mark = " selected" if text in selected else ""
    return f'<option value="{conditional_escape(text)}"{mark}>{conditional_escape(label)}</option>'


class FastSelect(forms.Select):
    """A select rendered in Python: Django renders one template per option, which made a page with
    the unit pickers (hundreds of townships and units) spend most of its server time on options."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = set(self.format_value(value))
        parts = [f'<select name="{conditional_escape(name)}"{flatatt(final)}>']
        for value_or_group, label in self.choices:
            if isinstance(label, list | tuple):
                options = "".join(_option(v, lab, selected) for v, lab in label)
                parts.append(f'<optgroup label="{conditional_escape(value_or_group)}">{options}</optgroup>')
            else:
                parts.append(_option(value_or_group, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


FAST_WIDGETS: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: FastSelect,
    forms.SelectMultiple: FastSelectMultiple,
}


class ChineseForm(forms.Form):
    """A form whose built-in validation messages are Chinese and whose errors sit beside fields."""

    required_css_class = "required"
    error_css_class = "has-error"

    def __getitem__(self, name: str) -> forms.BoundField:
        # Fields are per-instance copies, and subclasses add fields after __init__: swap the plain
        # select widgets for the fast ones when a field is first rendered.
        widget = self.fields[name].widget
        fast = FAST_WIDGETS.get(type(widget))
        if fast is not None:
            widget.__class__ = fast
        return super().__getitem__(name)

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


def _fingerprint(model: type[Unit] | type[Category]) -> tuple[Any, ...]:
    """Changes whenever a row is added, removed or saved (every write path sets updated_at)."""
    row = model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (row["n"], row["last"])


# Choices built from the unit tree and the categories, shared by requests of this process until
# either table changes: building them took a third of a list page's server time.
_shared: dict[str, tuple[tuple[Any, ...], Any]] = {}


def _shared_choices(name: str, fingerprint: tuple[Any, ...], build: Callable[[], T]) -> T:
    cached = _shared.get(name)
    if cached is not None and cached[0] == fingerprint:
        return cast(T, cached[1])
    value = build()
    _shared[name] = (fingerprint, value)
    return value


class Pickers:
    """Choices for unit, district and category selects, each loaded at most once per request."""

    @cached_property
    def _unit_version(self) -> tuple[Any, ...]:
        return _fingerprint(Unit)

    @cached_property
    def _units(self) -> list[Unit]:
        return list(Unit.objects.filter(is_active=True).exclude(kind=UnitKind.COMMUNITY).order_by("path"))

    @cached_property
    def districts(self) -> list[tuple[int, str]]:
        return _shared_choices(
            "districts",
            self._unit_version,
            lambda: [(u.pk, u.name) for u in self._units if u.kind == UnitKind.DISTRICT],
        )

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
        """Who a ticket may be dispatched to (NOT_HANDLING says who not)."""
        return _shared_choices(
            "handling_units",
            self._unit_version,
            lambda: self._grouped([u for u in self._units if u.kind not in NOT_HANDLING]),
        )

    @cached_property
    def townships(self) -> GroupedChoices:
        return _shared_choices(
            "townships",
            self._unit_version,
            lambda: self._grouped([u for u in self._units if u.kind == UnitKind.TOWNSHIP]),
        )

    def units_below(self, unit: Unit | None) -> list[tuple[int, str]]:
        """Units a ticket may be forwarded to (下派): strictly inside `unit`, communities included."""
        if unit is None:
            return []
        below = Unit.objects.filter(is_active=True, path__startswith=unit.path).exclude(pk=unit.pk)
        return [(u.pk, u.name) for u in below.order_by("path")]

    @cached_property
    def categories(self) -> list[tuple[int, str]]:
        def build() -> list[tuple[int, str]]:
            rows = Category.objects.filter(is_active=True).order_by("path").values_list("pk", "name", "level")
            return [(pk, "\u3000" * (level - 1) + name) for pk, name, level in rows]

        return _shared_choices("categories", _fingerprint(Category), build)


def with_blank(choices: list[Any], label: str = "全部") -> list[Any]:
    return [("", label), *choices]
