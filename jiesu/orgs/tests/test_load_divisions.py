"""Loading any city's or district's tree from the national division code tables (../shared/data)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.core.errors import ValidationFailed
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.orgs.services import units_load_divisions, units_seed_beijing


def national(divisions_dir: Path, *, villages: bool = True) -> dict[str, Path | None]:
    return {
        "provinces_csv": divisions_dir / "provinces.csv",
        "cities_csv": divisions_dir / "cities.csv",
        "areas_csv": divisions_dir / "areas.csv",
        "streets_csv": divisions_dir / "streets.csv",
        "villages_csv": divisions_dir / "villages.csv.gz" if villages else None,
    }


def beijing(divisions_dir: Path) -> dict[str, Path | None]:
    return {
        "provinces_csv": divisions_dir / "provinces.csv",
        "cities_csv": divisions_dir / "cities.csv",
        "areas_csv": divisions_dir / "beijing_areas.csv",
        "streets_csv": divisions_dir / "beijing_streets.csv",
        "villages_csv": divisions_dir / "beijing_villages.csv",
    }


def assert_paths_consistent() -> None:
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        assert unit.path == f"{parent.path if parent else '/'}{unit.pk}/", unit.code


def kinds_below(code: str) -> dict[str, int]:
    root = Unit.objects.get(code=code)
    counts: dict[str, int] = {}
    for kind in Unit.objects.filter(path__startswith=root.path).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.django_db
def test_panjin_loads_city_districts_townships_and_communities(divisions_dir: Path) -> None:
    result = units_load_divisions(root_code="2111", **national(divisions_dir))
    assert result.created_by_kind == {
        UnitKind.CITY: 1,
        UnitKind.DISTRICT: 4,
        UnitKind.TOWNSHIP: 50,
        UnitKind.COMMUNITY: 544,
    }
    panjin = Unit.objects.get(code="211100")
    assert (panjin.name, panjin.kind, panjin.parent, panjin.level) == ("盘锦市", UnitKind.CITY, None, 1)
    districts = set(Unit.objects.filter(parent=panjin).values_list("code", "name"))
    assert districts == {("211102", "双台子区"), ("211103", "兴隆台区"), ("211104", "大洼区"), ("211122", "盘山县")}
    community = Unit.objects.filter(kind=UnitKind.COMMUNITY).select_related("parent__parent__parent").first()
    assert community is not None and community.level == 4 and len(community.code) == 12
    assert community.parent is not None and community.parent.code == community.code[:9]
    assert community.parent.parent is not None and community.parent.parent.parent == panjin
    assert_paths_consistent()


@pytest.mark.django_db
def test_a_second_load_creates_nothing(divisions_dir: Path) -> None:
    units_load_divisions(root_code="2111", **national(divisions_dir))
    before = list(Unit.objects.values_list("pk", "code", "name", "path", "updated_at"))
    result = units_load_divisions(root_code="2111", **national(divisions_dir))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 599)
    assert list(Unit.objects.values_list("pk", "code", "name", "path", "updated_at")) == before


@pytest.mark.django_db
def test_yanta_district_loads_under_its_city(divisions_dir: Path) -> None:
    result = units_load_divisions(root_code="610113", **national(divisions_dir))
    assert result.created_by_kind == {
        UnitKind.CITY: 1,
        UnitKind.DISTRICT: 1,
        UnitKind.TOWNSHIP: 10,
        UnitKind.COMMUNITY: 334,
    }
    yanta = Unit.objects.select_related("parent").get(code="610113")
    assert yanta.name == "雁塔区" and yanta.parent is not None
    assert (yanta.parent.code, yanta.parent.name) == ("610100", "西安市")
    assert Unit.objects.filter(parent=yanta.parent).count() == 1  # only the district asked for
    assert kinds_below("610113") == {UnitKind.DISTRICT: 1, UnitKind.TOWNSHIP: 10, UnitKind.COMMUNITY: 334}
    assert_paths_consistent()
    again = units_load_divisions(root_code="610113", **national(divisions_dir))
    assert again.created == 0 and again.updated == 0


@pytest.mark.django_db
def test_loading_a_district_leaves_its_existing_city_alone(divisions_dir: Path) -> None:
    xian = Unit.objects.create(name="西安市人民政府", kind=UnitKind.CITY, code="610100", level=1)
    Unit.objects.filter(pk=xian.pk).update(path=f"/{xian.pk}/")
    units_load_divisions(root_code="610113", **national(divisions_dir, villages=False))
    xian.refresh_from_db()
    assert xian.name == "西安市人民政府"
    assert Unit.objects.get(code="610113").parent_id == xian.pk


@pytest.mark.django_db
def test_beijing_districts_hang_under_the_municipality_not_under_shi_xia_qu(divisions_dir: Path) -> None:
    units_load_divisions(root_code="110105", **beijing(divisions_dir))
    chaoyang = Unit.objects.select_related("parent").get(code="110105")
    assert chaoyang.parent is not None and chaoyang.parent.code == "110000" and chaoyang.parent.name == "北京市"
    assert not Unit.objects.filter(name="市辖区").exists()
    assert kinds_below("110105")[UnitKind.TOWNSHIP] == 43


@pytest.mark.django_db
def test_beijing_communities_load_onto_the_seed(divisions_dir: Path) -> None:
    # Speed is not asserted here (a timed test fails on a loaded machine); it takes about 2 s.
    units_seed_beijing()
    result = units_load_divisions(root_code="11", **beijing(divisions_dir))
    assert result.created_by_kind == {UnitKind.TOWNSHIP: 6, UnitKind.COMMUNITY: 7535}  # + the 6 zones
    assert result.unchanged == 360
    assert Unit.objects.filter(kind=UnitKind.COMMUNITY).count() == 7535
    assert_paths_consistent()


@pytest.mark.django_db
def test_gb18030_files_are_read(tmp_path: Path, divisions_dir: Path) -> None:
    text = (divisions_dir / "streets.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith(("code,", "610113"))]
    streets = write(tmp_path / "streets.csv", "\n".join(lines) + "\n", "gb18030")
    args = national(divisions_dir, villages=False) | {"streets_csv": streets}
    result = units_load_divisions(root_code="610113", **args)
    assert result.created_by_kind[UnitKind.TOWNSHIP] == 10
    assert Unit.objects.filter(code="610113002", name="大雁塔街道").exists()


@pytest.mark.django_db
def test_a_bad_row_stops_the_load_with_a_chinese_message_and_writes_nothing(
    tmp_path: Path, divisions_dir: Path
) -> None:
    villages = tmp_path / "villages.csv.gz"
    with gzip.open(villages, "wt", encoding="utf-8") as handle:
        handle.write("code,name,streetCode,provinceCode,cityCode,areaCode\n")
        handle.write('211102001001,"甲社区",211102001,21,2111,211102\n')
        handle.write('21110200100X,"乙社区",211102001,21,2111,211102\n')
    with pytest.raises(ValidationFailed, match=r"villages\.csv\.gz 第 3 行有误：代码必须是数字"):
        units_load_divisions(root_code="2111", **national(divisions_dir) | {"villages_csv": villages})
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_a_row_without_its_parent_rolls_back_the_levels_already_written(tmp_path: Path, divisions_dir: Path) -> None:
    streets = write(
        tmp_path / "streets.csv",
        "code,name,areaCode,provinceCode,cityCode\n"
        '211102001,"甲街道",211102,21,2111\n'
        '211199001,"无上级街道",211199,21,2111\n',
    )
    args = national(divisions_dir, villages=False) | {"streets_csv": streets}
    with pytest.raises(ValidationFailed, match="上级单位 211199 不存在"):
        units_load_divisions(root_code="2111", **args)
    assert not Unit.objects.exists()  # the city and districts of the same load were rolled back


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"streets_csv": "streets_no_area.csv"}, "缺少列：areaCode"),
        ({"streets_csv": "missing.csv"}, "找不到区划文件"),
        ({"villages_csv": "broken.csv.gz"}, "无法读取区划文件"),
        ({"cities_csv": None}, "必须同时提供 cities.csv"),
    ],
)
def test_bad_files_are_refused_in_chinese(
    tmp_path: Path, divisions_dir: Path, change: dict[str, str | None], message: str
) -> None:
    write(tmp_path / "streets_no_area.csv", 'code,name,provinceCode\n211102001,"甲街道",21\n')
    write(tmp_path / "broken.csv.gz", "not gzip at all")
    args = national(divisions_dir) | {k: (tmp_path / v if v else None) for k, v in change.items()}
    with pytest.raises(ValidationFailed, match=message):
        units_load_divisions(root_code="2111", **args)
    assert not Unit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("root", "message"),
    [("21x", "应为 2 位（省）、4 位（市）或 6 位（区县）数字"), ("2199", "没有代码为 2199 的市级区划"), ("", "无效")],
)
def test_bad_root_codes_are_refused(divisions_dir: Path, root: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        units_load_divisions(root_code=root, **national(divisions_dir, villages=False))


@pytest.mark.django_db
def test_the_units_command_loads_and_lists(divisions_dir: Path) -> None:
    out = io.StringIO()
    call_command("units", "load-divisions", "--root", "2111", "--dir", str(divisions_dir), stdout=out)
    assert "新建 599 个" in out.getvalue()
    out = io.StringIO()
    call_command("units", "list", "--root", "211100", "--depth", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "211100  盘锦市  [市]"
    assert lines[1:] == [
        "  211102  双台子区  [区]",
        "  211103  兴隆台区  [区]",
        "  211104  大洼区  [区]",
        "  211122  盘山县  [区]",
    ]
    out = io.StringIO()
    call_command("units", "seed-beijing", stdout=out)
    assert "新建 360 个" in out.getvalue()


@pytest.mark.django_db
def test_the_units_command_reports_errors_in_chinese(tmp_path: Path, divisions_dir: Path) -> None:
    with pytest.raises(CommandError, match="没有代码为 2199"):
        call_command("units", "load-divisions", "--root", "2199", "--dir", str(divisions_dir))
    with pytest.raises(CommandError, match="中没有区划文件"):
        call_command("units", "load-divisions", "--root", "2111", "--dir", str(tmp_path))
    with pytest.raises(CommandError, match="没有编码为 999 的单位"):
        call_command("units", "list", "--root", "999")
