"""The unit of hotspot detection: one ticket or message, whatever its source.

CSV exports write times in many shapes ("2019/2/28 11:25:05", "2019-08-01 00:00:00",
"2019/07/21", "2019年7月21日"); all are read as local wall-clock times without a zone, the
same form the database tickets are converted to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from jiesu.intel.errors import DataFileError
from jiesu.intel.tables import Table

_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?(?:\.\d+)?)?\s*$"
)


@dataclass(frozen=True)
class Document:
    """`title` is the short text (subject line), `body` the rest; `requester` is any stable key of
    the person (a keyed phone digest, a user id), empty when unknown."""

    id: str
    title: str
    body: str
    time: datetime
    requester: str = ""
    support: int = 0


def parse_time(text: str) -> datetime | None:
    """A local date-time from the usual export shapes, None when it is none of them."""
    found = _TIME.match(text or "")
    if not found:
        return None
    parts = [int(p) if p else 0 for p in found.groups()]
    try:
        return datetime(*parts)  # type: ignore[arg-type]  # noqa: DTZ001 - local wall-clock time by design
    except ValueError:
        return None


def _support(value: str, *, column: str, line: int) -> int:
    cleaned = value.strip().replace(",", "")
    if not cleaned:
        return 0
    try:
        return max(int(float(cleaned)), 0)
    except ValueError as exc:
        raise DataFileError(f"第 {line} 行“{column}”列不是数字：{value}") from exc


def documents_from_table(
    table: Table,
    *,
    id_column: str,
    text_columns: list[str],
    time_column: str,
    support_column: str | None = None,
    user_column: str | None = None,
) -> list[Document]:
    """One document per row; the first text column is the title, the others make the body.

    Line numbers in errors count the header as line 1, as a spreadsheet shows them."""
    documents = []
    for line, row in enumerate(table.rows, start=2):
        moment = parse_time(row[time_column])
        if moment is None:
            raise DataFileError(f"第 {line} 行“{time_column}”列的时间无法识别：{row[time_column]!r}")
        documents.append(
            Document(
                id=row[id_column].strip(),
                title=row[text_columns[0]].strip(),
                body="\n".join(row[c].strip() for c in text_columns[1:]),
                time=moment,
                requester=row[user_column].strip() if user_column else "",
                support=_support(row[support_column], column=support_column, line=line) if support_column else 0,
            )
        )
    return documents
