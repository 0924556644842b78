"""Small tables as an Excel workbook: every "导出 Excel" of a page and the `--format xlsx` of a
command. Numbers stay numbers (a rate is a fraction shown with a percent format), so the figures
can be summed and charted in Excel; text is never taken for a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

PERCENT, RATE, MOMENT, DAY = "0.0%", "0.00%", "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters Excel forbids in a sheet's name.
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


@dataclass(frozen=True)
class SheetTable:
    """One sheet: a header row, then rows of plain values. `formats` maps a column's index to an
    Excel number format (e.g. RATE for a column of fractions)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: Mapping[int, str] = field(default_factory=dict)
    widths: Sequence[int] = ()


def sheet_append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row; text that starts with "=" is kept as text, never run as a formula (titles,
    names and notes come from citizens and users)."""
    row = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    sheet.append(row)


def sheet_header(sheet: WriteOnlyWorksheet, headers: Sequence[str]) -> list[Cell]:
    cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    return cells


def sheet_formatted(sheet: WriteOnlyWorksheet, value: Any, number_format: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = (title.translate(_SHEET_NAME_FORBIDDEN).strip() or "Sheet")[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def tables_workbook(tables: Sequence[SheetTable]) -> bytes:
    """The tables as an .xlsx file, one sheet each, with a frozen header row."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet: WriteOnlyWorksheet = book.create_sheet(sheet_name(table.title, taken))
        # Layout must be set before the first row: a write-only sheet streams from the top.
        sheet.freeze_panes = "A2"
        for index, width in enumerate(table.widths or [16] * len(table.headers), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
        sheet_append(sheet, sheet_header(sheet, table.headers))
        for values in table.rows:
            cells = [
                sheet_formatted(sheet, v, table.formats[i]) if i in table.formats and v is not None else v
                for i, v in enumerate(values)
            ]
            sheet_append(sheet, cells)
    if not tables:
        book.create_sheet("空")
    out = BytesIO()
    book.save(out)
    return out.getvalue()
