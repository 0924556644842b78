"""The material package: the zip holds the report, the workbook, the lists and a README."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from jiesu.orgs.testing import World
from jiesu.reports.docx_render import report_docx
from jiesu.reports.ledger import ledger_rows
from jiesu.reports.package import package_names, report_package
from jiesu.reports.tests.documents_support import Period, empty_week, month_with_tickets
from jiesu.reports.xlsx_render import report_xlsx
from jiesu.tickets.models import Attachment
from jiesu.tickets.tests.helpers import REQUESTER_NAME, REQUESTER_PHONE


def packed(p: Period) -> tuple[zipfile.ZipFile, bytes, bytes]:
    docx = report_docx(p.facts, p.narrative)
    xlsx = report_xlsx(p.facts, ledger=ledger_rows(p.period))
    data = report_package(docx=docx, xlsx=xlsx, period=p.period, facts=p.facts)
    return zipfile.ZipFile(io.BytesIO(data)), docx, xlsx


def test_the_zip_holds_the_report_the_ledger_the_lists_and_a_readme(world: World) -> None:
    month = month_with_tickets(world)
    archive, docx, xlsx = packed(month)
    names = package_names(month.period)
    assert sorted(archive.namelist()) == sorted(names.values())
    assert archive.read(names["docx"]) == docx and archive.read(names["xlsx"]) == xlsx
    readme = archive.read("README.txt").decode("utf-8")
    for name in names.values():
        assert name in readme
    assert month.period.label in readme and "共5件工单" in readme


def test_the_lists_name_the_attachments_and_callbacks_of_the_period(world: World) -> None:
    month = month_with_tickets(world)
    archive, _, _ = packed(month)
    names = package_names(month.period)
    closed = month.tickets[0]
    lines = list(csv.reader(io.StringIO(archive.read(names["attachments"]).decode("utf-8-sig"))))
    assert lines[0][:4] == ["工单编号", "文件名", "大小（字节）", "类型"]
    assert [line[:4] for line in lines[1:]] == [[closed.number, "来电录音.mp3", "13", "录音"]]
    sheet = load_workbook(io.BytesIO(archive.read(names["callbacks"])))["回访结果"]
    callbacks = list(sheet.iter_rows(values_only=True))
    assert callbacks[0] == ("工单编号", "回访时间", "有效回访", "是否联系", "是否解决", "满意度")
    assert [(row[0], row[2], row[3], row[4], row[5]) for row in callbacks[1:]] == [
        (closed.number, "是", "是", "是", "满意")
    ]
    everything = b"".join(archive.read(name) for name in (names["attachments"], "README.txt")).decode(
        "utf-8", "replace"
    )
    assert REQUESTER_NAME not in everything and REQUESTER_PHONE not in everything


def test_an_empty_period_gives_a_complete_package(db: None) -> None:
    week = empty_week()
    archive, _, _ = packed(week)
    names = package_names(week.period)
    assert sorted(archive.namelist()) == sorted(names.values())
    assert archive.testzip() is None
    lines = archive.read(names["attachments"]).decode("utf-8-sig").splitlines()
    assert len(lines) == 1
    assert "共0件工单" in archive.read("README.txt").decode("utf-8")


def test_a_file_name_that_looks_like_a_formula_is_listed_as_text(world: World) -> None:
    month = month_with_tickets(world)
    Attachment.objects.update(original_name='=HYPERLINK("http://evil.example","录音")')
    archive, _, _ = packed(month)
    lines = list(csv.reader(io.StringIO(archive.read(package_names(month.period)["attachments"]).decode("utf-8-sig"))))
    assert lines[1][1] == '\'=HYPERLINK("http://evil.example","录音")'
