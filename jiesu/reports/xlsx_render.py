"""The report's workbook (台账): one sheet per view of the facts, then the period's ledger.

A write-only openpyxl workbook makes the sheets; the ledger's rows, 100,000 in a busy month, are
streamed into its sheet as text afterwards (jiesu.reports.xlsx_ledger: openpyxl is far too slow
for them), so memory stays flat and a month takes seconds. Numbers are written as numbers (shares
and rates as fractions with a percent format), so the figures can be summed and charted in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiesu.core.spreadsheet import MOMENT, PERCENT, RATE
from jiesu.core.spreadsheet import sheet_append as _append
from jiesu.core.spreadsheet import sheet_formatted as _formatted
from jiesu.core.spreadsheet import sheet_header as _header
from jiesu.reports.docx_render import report_title
from jiesu.reports.facts import Count, ReportFacts
from jiesu.reports.ledger import HEADERS as LEDGER_HEADERS
from jiesu.reports.ledger import Ledger, LedgerRow
from jiesu.reports.xlsx_ledger import ledger_fill

COUNT_HEADERS = ("序号", "名称", "件数", "占比")
LEDGER_SHEET = "台账"
LEDGER_WIDTHS = (18, 17, 10, 8, 24, 12, 14, 20, 12, 17, 17, 8, 10)
SAMPLE_MOMENT = datetime(2000, 1, 1)  # noqa: DTZ001


def _sheet(book: Workbook, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = book.create_sheet(title)
    # Layout must be set before the first row: a write-only sheet streams from the top.
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths or [16] * len(headers), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    _append(sheet, _header(sheet, headers))
    return sheet


def _counts(sheet: WriteOnlyWorksheet, lines: Sequence[Count], *, prefix: Sequence[str] = ()) -> None:
    for rank, c in enumerate(lines, start=1):
        _append(sheet, [*prefix, rank, c.name, c.value, _formatted(sheet, c.share, PERCENT)])


def _overview(book: Workbook, facts: ReportFacts) -> None:
    sheet = _sheet(book, "总览", ("项目", "数值"), (24, 40))
    pct = facts.change_previous_pct, facts.change_year_ago_pct
    rows: list[tuple[str, object]] = [
        ("报告", report_title(facts)),
        ("统计周期", facts.period.label),
        ("专题", facts.topic),
        ("区域", facts.district),
        ("受理诉求（件）", facts.received),
        ("上期受理（件）", facts.received_previous),
        ("环比（%）", pct[0]),
        ("去年同期受理（件）", facts.received_year_ago),
        ("同比（%）", pct[1]),
        ("办结（件）", facts.closed),
        ("超期（件）", facts.overdue),
        ("退单（件）", facts.returned),
        ("重复诉求（件）", facts.repeat),
        ("考核方案", facts.scheme_name),
        ("综合得分", facts.score),
    ]
    for label, value in rows:
        _append(sheet, [label, value])
    _append(sheet, [])
    _append(sheet, _header(sheet, ("受理渠道", "件数", "占比")))
    for c in facts.by_channel:
        _append(sheet, [c.name, c.value, _formatted(sheet, c.share, PERCENT)])
    _append(sheet, [])
    _append(sheet, _header(sheet, ("诉求类型", "件数", "占比")))
    for c in facts.by_kind:
        _append(sheet, [c.name, c.value, _formatted(sheet, c.share, PERCENT)])


def _views(book: Workbook, facts: ReportFacts) -> None:
    _counts(_sheet(book, "分类", COUNT_HEADERS, (8, 30, 10, 10)), facts.top_categories)
    areas = _sheet(book, "区域", ("层级", *COUNT_HEADERS), (12, 8, 24, 10, 10))
    _counts(areas, facts.top_districts, prefix=("区",))
    _counts(areas, facts.top_townships, prefix=("街道（乡镇）",))
    units = _sheet(book, "承办单位", ("承办单位", "受理", "办结", "超期", "按时办结率"), (28, 10, 10, 10, 12))
    for u in facts.by_unit:
        _append(units, [u.name, u.received, u.closed, u.overdue, _formatted(units, u.on_time_rate, RATE)])
    rates = _sheet(book, "三率", ("指标", "分子", "分母", "实际值", "目标值", "是否达标"), (20, 12, 12, 12, 12, 10))
    for r in facts.rates:
        met = "" if r.met is None else ("达标" if r.met else "未达标")
        value, target = _formatted(rates, r.value, RATE), _formatted(rates, r.target, RATE)
        _append(rates, [r.name, r.numerator, r.denominator, value, target, met])
    notable = _sheet(book, "重点工单", ("工单编号", "标题", "区", "问题分类", "关注原因"), (18, 36, 12, 24, 16))
    for n in facts.notable:
        _append(notable, [n.number, n.title, n.district, n.category, n.reason])


def _ledger(book: Workbook) -> None:
    """The ledger sheet as openpyxl writes it: header and a sample row (see xlsx_ledger) whose
    only use is its date cell: it registers the date style the rows then refer to."""
    sheet = _sheet(book, LEDGER_SHEET, LEDGER_HEADERS, LEDGER_WIDTHS)
    _append(sheet, [None, _formatted(sheet, SAMPLE_MOMENT, MOMENT)])


def report_xlsx(facts: ReportFacts, *, ledger: Iterable[LedgerRow]) -> bytes:
    """The workbook: 总览, 分类, 区域, 承办单位, 三率, 重点工单, then 台账 (the ledger rows)."""
    book = Workbook(write_only=True)
    _overview(book, facts)
    _views(book, facts)
    _ledger(book)
    out = BytesIO()
    book.save(out)
    if isinstance(ledger, Ledger):
        # Codes and serial times straight from the query: the fast way for a real period.
        return ledger_fill(out.getvalue(), LEDGER_SHEET, ledger.coded(), ledger.labels())
    return ledger_fill(out.getvalue(), LEDGER_SHEET, ledger)
