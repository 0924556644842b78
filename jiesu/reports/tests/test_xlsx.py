"""The report workbook: opened with openpyxl, every sheet checked against the facts."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from jiesu.orgs.testing import World
from jiesu.reports import xlsx_ledger
from jiesu.reports.facts import FamilyUnavailable
from jiesu.reports.ledger import HEADERS, LedgerRow, ledger_rows
from jiesu.reports.tests.documents_support import empty_week, month_with_tickets, special_window
from jiesu.reports.xlsx_render import report_xlsx
from jiesu.tickets.tests.helpers import REQUESTER_NAME, REQUESTER_PHONE

SHEETS = ["总览", "分类", "区域", "承办单位", "三率", "重点工单", "台账"]


def opened(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def rows(book: Workbook, sheet: str) -> list[tuple[object, ...]]:
    return list(book[sheet].iter_rows(values_only=True))


def test_every_sheet_shows_the_numbers_of_the_facts(world: World) -> None:
    month = month_with_tickets(world)
    facts = month.facts
    book = opened(report_xlsx(facts, ledger=ledger_rows(month.period)))
    assert book.sheetnames == SHEETS
    overview = {row[0]: row[1] for row in rows(book, "总览") if row and row[0]}
    assert overview["统计周期"] == month.period.label
    assert overview["受理诉求（件）"] == facts.received == 5
    assert overview["上期受理（件）"] == facts.received_previous
    assert overview["环比（%）"] == facts.change_previous_pct
    assert overview["去年同期受理（件）"] == facts.received_year_ago
    assert overview["办结（件）"] == facts.closed
    assert overview["超期（件）"] == facts.overdue
    assert overview["退单（件）"] == facts.returned
    assert overview["重复诉求（件）"] == facts.repeat
    assert overview["电话"] == next(c.value for c in facts.by_channel if c.name == "电话")
    assert rows(book, "分类")[0] == ("序号", "名称", "件数", "占比")
    assert rows(book, "分类")[1:] == [(i, c.name, c.value, c.share) for i, c in enumerate(facts.top_categories, 1)]
    areas = rows(book, "区域")
    assert areas[0] == ("层级", "序号", "名称", "件数", "占比")
    expected = [("区", i, c.name, c.value, c.share) for i, c in enumerate(facts.top_districts, 1)]
    expected += [("街道（乡镇）", i, c.name, c.value, c.share) for i, c in enumerate(facts.top_townships, 1)]
    assert areas[1:] == expected
    units = [(u.name, u.received, u.closed, u.overdue, u.on_time_rate) for u in facts.by_unit]
    assert rows(book, "承办单位")[1:] == units
    rates = rows(book, "三率")
    assert rates[0] == ("指标", "分子", "分母", "实际值", "目标值", "是否达标")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rates[1:]] == [
        (r.name, r.numerator, r.denominator, r.value, r.target) for r in facts.rates
    ]
    assert [r[0] for r in rows(book, "重点工单")[1:]] == [n.number for n in facts.notable]


def test_the_ledger_has_one_row_per_ticket_of_the_period_and_no_personal_data(world: World) -> None:
    month = month_with_tickets(world)
    book = opened(report_xlsx(month.facts, ledger=ledger_rows(month.period)))
    ledger = rows(book, "台账")
    assert ledger[0] == HEADERS
    assert [row[0] for row in ledger[1:]] == [t.number for t in month.tickets]
    assert len(ledger) - 1 == month.facts.received
    by_number = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in ledger[1:]}
    closed = by_number[month.tickets[0].number]
    assert closed["状态"] == "已办结" and closed["回访满意度"] == "满意" and closed["是否超期"] == "否"
    assert closed["问题分类"] == "供暖" and closed["所属区"] == world.district.name
    assert closed["主办单位"] == world.township.name
    text = repr(ledger)
    for personal in (REQUESTER_NAME, REQUESTER_NAME[0] + "*", REQUESTER_PHONE, "****"):
        assert personal not in text


def test_a_special_report_ledger_keeps_only_the_topic(world: World) -> None:
    special = special_window(world, "噪音")
    ledger = list(ledger_rows(special.period, topic="噪音"))
    assert {row.number for row in ledger} == {t.number for t in special.tickets if "噪音" in t.title}
    assert len(ledger) == special.facts.received == 2


def test_an_empty_period_gives_a_workbook_with_headers_only(db: None) -> None:
    week = empty_week()
    book = opened(report_xlsx(week.facts, ledger=ledger_rows(week.period)))
    assert book.sheetnames == SHEETS
    assert rows(book, "台账") == [HEADERS]
    assert rows(book, "分类") == [("序号", "名称", "件数", "占比")]
    overview = {row[0]: row[1] for row in rows(book, "总览") if row and row[0]}
    assert overview["受理诉求（件）"] == 0 and overview["环比（%）"] is None


def test_the_public_line_ledger_is_refused_in_chinese(db: None) -> None:
    week = empty_week()
    with pytest.raises(FamilyUnavailable, match="公共咨询线尚未启用"):
        list(ledger_rows(week.period, family="public_line"))


def ledger_row(number: int, category: str = "供暖") -> LedgerRow:
    day = datetime(2026, 10, 1, 8, 30)
    names = ("电话", "投诉", category, "朝阳区", "", "望京街道", "已办结")
    return LedgerRow(f"T{number:04d}", day, *names, None, day, True, "")


def test_ledger_text_is_escaped_and_empty_cells_keep_the_columns(db: None) -> None:
    week = empty_week()
    rows = [ledger_row(1, "水电<气>&热\x01"), ledger_row(2)]
    ledger = list(opened(report_xlsx(week.facts, ledger=rows))["台账"].iter_rows(values_only=True))
    day = datetime(2026, 10, 1, 8, 30)
    names = ("电话", "投诉", "水电<气>&热", "朝阳区", None, "望京街道", "已办结")
    assert ledger[1] == ("T0001", day, *names, None, day, "是", None)
    assert len(ledger) == 3


def test_a_ledger_past_excel_limit_says_how_many_tickets_are_left_out(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_ledger, "EXCEL_ROWS", 4)
    week = empty_week()
    ledger = list(opened(report_xlsx(week.facts, ledger=[ledger_row(i) for i in range(6)]))["台账"].iter_rows())
    assert [row[0].value for row in ledger[1:3]] == ["T0000", "T0001"]
    assert "其余 4 件工单未列出" in str(ledger[3][0].value)


def test_the_fast_ledger_path_writes_what_the_typed_rows_hold(world: World) -> None:
    month = month_with_tickets(world)
    fast = rows(opened(report_xlsx(month.facts, ledger=ledger_rows(month.period))), "台账")
    typed = list(ledger_rows(month.period))
    assert fast == rows(opened(report_xlsx(month.facts, ledger=typed)), "台账")
    zone = timezone.get_default_timezone()
    first = month.tickets[0]
    beijing = first.received_at.astimezone(zone).replace(tzinfo=None)
    assert typed[0].received_at == beijing
    # A serial number of days holds the time to about a millisecond, as Excel reads it.
    shown = fast[1][1]
    assert isinstance(shown, datetime) and abs(shown - beijing) < timedelta(milliseconds=1)
