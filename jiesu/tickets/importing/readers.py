"""Streaming readers: a ledger file becomes a header and an iterator of numbered rows.

CSV files are decoded as UTF-8 (with or without BOM) or GB18030, whichever decodes the whole
file; XLSX files are read with openpyxl in read-only mode. Neither keeps the file in memory.
Cells come out as `str`, `datetime` (XLSX date cells, naive) or None.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from jiesu.tickets.importing.errors import ImportFileError

Cell = str | datetime | None
_CHUNK = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass
class Table:
    """An opened file: its rows (row number as in the file, cells) and an estimate of their count."""

    rows: Iterator[tuple[int, list[Cell]]]
    total_rows: int
    format: str
    encoding: str = ""
    _handle: IO[Any] | None = None
    _workbook: Any = field(default=None, repr=False)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._workbook is not None:
            self._workbook.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decodes(path: Path, encoding: str) -> tuple[bool, int]:
    """Whether the whole file decodes; also counts line breaks (an estimate of the row count)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                raise ImportFileError("文件含有空字符（NUL），不是文本格式的 CSV 文件")
            lines += chunk.count(b"\n")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False, 0
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, 0
    return True, lines


def detect_encoding(path: Path) -> tuple[str, int]:
    """('utf-8-sig' | 'utf-8' | 'gb18030', line count), or ImportFileError."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        ok, lines = _decodes(path, "utf-8-sig")
        if ok:
            return "utf-8-sig", lines
    elif head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFileError("文件是 UTF-16 编码，暂不支持。请另存为“CSV UTF-8”或 GB18030（GBK）编码的 CSV 文件")
    else:
        for encoding in ("utf-8", "gb18030"):
            ok, lines = _decodes(path, encoding)
            if ok:
                return encoding, lines
    raise ImportFileError(
        "无法识别文件编码：文件既不是有效的 UTF-8，也不是有效的 GB18030（GBK）编码。"
        "请用 Excel 或 WPS 另存为“CSV UTF-8”后重试"
    )


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[Cell]]]:
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells)
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误（第 {number + 1} 行附近）：{exc}") from exc


def open_csv(path: Path) -> Table:
    encoding, lines = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle)
    return Table(rows=_csv_rows(reader), total_rows=lines, format="csv", encoding=encoding, _handle=handle)


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [_xlsx_cell(v) for v in values]


def open_xlsx(path: Path) -> Table:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == _OLE_MAGIC:
        raise ImportFileError("不支持旧版 Excel（.xls）格式，请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后重试")
    if head != _ZIP_MAGIC:
        raise ImportFileError(
            "文件不是有效的 Excel 工作簿（.xlsx）：文件内容不是 Excel 格式，可能是改了扩展名的其他文件"
        )
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"文件不是有效的 Excel 工作簿（.xlsx），无法打开：{exc}") from exc
    if not workbook.worksheets:
        workbook.close()
        raise ImportFileError("Excel 工作簿中没有工作表")
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0
    return Table(rows=_xlsx_rows(sheet), total_rows=total, format="xlsx", _workbook=workbook)


def table_open(path: Path) -> Table:
    """Open a CSV or XLSX file by its content (and suffix), or raise ImportFileError in Chinese."""
    if not path.exists():
        raise ImportFileError(f"文件不存在：{path}")
    if not path.is_file():
        raise ImportFileError(f"不是文件：{path}")
    with path.open("rb") as handle:
        head = handle.read(4)
    if path.suffix.lower() in WORKBOOK_SUFFIXES or path.suffix.lower() == ".xls" or head in (_ZIP_MAGIC, _OLE_MAGIC):
        return open_xlsx(path)
    return open_csv(path)
