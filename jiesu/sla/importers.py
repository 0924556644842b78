"""Reading a year's holiday notice from a file (JSON or CSV) for `jiesu calendar import`.

JSON: {"year": 2027, "notice_number": "…", "notice_url": "…", "source": "…",
       "days": [{"day": "2027-01-01", "is_workday": false, "name": "元旦"}, …]}
The holiday-cn layout ({"year", "papers", "days": [{"date", "isOffDay", "name"}]}) is accepted too.
CSV: a header row with `day` (or `date`), `kind` (off / work, or 休 / 班) and `name`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

_KINDS = {"off": False, "休": False, "放假": False, "work": True, "班": True, "上班": True}


@dataclass
class CalendarFile:
    year: int | None
    days: list[tuple[date, bool, str]] = field(default_factory=list)
    notice_number: str = ""
    notice_url: str = ""
    source: str = ""


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"无法识别的日期：{value!r}，应为 YYYY-MM-DD") from exc


def _json_day(entry: Any) -> tuple[date, bool, str]:
    if not isinstance(entry, dict):
        raise ValueError(f"days 中的每一项应为对象：{entry!r}")
    day = _day(entry.get("day", entry.get("date")))
    if "is_workday" in entry:
        is_workday = bool(entry["is_workday"])
    elif "isOffDay" in entry:
        is_workday = not bool(entry["isOffDay"])
    else:
        raise ValueError(f"{day} 缺少 is_workday（或 isOffDay）")
    return day, is_workday, str(entry.get("name", "")).strip()


def parse_json(text: str) -> CalendarFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON 格式有误：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise ValueError("JSON 应为包含 days 列表的对象")
    papers = data.get("papers") or []
    return CalendarFile(
        year=int(data["year"]) if data.get("year") else None,
        days=[_json_day(entry) for entry in data["days"]],
        notice_number=str(data.get("notice_number", "")),
        notice_url=str(data.get("notice_url", papers[0] if papers else "")),
        source=str(data.get("source", "")),
    )


def parse_csv(text: str) -> CalendarFile:
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if not ({"day", "date"} & fields) or "kind" not in fields:
        raise ValueError("CSV 表头应包含 day（或 date）、kind、name 三列")
    result = CalendarFile(year=None)
    for row in reader:
        kind = (row.get("kind") or "").strip().lower()
        if kind not in _KINDS:
            raise ValueError(f"无法识别的类型：{kind!r}，应为 off/work（或 休/班）")
        result.days.append((_day(row.get("day") or row.get("date")), _KINDS[kind], (row.get("name") or "").strip()))
    return result


def read_calendar_file(path: Path) -> CalendarFile:
    text = path.read_text(encoding="utf-8-sig")
    parsed = parse_json(text) if path.suffix.lower() == ".json" else parse_csv(text)
    years = {day.year for day, _, _ in parsed.days}
    if parsed.year is None and len(years) == 1:
        parsed.year = years.pop()
    return parsed
