"""Reading and writing the CSV files the `jiesu intel` commands work on.

Exports from hotline systems come as UTF-8 (often with a BOM, as Excel writes it) or GB18030 (the
superset of GBK that Chinese Windows uses); both are read without asking. Results are written in
UTF-8 with a BOM so that Excel opens them correctly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from jiesu.intel.errors import DataFileError

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, str]]
    encoding: str


def _decode(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DataFileError(f"找不到文件：{path}") from exc
    except OSError as exc:
        raise DataFileError(f"无法读取文件 {path}：{exc.strerror}") from exc
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataFileError(f"文件 {path} 的编码无法识别（支持 UTF-8 和 GB18030）")


def table_read(path: Path, *, required: list[str]) -> Table:
    """All rows of a CSV file; every column in `required` must be present."""
    content, encoding = _decode(path)
    reader = csv.DictReader(content.splitlines(keepends=True))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataFileError(f"文件 {path} 缺少列：{'、'.join(missing)}（现有列：{'、'.join(columns) or '无'}）")
    rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    if not rows:
        raise DataFileError(f"文件 {path} 没有数据行")
    return Table(columns=columns, rows=rows, encoding=encoding)


def table_write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise DataFileError(f"无法写入文件 {path}：{exc.strerror}") from exc


def texts_of(table: Table, text_columns: list[str]) -> list[str]:
    """One text per row: the text columns joined (cells stripped: exports carry stray newlines)."""
    return ["\n".join(row[c].strip() for c in text_columns) for row in table.rows]


def labels_of(table: Table, label_column: str, path: Path) -> list[str]:
    labels = [row[label_column].strip() for row in table.rows]
    empty = sum(1 for label in labels if not label)
    if empty:
        raise DataFileError(f"文件 {path} 的标签列“{label_column}”有 {empty} 行为空")
    return labels
