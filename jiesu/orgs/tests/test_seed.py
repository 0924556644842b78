"""The Beijing seed: its content against the domain rules and the national code tables, and loading it."""

from __future__ import annotations

import csv
import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.orgs.services import BEIJING_SEED, units_seed_beijing
from jiesu.orgs.testing import World

REPO_ROOT = Path(__file__).resolve().parents[3]

# docs/domain-rules.md §11.1: townships per district, development zones excluded.
TOWNSHIPS_PER_DISTRICT = {
    "110101": ("东城区", 17),
    "110102": ("西城区", 15),
    "110105": ("朝阳区", 43),
    "110106": ("丰台区", 26),
    "110107": ("石景山区", 9),
    "110108": ("海淀区", 29),
    "110109": ("门头沟区", 13),
    "110111": ("房山区", 28),
    "110112": ("通州区", 22),
    "110113": ("顺义区", 25),
    "110114": ("昌平区", 22),
    "110115": ("大兴区", 22),
    "110116": ("怀柔区", 16),
    "110117": ("平谷区", 18),
    "110118": ("密云区", 20),
    "110119": ("延庆区", 18),
}
EXCLUDED_ZONES = {"110115403", "110115404", "110115405", "110115406", "110116400", "110118400"}


def seed_units() -> list[dict[str, str]]:
    units: list[dict[str, str]] = json.loads(BEIJING_SEED.read_text(encoding="utf-8"))["units"]
    return units


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_beijing_seed", REPO_ROOT / "scripts" / "build_beijing_seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seed_has_the_city_16_districts_and_343_townships_per_the_domain_rules() -> None:
    units = seed_units()
    kinds = Counter(u["kind"] for u in units)
    assert kinds == {UnitKind.CITY: 1, UnitKind.DISTRICT: 16, UnitKind.TOWNSHIP: 343}
    assert units[0] == {"code": "110000", "name": "北京市", "kind": "city", "parent": ""}
    districts = {u["code"]: u["name"] for u in units if u["kind"] == UnitKind.DISTRICT}
    assert districts == {code: name for code, (name, _) in TOWNSHIPS_PER_DISTRICT.items()}
    per_district = Counter(u["parent"] for u in units if u["kind"] == UnitKind.TOWNSHIP)
    assert per_district == {code: count for code, (_, count) in TOWNSHIPS_PER_DISTRICT.items()}
    assert all(len(u["code"]) == 9 and u["code"][:6] == u["parent"] for u in units if u["kind"] == UnitKind.TOWNSHIP)
    assert not EXCLUDED_ZONES & {u["code"] for u in units}
    assert len({u["code"] for u in units}) == len(units)


def test_the_seed_equals_the_national_code_tables_minus_the_six_zones(divisions_dir: Path) -> None:
    units = seed_units()
    streets = read_csv(divisions_dir / "beijing_streets.csv")
    assert len(streets) == 349
    expected = {(r["code"], r["name"], r["areaCode"]) for r in streets if r["code"] not in EXCLUDED_ZONES}
    actual = {(u["code"], u["name"], u["parent"]) for u in units if u["kind"] == UnitKind.TOWNSHIP}
    assert actual == expected
    areas = {(r["code"], r["name"]) for r in read_csv(divisions_dir / "areas.csv") if r["provinceCode"] == "11"}
    assert {(u["code"], u["name"]) for u in units if u["kind"] == UnitKind.DISTRICT} == areas
    national = {r["code"] for r in read_csv(divisions_dir / "streets.csv") if r["provinceCode"] == "11"}
    assert {u["code"] for u in units if u["kind"] == UnitKind.TOWNSHIP} == national - EXCLUDED_ZONES


def test_the_build_script_reproduces_the_committed_seed(divisions_dir: Path) -> None:
    script = load_build_script()
    units = script.build_units(
        divisions_dir / "provinces.csv", divisions_dir / "areas.csv", divisions_dir / "streets.csv"
    )
    assert script.render(units) == BEIJING_SEED.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_seeding_builds_the_tree_with_paths_and_levels() -> None:
    result = units_seed_beijing()
    assert (result.created, result.updated, result.unchanged) == (360, 0, 0)
    assert result.created_by_kind == {UnitKind.CITY: 1, UnitKind.DISTRICT: 16, UnitKind.TOWNSHIP: 343}
    city = Unit.objects.get(code="110000")
    assert city.parent is None and city.level == 1 and city.path == f"/{city.pk}/"
    for unit in Unit.objects.select_related("parent").exclude(pk=city.pk):
        assert unit.parent is not None
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
        assert unit.level == (2 if unit.kind == UnitKind.DISTRICT else 3)
    chaoyang = Unit.objects.get(code="110105")
    assert chaoyang.children.count() == 43
    assert Unit.objects.filter(path__startswith=chaoyang.path, kind=UnitKind.TOWNSHIP).count() == 43


@pytest.mark.django_db
def test_seeding_again_changes_nothing() -> None:
    units_seed_beijing()
    before = list(Unit.objects.values_list("pk", "code", "name", "path", "updated_at"))
    result = units_seed_beijing()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 360)
    assert list(Unit.objects.values_list("pk", "code", "name", "path", "updated_at")) == before


@pytest.mark.django_db
def test_seeding_keeps_existing_units_and_what_hangs_below_them(world: World) -> None:
    result = units_seed_beijing()
    assert result.created == 360 - 5  # the world already has the city, two districts and two townships
    world.township.refresh_from_db()
    assert world.township.name == "望京街道" and world.township.parent_id == world.district.pk
    world.center.refresh_from_db()
    assert world.center.parent_id == world.city.pk and world.center.path.startswith(world.city.path)
    assert Unit.objects.filter(code__startswith="110105", kind=UnitKind.TOWNSHIP).count() == 43


@pytest.mark.django_db
def test_seeding_repairs_a_renamed_or_moved_township(world: World) -> None:
    Unit.objects.filter(pk=world.township.pk).update(name="旧名称")
    community = Unit.objects.create(
        name="某社区", kind=UnitKind.COMMUNITY, parent=world.township, level=4, path=f"{world.township.path}x/"
    )
    Unit.objects.filter(pk=community.pk).update(path=f"{world.township.path}{community.pk}/")
    # Hang 望京街道 under the wrong district; the seed moves it back with its community.
    Unit.objects.filter(pk=world.township.pk).update(
        parent=world.other_district, path=f"{world.other_district.path}{world.township.pk}/"
    )
    Unit.objects.filter(pk=community.pk).update(path=f"{world.other_district.path}{world.township.pk}/{community.pk}/")
    result = units_seed_beijing()
    assert result.updated == 1
    world.township.refresh_from_db()
    community.refresh_from_db()
    assert world.township.name == "望京街道" and world.township.parent_id == world.district.pk
    assert world.township.path == f"{world.district.path}{world.township.pk}/"
    assert community.path == f"{world.township.path}{community.pk}/"
