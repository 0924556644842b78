"""Loading the category tree from level-columns CSV files, and reading it for pickers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.core.errors import ValidationFailed
from jiesu.tickets.models import Category
from jiesu.tickets.selectors_categories import categories_for_select
from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv

SHARED_DATA = Path(__file__).resolve().parents[3] / "../shared/data"


@pytest.fixture(scope="session")
def tipdm_tree() -> Path:
    path = (SHARED_DATA / "tipdm2020" / "category_tree.csv").resolve()
    if not path.is_file():
        pytest.fail(f"shared test data is missing: {path} (the tests need ../shared/data beside the repository)")
    return path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def snapshot() -> list[tuple[object, ...]]:
    return list(Category.objects.order_by("pk").values_list("pk", "code", "name", "parent_id", "path", "full_name"))


@pytest.mark.django_db
def test_the_tipdm_tree_loads_with_generated_codes_paths_and_full_names(tipdm_tree: Path) -> None:
    result = categories_load_csv(path=tipdm_tree)
    assert (result.rows, result.created, result.updated, result.unchanged) == (517, 650, 0, 0)
    levels = Counter(Category.objects.values_list("level", flat=True))
    assert levels == {1: 15, 2: 118, 3: 517}
    leaf = Category.objects.select_related("parent__parent").get(full_name="城乡建设/安全生产/事故处理")
    assert (leaf.code, leaf.level, leaf.name) == ("01.01.01", 3, "事故处理")
    assert leaf.parent is not None and leaf.parent.code == "01.01" and leaf.parent.full_name == "城乡建设/安全生产"
    assert leaf.parent.parent is not None and leaf.parent.parent.code == "01"
    assert leaf.path == f"/{leaf.parent.parent.pk}/{leaf.parent.pk}/{leaf.pk}/"
    assert Category.objects.filter(parent__isnull=True).count() == 15
    assert all(c.code.count(".") == c.level - 1 for c in Category.objects.all())


@pytest.mark.django_db
def test_loading_the_same_file_again_changes_nothing(tipdm_tree: Path) -> None:
    categories_load_csv(path=tipdm_tree)
    before = snapshot()
    result = categories_load_csv(path=tipdm_tree)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 650)
    assert snapshot() == before


@pytest.mark.django_db
def test_new_rows_get_new_codes_and_existing_categories_keep_theirs(tmp_path: Path) -> None:
    categories_load_csv(path=write(tmp_path / "a.csv", "一级分类,二级分类\n供暖,室温不达标\n供水,停水\n"))
    before = dict(Category.objects.values_list("full_name", "code"))
    grown = write(tmp_path / "b.csv", "一级分类,二级分类\n燃气,燃气泄漏\n供水,水压不足\n供水,停水\n供暖,室温不达标\n")
    result = categories_load_csv(path=grown)
    assert result.created == 3 and result.unchanged == 4
    codes = dict(Category.objects.values_list("full_name", "code"))
    assert {k: codes[k] for k in before} == before
    assert codes["燃气"] == "03" and codes["燃气/燃气泄漏"] == "03.01" and codes["供水/水压不足"] == "02.02"


@pytest.mark.django_db
def test_gb18030_files_are_detected(tmp_path: Path) -> None:
    path = write(tmp_path / "gbk.csv", "一级分类,二级分类,三级分类\n社会秩序,邻里纠纷,噪声扰民\n", "gb18030")
    categories_load_csv(path=path)
    assert Category.objects.filter(full_name="社会秩序/邻里纠纷/噪声扰民", level=3).exists()


@pytest.mark.django_db
def test_five_levels_and_a_code_column_are_taken(tmp_path: Path) -> None:
    text = (
        "编码,一级分类,二级分类,三级分类,四级分类,五级分类\n"
        "A,城乡建设,,,,\n"
        "A01,城乡建设,市政设施,,,\n"
        "A0101,城乡建设,市政设施,道路,路灯,不亮\n"
        ",城乡建设,市政设施,道路,井盖,\n"
    )
    categories_load_csv(path=write(tmp_path / "coded.csv", text))
    codes = dict(Category.objects.values_list("full_name", "code"))
    assert codes["城乡建设"] == "A" and codes["城乡建设/市政设施"] == "A01"
    assert codes["城乡建设/市政设施/道路/路灯/不亮"] == "A0101"
    assert codes["城乡建设/市政设施/道路"] == "A01.01"  # not named by a code: generated under its parent
    assert codes["城乡建设/市政设施/道路/井盖"] == "A01.01.02"
    assert Category.objects.get(code="A0101").level == 5


@pytest.mark.django_db
def test_a_code_column_renames_and_moves_on_reload(tmp_path: Path) -> None:
    categories_load_csv(path=write(tmp_path / "v1.csv", "编码,一级分类,二级分类\nA,住房,\nA1,住房,租房\nB,物业,\n"))
    renamed = write(tmp_path / "v2.csv", "编码,一级分类,二级分类\nA,住房,\nB,物业,\nA1,物业,房屋租赁\n")
    result = categories_load_csv(path=renamed)
    assert result.updated == 1 and result.created == 0
    moved = Category.objects.get(code="A1")
    assert moved.full_name == "物业/房屋租赁" and moved.path == f"{Category.objects.get(code='B').path}{moved.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("分类,说明\n供暖,暖气不热\n", "缺少列：一级分类"),
        ("一级分类,三级分类\n供暖,暖气不热\n", "缺少列：二级分类"),
        ("一级分类,二级分类,三级分类\n供暖,室温,偏低\n供水,,水质\n", "第 3 行：二级分类为空，但下级分类有值"),
        ("编码,一级分类\nX,供暖\nX,供水\n", "编码 X 已用于分类「供暖」"),
        ("一级分类\n", "中没有任何分类"),
    ],
)
def test_bad_files_are_refused_in_chinese_and_write_nothing(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        categories_load_csv(path=write(tmp_path / "bad.csv", text))
    assert not Category.objects.exists()


@pytest.mark.django_db
def test_missing_files_and_wrong_encodings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="找不到分类文件"):
        categories_load_csv(path=tmp_path / "none.csv")
    utf8 = write(tmp_path / "utf8.csv", "一级分类\n供暖\n")
    with pytest.raises(ValidationFailed, match="不能按 ascii 编码读取"):
        categories_load_csv(path=utf8, encoding="ascii")
    with pytest.raises(ValidationFailed, match="不能按 no-such-codec 编码读取"):
        categories_load_csv(path=utf8, encoding="no-such-codec")


def test_the_seed_is_a_small_tree_of_our_own(tipdm_tree: Path) -> None:
    with SEED_CATEGORIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = Counter(r["一级分类"] for r in rows)
    assert 12 <= len(first) <= 16
    assert all(2 <= n <= 5 for n in first.values()), first
    assert {"供暖", "供水", "物业管理", "市场管理", "交通管理", "劳动和社会保障"} <= set(first)
    with tipdm_tree.open(encoding="utf-8-sig", newline="") as handle:
        tipdm = {(r["一级分类"], r["二级分类"]) for r in csv.DictReader(handle)}
    assert len({(r["一级分类"], r["二级分类"]) for r in rows} & tipdm) <= 3


@pytest.mark.django_db
def test_categories_for_select_gives_tree_order_and_leaves() -> None:
    categories_load_csv(path=SEED_CATEGORIES)
    options = categories_for_select()
    assert len(options) == Category.objects.count()
    assert [o.code for o in options[:3]] == ["01", "01.01", "01.02"]
    assert options[0].full_name == "供暖" and not options[0].is_leaf
    assert options[1].is_leaf and options[1].label == "　" + options[1].name
    assert [o.code for o in options] == sorted(o.code for o in options)  # generated codes sort as the tree
    Category.objects.filter(code="01").update(is_active=False)
    assert not any(o.code.startswith("01") for o in categories_for_select())


@pytest.mark.django_db
def test_the_categories_command_loads_the_seed_by_default(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("categories", "load", stdout=out)
    assert "categories.csv" in out.getvalue() and "新建" in out.getvalue()
    first_level = Category.objects.filter(level=1).count()
    assert 12 <= first_level <= 16
    out = io.StringIO()
    call_command("categories", "load", str(SEED_CATEGORIES), stdout=out)
    assert "新建 0 个分类" in out.getvalue()
    with pytest.raises(CommandError, match="缺少列：一级分类"):
        call_command("categories", "load", str(write(tmp_path / "x.csv", "a,b\n1,2\n")))
