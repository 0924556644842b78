from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import IndexTerm, KnowledgeEntry
from jiesu.knowledge.tests.support import make_policy, published_policy

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("knowledge", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_export_then_import_through_the_command_line(world, tmp_path: Path):
    make_policy(world.agent)
    target = tmp_path / "policy.xlsx"
    assert "已导出 政策库" in _run("export", "--library", "policy", "--out", str(target))
    KnowledgeEntry.objects.all().delete()
    output = _run("import", "--library", "policy", str(target), "--actor", "editor", "--publish")
    assert "新建 1 条" in output and "发布 1 条" in output
    assert KnowledgeEntry.objects.get().status == EntryStatus.PUBLISHED


def test_import_errors_are_reported_in_chinese_and_nothing_is_written(world, tmp_path: Path):
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(["标题", "发文机关", "全文"])
    sheet.append(["无发文机关", "", "全文"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    errors = StringIO()
    with pytest.raises(CommandError, match="导入失败，未写入任何数据（1 处错误）"):
        call_command("knowledge", "import", "--library", "policy", str(path), stdout=StringIO(), stderr=errors)
    assert "第 2 行「发文机关」：请填写发文机关" in errors.getvalue()
    assert not KnowledgeEntry.objects.exists()
    with pytest.raises(CommandError, match="需要用 --actor"):
        _run("import", "--library", "policy", str(path), "--publish")
    with pytest.raises(CommandError, match="用户不存在"):
        _run("import", "--library", "policy", str(path), "--actor", "nobody")
    with pytest.raises(CommandError, match="文件不存在"):
        _run("import", "--library", "policy", str(tmp_path / "missing.xlsx"))


def test_search_reindex_and_expire(world):
    published_policy(world)
    output = _run("search", "最低生活保障", "--library", "policy", "--limit", "5")
    assert "1. [政策库] 最低生活保障审核办法" in output
    assert "没有找到相关条目" in _run("search", "完全无关的词语组合")
    IndexTerm.objects.all().delete()
    assert "已重建 1 个条目的检索索引" in _run("reindex")
    assert IndexTerm.objects.exists()
    assert "已将 0 个到期条目设为失效" in _run("expire")


def test_unknown_library_is_refused(world):
    with pytest.raises(CommandError, match="未知的知识库"):
        _run("export", "--library", "books", "--out", "x.xlsx")


def test_the_demo_content_covers_every_library_and_is_loaded_once(world, tmp_path: Path):
    from jiesu.orgs.demo import demo_users_ensure
    from jiesu.tickets.services.categories import SEED_CATEGORIES, categories_load_csv

    demo_users_ensure(path=tmp_path / "logins.txt")
    categories_load_csv(path=SEED_CATEGORIES)
    assert "演示知识条目：新增" in _run("demo")
    for library in Library.values:
        entries = KnowledgeEntry.objects.filter(library=library)
        assert entries.count() >= 8, library
        assert entries.filter(status=EntryStatus.PUBLISHED).count() >= 7, library
    assert KnowledgeEntry.objects.filter(status=EntryStatus.DRAFT).exists()
    assert KnowledgeEntry.objects.filter(status=EntryStatus.REVIEW).exists()
    assert KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED, valid_to__isnull=False).count() == 1
    assert KnowledgeEntry.objects.filter(category__isnull=False).count() >= 30
    assert "已存在，未新增" in _run("demo")
