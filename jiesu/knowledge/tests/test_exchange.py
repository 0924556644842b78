from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.exchange import library_export, library_import
from jiesu.knowledge.libraries import library_spec
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_snapshot
from jiesu.knowledge.tests.support import make_liaison, make_policy, published_policy

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _contents(library: str) -> list[dict[str, Any]]:
    names = library_spec(library).names
    entries = KnowledgeEntry.objects.filter(library=library).order_by("title")
    return [{k: v for k, v in entry_snapshot(e).items() if k in names} for e in entries]


def test_the_export_has_the_chinese_headers_and_flattened_contacts(world):
    make_liaison(world)
    sheet = load_workbook(io.BytesIO(library_export(library=Library.LIAISON, viewer=world.knowledge_editor))).active
    assert isinstance(sheet, Worksheet)
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert sheet.title == "政务联络库"
    assert rows[0] == ["名录名称", "单位", "联系人", "值班电话", "企业微信群", "问题分类", "标签", "备注"]
    assert rows[1][1] == "望京街道（110105026）"
    assert rows[1][2] == "杨静/专员/010-0052 6001；李明/主任/010-0052 6002 转 18/邮箱:li@example.org"
    assert AuditEntry.objects.filter(action="knowledge.export").count() == 1


@pytest.mark.parametrize("library", [Library.POLICY, Library.LIAISON])
def test_export_then_import_into_an_empty_library_gives_the_same_entries(world, library):
    if library == Library.POLICY:
        make_policy(world.knowledge_editor, valid_from=date(2026, 2, 1), tags=["低保", "救助"])
        make_policy(world.knowledge_editor, title="公式=1+1", document_number="", body="=SUM(A1:A2) 不是公式")
    else:
        make_liaison(world)
        make_liaison(world, title="朝阳区民政局", unit=world.district, contacts=[], wecom_group="")
    before = _contents(library)
    data = library_export(library=library, viewer=world.knowledge_editor)
    KnowledgeEntry.objects.filter(library=library).delete()
    result = library_import(library=library, source=io.BytesIO(data), actor=world.knowledge_editor)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert _contents(library) == before
    assert set(KnowledgeEntry.objects.values_list("status", flat=True)) == {EntryStatus.DRAFT}


def test_importing_the_same_export_again_changes_nothing(world):
    make_policy(world.knowledge_editor)
    make_liaison(world)
    for library in (Library.POLICY, Library.LIAISON):
        data = library_export(library=library, viewer=None)
        result = library_import(library=library, source=io.BytesIO(data), actor=world.knowledge_editor)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert set(KnowledgeEntry.objects.values_list("version", flat=True)) == {1}


def test_rows_update_entries_matched_by_document_number_or_by_title_and_unit(world):
    policy = make_policy(world.knowledge_editor)
    liaison = make_liaison(world)
    policy_file = _xlsx(
        [["标题", "文号", "发文机关", "全文"], ["改名后的标题", "测试〔2026〕1号", "北京市民政局", "新全文"]]
    )
    result = library_import(library=Library.POLICY, source=policy_file, actor=world.knowledge_editor)
    assert (result.created, result.updated) == (0, 1)
    policy.refresh_from_db()
    assert (policy.title, policy.body, policy.version, policy.issued_on) == (
        "改名后的标题",
        "新全文",
        2,
        date(2026, 1, 5),
    )
    liaison_file = _xlsx([["名录名称", "单位", "值班电话"], ["望京街道民生保障办", "110105026", "010-0052 7000"]])
    library_import(library=Library.LIAISON, source=liaison_file, actor=world.knowledge_editor)
    liaison.refresh_from_db()
    assert (liaison.duty_phone, len(liaison.contacts)) == ("010-0052 7000", 2)


def test_bad_rows_leave_nothing_written_and_name_row_and_column(world):
    make_policy(world.knowledge_editor)
    audit_lines = AuditEntry.objects.count()
    bad = _xlsx(
        [
            ["标题", "文号", "发文机关", "发布日期", "全文"],
            ["正确的一行", "测试〔2026〕5号", "北京市民政局", "2026-03-01", "全文"],
            ["缺发文机关", "测试〔2026〕6号", "", "2026-03-01", "全文"],
            ["日期不对", "测试〔2026〕7号", "北京市民政局", "三月一日", "全文"],
            ["重复的文号", "测试〔2026〕5号", "北京市民政局", None, "全文"],
        ]
    )
    with pytest.raises(ValidationFailed) as refused:
        library_import(library=Library.POLICY, source=bad, actor=world.knowledge_editor)
    assert refused.value.details["errors"] == [
        "第 3 行「发文机关」：请填写发文机关",
        "第 4 行「发布日期」：日期格式应为 YYYY-MM-DD：三月一日",
        "第 5 行：与第 2 行是同一条目",
    ]
    assert "未写入任何数据" in refused.value.message
    assert KnowledgeEntry.objects.count() == 1
    assert AuditEntry.objects.count() == audit_lines


