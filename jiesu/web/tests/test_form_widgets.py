"""The fast select widgets render what Django's own would, and the shared pickers follow changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.models import Category
from jiesu.tickets.services.categories import categories_load_csv
from jiesu.web.forms.base import ChineseForm, FastSelect, FastSelectMultiple, Pickers

GROUPED = [("", "全部"), ("朝阳区", [(1, "望京街道"), (2, "<酒仙桥>")]), (3, "市级 & 单位")]


def _options(html: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of every option, whatever the whitespace and attribute order."""
    found = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html)
    return [(value, "selected" in rest, label) for value, rest, label in found]


@pytest.mark.parametrize(
    ("plain", "fast", "value"),
    [(forms.Select, FastSelect, 2), (forms.SelectMultiple, FastSelectMultiple, [1, 3])],
)
def test_fast_widgets_render_the_same_options_as_django(
    plain: type[forms.Select], fast: type[forms.Select], value: object
) -> None:
    expected = plain(choices=GROUPED).render("unit", value, attrs={"id": "id_unit"})
    rendered = fast(choices=GROUPED).render("unit", value, attrs={"id": "id_unit"})
    assert _options(rendered) == _options(expected)
    assert re.findall(r"<optgroup label=\"([^\"]*)\"", rendered) == ["朝阳区"]
    assert "&lt;酒仙桥&gt;" in rendered and "市级 &amp; 单位" in rendered
    assert 'id="id_unit"' in rendered
    assert ("multiple" in rendered) == (fast is FastSelectMultiple)


def test_chinese_forms_render_their_selects_with_the_fast_widget() -> None:
    class Form(ChineseForm):
        unit = forms.ChoiceField(label="单位", choices=[("a", "甲"), ("b", "乙")])

    form = Form(data={"unit": "zz"})
    assert not form.is_valid()
    html = str(form["unit"])
    assert isinstance(form.fields["unit"].widget, FastSelect)
    assert _options(html) == [("a", False, "甲"), ("b", False, "乙")]
    assert form.errors["unit"] == ["选项无效，请重新选择"]


@pytest.mark.django_db
def test_shared_pickers_follow_new_and_renamed_units(world: World) -> None:
    assert (world.township.pk, world.township.name) in dict(Pickers().townships)["朝阳区"]
    added = unit_create(name="奥运村街道", kind=UnitKind.TOWNSHIP, parent=world.district, code="110105099")
    assert (added.pk, "奥运村街道") in dict(Pickers().townships)["朝阳区"]
    added.name = "奥运村地区"
    added.save()
    assert (added.pk, "奥运村地区") in dict(Pickers().townships)["朝阳区"]


@pytest.mark.django_db
def test_shared_category_choices_follow_a_reload(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("一级分类,二级分类\n城乡建设,噪音扰民\n", encoding="utf-8")
    categories_load_csv(path=first)
    before = Pickers().categories
    assert [label for _, label in before] == ["城乡建设", "\u3000噪音扰民"]
    second = tmp_path / "b.csv"
    second.write_text("一级分类,二级分类\n城乡建设,施工扰民\n", encoding="utf-8")
    categories_load_csv(path=second)
    labels = [label for _, label in Pickers().categories]
    assert "\u3000施工扰民" in labels
    assert Category.objects.count() == 3
