"""Parsers for single cells: moments, yes/no, choices. Each raises CellError with a Chinese reason."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from openpyxl.utils.datetime import from_excel

from jiesu.tickets.importing.mappings import FIELDS, Mapping, fold
from jiesu.tickets.importing.readers import Cell

_LOOSE_MOMENT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.(\d{1,6}))?)?\s*秒?)?$"
)
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
EARLIEST_YEAR = 1990


class CellError(Exception):
    """A cell that cannot be read; the message is for people."""


def _loose_moment(text: str) -> datetime:
    match = _LOOSE_MOMENT.match(text)
    if match is None:
        if _EXCEL_SERIAL.match(text):
            serial = from_excel(float(text))
            if isinstance(serial, datetime):
                return serial
        raise CellError(f"时间格式无法识别：「{text}」，应为 2024-04-15 08:30:00 这样的格式")
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(  # noqa: DTZ001 - made aware by the caller, in the mapping's time zone
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError as exc:
        raise CellError(f"日期或时间不存在：「{text}」") from exc


def parse_moment(cell: Cell, zone: tzinfo, latest: datetime) -> datetime:
    """An aware datetime; naive values are read in the mapping's time zone."""
    if isinstance(cell, datetime):
        moment = cell
    else:
        text = (cell or "").strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = _loose_moment(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment.year < EARLIEST_YEAR:
        raise CellError(f"时间早于 {EARLIEST_YEAR} 年，不像真实数据：「{cell}」")
    if moment > latest:
        raise CellError(f"时间晚于当前时间：「{cell}」")
    return moment


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return cell.strip()


class ValueTables:
    """Translation tables of one mapping: cell text → our value, per field."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.tables: dict[str, dict[str, str]] = {}
        for name, spec in FIELDS.items():
            table: dict[str, str] = {}
            if spec.choices is not None:
                for value, label in spec.choices.choices:
                    table[fold(str(value))] = str(value)
                    table[fold(str(label))] = str(value)
            table.update(mapping.values.get(name, {}))
            if table:
                self.tables[name] = table
        self.booleans = {fold(k): v for k, v in mapping.booleans.items()}

    def translate(self, field: str, text: str) -> str:
        """Apply the mapping's value map to a non-choice cell (e.g. "Unspecified" → empty)."""
        table = self.tables.get(field)
        if table is None:
            return text
        return table.get(fold(text), text)

    def choice(self, field: str, text: str) -> str:
        value = self.tables[field].get(fold(text))
        if value is None:
            spec = FIELDS[field]
            labels = "、".join(str(label) for _, label in spec.choices.choices) if spec.choices else ""
            raise CellError(f"取值无效：「{text}」，可选：{labels}")
        return value

    def boolean(self, text: str) -> bool:
        value = self.booleans.get(fold(text))
        if value is None:
            raise CellError(f"取值无效：「{text}」，应为 是 或 否")
        return value


def latest_allowed(now: datetime) -> datetime:
    """Timestamps later than this are typing errors (a day of slack for clock and zone skew)."""
    return now + timedelta(days=1)
