"""The 台账 sheet's rows written as SpreadsheetML text into the workbook openpyxl made.

openpyxl's write-only sheet builds an XML element per cell: measured here at ~0.7 ms a ledger row,
a month of 100,000 tickets took over a minute, against the few seconds a report pack may take.
So openpyxl writes the ledger sheet with its header row and one sample row (which makes it
register the date style), and the rows themselves are then streamed as plain text into that sheet
of the saved file: inline strings, dates as Excel serial numbers in openpyxl's own date style.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any
from xml.etree import ElementTree

# Excel's day 0; its serial numbers are wall-clock times without a zone, as LedgerRow's are.
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001
SECONDS_A_DAY = 86400.0
# Characters XML 1.0 forbids; a name pasted from elsewhere may carry one.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]").search
NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pkg": "http://schemas.openxmlformats.org/package/2006/relationships",
}
BATCH = 10_000
EXCEL_ROWS = 1_048_576
# A cell without a reference sits right after the previous one, so an empty value must still be
# an (empty) cell to keep the columns in place.
EMPTY = "<c/>"
Labels = Sequence[Mapping[Any, str] | None]


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return ILLEGAL.sub("", text)


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    if not text:
        return EMPTY
    if NEEDS_ESCAPE(text):
        text = _escape(text)
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


class _Cells(dict[Any, str]):
    """The cell XML of each value of a column, made once: a month's 100,000 rows hold a few
    hundred distinct names; a code or id is shown by its label (`labels`)."""

    def __init__(self, labels: Mapping[Any, str] | None) -> None:
        super().__init__({None: EMPTY, "": EMPTY})
        self._labels = labels

    def __missing__(self, value: Any) -> str:
        cell = self[value] = _text(value if self._labels is None else self._labels[value])
        return cell


def _date_cell(date_style: str) -> Callable[[Any], str]:
    opening = f'<c s="{date_style}"><v>'

    def cell(value: Any) -> str:
        if value is None:
            return EMPTY
        if value.__class__ is not str:  # a datetime; serial text comes straight from the database
            value = repr((value.replace(tzinfo=None) - EXCEL_EPOCH).total_seconds() / SECONDS_A_DAY)
        return f"{opening}{value}</v></c>"

    return cell


def _rows_xml(rows: Iterable[Sequence[Any]], date_style: str, first: int, labels: Labels) -> Iterator[str]:
    """The rows' XML in blocks of BATCH rows; each row one f-string of cached or escaped cells."""
    channel, kind, category, area, township, unit, status, satisfaction = (
        _Cells(labels[i] if i < len(labels) else None) for i in (2, 3, 4, 5, 6, 7, 8, 12)
    )
    date, yes, no = _date_cell(date_style), _text("是"), _text("否")
    rows = iter(rows)
    chunk: list[str] = []
    number = first - 1
    for number, (num, received, chan, knd, cat, ar, town, un, st, due, closed, late, sat) in enumerate(
        islice(rows, max(EXCEL_ROWS - first, 0)), start=first
    ):
        chunk.append(
            f'<row r="{number}">{_text(num)}{date(received)}{channel[chan]}{kind[knd]}{category[cat]}'
            f"{area[ar]}{township[town]}{unit[un]}{status[st]}{date(due)}{date(closed)}"
            f"{yes if late else no}{satisfaction[sat]}</row>"
        )
        if len(chunk) == BATCH:
            yield "".join(chunk)
            chunk = []
    left_out = sum(1 for _ in rows)
    if left_out:
        # An annual ledger of a very busy center can pass Excel's limit: say so in the sheet
        # instead of writing a file Excel refuses to open.
        note = f"本表已达 Excel 行数上限，其余 {left_out:,} 件工单未列出，请按月份导出台账。"
        chunk.append(f'<row r="{number + 1}">{_text(note)}</row>')
    if chunk:
        yield "".join(chunk)


def _sheet_path(archive: zipfile.ZipFile, title: str) -> str:
    """The part name of the sheet called `title`, through the workbook's relationships."""
    # Both parts were written by openpyxl a moment ago in this process: trusted input.
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheet = next(s for s in book.iterfind("main:sheets/main:sheet", NS) if s.get("name") == title)
    rel_id = sheet.get(f"{{{NS['rel']}}}id")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    target = next(r.get("Target", "") for r in rels.iterfind("pkg:Relationship", NS) if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _split(sheet_xml: str) -> tuple[str, str, str]:
    """(everything through the header row, the date style of the sample row, the rest after the rows)."""
    head_end = sheet_xml.index("</row>") + len("</row>")
    sample = sheet_xml[head_end : sheet_xml.index("</sheetData>")]
    style = re.search(r'<c r="B2"[^>]*?\ss="(\d+)"', sample)
    return sheet_xml[:head_end], style.group(1) if style else "0", sheet_xml[sheet_xml.index("</sheetData>") :]


def ledger_fill(workbook: bytes, title: str, rows: Iterable[Sequence[Any]], labels: Labels = ()) -> bytes:
    """`workbook` (saved by openpyxl, sheet `title` holding the header and one sample row with a
    date cell) with the sample replaced by `rows`: LedgerRow-shaped tuples whose coded columns are
    shown by `labels` (per column; none: as read) and whose times are datetimes or serial text."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    path = _sheet_path(source, title)
    head, date_style, tail = _split(source.read(path).decode("utf-8"))
    out = io.BytesIO()
    # The fastest deflate level: the sheet is tens of megabytes of repetitive XML, and level 1
    # compresses it nearly as well in a third of the time.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            if item.filename != path:
                target.writestr(item, source.read(item.filename))
                continue
            with target.open(path, "w", force_zip64=True) as sheet:
                sheet.write(head.encode("utf-8"))
                for chunk in _rows_xml(rows, date_style, 2, labels):
                    sheet.write(chunk.encode("utf-8"))
                sheet.write(tail.encode("utf-8"))
    return out.getvalue()