def test_unknown_and_missing_columns_are_reported(world):
    bad = _xlsx([["标题", "作者", "全文"], ["x", "张三", "y"]])
    with pytest.raises(ValidationFailed) as refused:
        library_import(library=Library.POLICY, source=bad, actor=world.knowledge_editor)
    assert refused.value.details["errors"] == ["第 1 行：未知的列「作者」", "第 1 行：缺少必填列「发文机关」"]
    with pytest.raises(ValidationFailed, match="无法读取 Excel"):
        library_import(library=Library.POLICY, source=io.BytesIO(b"not a workbook"), actor=None)


def test_units_categories_and_yes_no_cells_are_read(world):
    rows = [
        ["问题名称", "责任单位", "处理指引", "可申请剔除", "标签"],
        ["公墓价格过高", "朝阳区", "解释市场调节价", "是", "殡葬、价格"],
        ["划片不满", "朝阳区（110105）", "解释政策", "否", ""],
        ["未知单位", "火星区", "x", "也许", ""],
    ]
    with pytest.raises(ValidationFailed) as refused:
        library_import(library=Library.SECTOR_ISSUE, source=_xlsx(rows), actor=world.knowledge_editor)
    assert refused.value.details["errors"] == [
        "第 4 行「责任单位」：单位不存在：火星区",
        "第 4 行「可申请剔除」：应填写“是”或“否”：也许",
    ]
    result = library_import(library=Library.SECTOR_ISSUE, source=_xlsx(rows[:3]), actor=world.knowledge_editor)
    assert result.created == 2
    first = KnowledgeEntry.objects.get(title="公墓价格过高")
    assert (first.unit, first.excludable, first.tags) == (world.district, True, ["殡葬", "价格"])


def test_only_editors_publish_on_import_and_others_cannot_touch_published_entries(world):
    published_policy(world)
    update_published = _xlsx([["标题", "文号", "发文机关", "全文"], ["新标题", "测试〔2026〕1号", "北京市民政局", "x"]])
    with pytest.raises(ValidationFailed) as refused:
        library_import(library=Library.POLICY, source=update_published, actor=world.agent)
    assert refused.value.details["errors"][0].startswith("第 2 行：无权修改已有条目")
    new_row = _xlsx([["标题", "文号", "发文机关", "全文"], ["新办法", "测试〔2026〕8号", "北京市民政局", "全文"]])
    with pytest.raises(PermissionDenied, match="只有知识库编辑"):
        library_import(library=Library.POLICY, source=new_row, actor=world.agent, publish=True)
    with pytest.raises(PermissionDenied, match="无权导入"):
        library_import(library=Library.POLICY, source=new_row, actor=world.analyst)
    new_row.seek(0)
    result = library_import(library=Library.POLICY, source=new_row, actor=world.knowledge_editor, publish=True)
    assert (result.created, result.published) == (1, 1)
    entry = KnowledgeEntry.objects.get(document_number="测试〔2026〕8号")
    assert (entry.status, entry.published_by) == (EntryStatus.PUBLISHED, world.knowledge_editor)


def test_standard_answers_without_a_unit_match_by_title(world):
    entry_create(
        actor=world.agent, library=Library.STANDARD_ANSWER, title="低保咨询", question="怎么申请低保", body="口径"
    )
    data = library_export(library=Library.STANDARD_ANSWER, viewer=world.knowledge_editor)
    result = library_import(library=Library.STANDARD_ANSWER, source=io.BytesIO(data), actor=world.knowledge_editor)
    assert result.unchanged == 1


def test_a_refused_row_never_names_a_draft_the_importer_may_not_read(world):
    make_policy(world.knowledge_editor, title="尚未公开的草稿标题")
    rows = [["标题", "文号", "发文机关", "全文"], ["别的标题", "测试〔2026〕1号", "北京市民政局", "x"]]
    with pytest.raises(ValidationFailed) as refused:
        library_import(library=Library.POLICY, source=_xlsx(rows), actor=world.agent)
    assert refused.value.details["errors"] == ["第 2 行：库中已有同名或同文号的条目，您无权修改"]


def test_a_file_that_unpacks_to_too_much_is_refused_before_reading(world):
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/sharedStrings.xml", b"\0" * (201 * 2**20))
    assert len(packed.getvalue()) < 2**20
    with pytest.raises(ValidationFailed, match="解压后超过 200 MB"):
        library_import(library=Library.POLICY, source=io.BytesIO(packed.getvalue()), actor=world.knowledge_editor)
    assert not KnowledgeEntry.objects.exists()
