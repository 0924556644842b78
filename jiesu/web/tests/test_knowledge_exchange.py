"""The Excel page of the knowledge base: a library downloads as a real .xlsx, and an upload with
a wrong row is refused as a whole with the row and column named in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.orgs.testing import World
from jiesu.web.forms import knowledge as knowledge_forms
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.knowledge_support import heating_policy
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("政策.xlsx", out.getvalue())


def test_a_library_downloads_as_xlsx(login_as: LoginAs, world: World) -> None:
    heating_policy(world)
    response = login_as(world.agent).get("/knowledge/export/", {"library": Library.POLICY})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "标题" in rows[0] and "发文机关" in rows[0]
    assert any("居民供暖费补贴发放办法" in row for row in rows[1:])


def test_an_unknown_library_is_refused_beside_the_field(login_as: LoginAs, world: World) -> None:
    response = login_as(world.agent).get("/knowledge/export/", {"library": "nope"})
    assert response.status_code == 400 and "选项无效" in page_text(response)


def test_a_good_file_imports_drafts(login_as: LoginAs, world: World) -> None:
    upload = _xlsx([["标题", "发文机关", "全文"], ["临时救助办法", "市民政局", "遇到突发困难可申请临时救助"]])
    response = login_as(world.agent).post("/knowledge/exchange/", {"library": Library.POLICY, "file": upload})
    assert response.status_code == 302
    entry = KnowledgeEntry.objects.get(title="临时救助办法")
    assert entry.status == EntryStatus.DRAFT and entry.created_by == world.agent


def test_a_bad_row_names_row_and_column_and_writes_nothing(login_as: LoginAs, world: World) -> None:
    upload = _xlsx(
        [
            ["标题", "发文机关", "全文", "生效日期"],
            ["临时救助办法", "市民政局", "遇到突发困难可申请临时救助", "2026-01-01"],
            ["医保缴费通知", "", "九月至十二月缴费", ""],
            ["养老认证通知", "市人力社保局", "每年认证一次", "明年"],
        ]
    )
    response = login_as(world.agent).post("/knowledge/exchange/", {"library": Library.POLICY, "file": upload})
    html = page_text(response)
    assert response.status_code == 400
    assert "未写入任何数据" in html
    assert "第 3 行「发文机关」" in html
    assert "第 4 行「生效日期」" in html
    assert not KnowledgeEntry.objects.exists()


def test_only_xlsx_files_are_taken(login_as: LoginAs, world: World) -> None:
    upload = SimpleUploadedFile("政策.csv", "标题\n低保".encode())
    response = login_as(world.agent).post("/knowledge/exchange/", {"library": Library.POLICY, "file": upload})
    assert response.status_code == 400 and "只支持 .xlsx 文件" in page_text(response)


def test_a_file_above_the_size_limit_is_refused_beside_the_field(
    login_as: LoginAs, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = _xlsx([["标题", "发文机关", "全文"], ["临时救助办法", "市民政局", "遇到突发困难可申请临时救助"]])
    assert upload.size is not None and upload.size > 1000  # an .xlsx is a zip of several parts
    monkeypatch.setattr(knowledge_forms, "IMPORT_MAX_BYTES", 1000)
    response = login_as(world.agent).post("/knowledge/exchange/", {"library": Library.POLICY, "file": upload})
    assert response.status_code == 400 and "文件过大" in page_text(response)
    assert not KnowledgeEntry.objects.exists()
