"""The ticket ledger (台账) as an .xlsx file, streamed: memory stays flat whatever the row count.

openpyxl's write-only workbook writes each row to a temporary file as it is appended, and the
tickets come from the database in chunks (`.iterator`) with their units and category joined in
the same query, so neither side holds the whole ledger. Requesters are masked as on every screen
(jiesu.core.masking; a confidential requester's number is not exported outside the center).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiesu.core.masking import mask_name, mask_phone
from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, Channel, Kind, Satisfaction, TicketStatus, Urgency
from jiesu.tickets.models import Ticket
from jiesu.tickets.permissions import requester_number_hidden
from jiesu.tickets.selectors_queues import ticket_is_overdue
from jiesu.tickets.services.pii import CONFIDENTIAL_TEXT

Progress = Callable[[int, int], None]
CHUNK_SIZE = 2000
PROGRESS_EVERY = 1000
SHEET_TITLE = "工单台账"
# Excel refuses cells longer than this; a longer appeal text is cut with a marker.
CELL_MAX = 32767
TRUNCATED = "……（内容过长，已截断）"


@dataclass(frozen=True)
class RowContext:
    viewer: User | None
    now: datetime


def _moment(value: datetime | None) -> datetime | None:
    # Excel has no time zones: write the Beijing wall-clock time people read on the pages.
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _text(value: str) -> str:
    return value if len(value) <= CELL_MAX else value[: CELL_MAX - len(TRUNCATED)] + TRUNCATED


def _name(unit: Any) -> str:
    return unit.name if unit is not None else ""


def _phone(t: Ticket, c: RowContext) -> str:
    return CONFIDENTIAL_TEXT if requester_number_hidden(viewer=c.viewer, ticket=t) else mask_phone(t.requester_phone)


def _overdue(t: Ticket, c: RowContext) -> str:
    """Still owing a reply past its deadline (the 已超期 queue's rule), or replied after it."""
    late_reply = t.replied_at is not None and t.reply_due_at is not None and t.replied_at > t.reply_due_at
    return _yes_no(late_reply or ticket_is_overdue(t, c.now))


Getter = Callable[[Ticket, RowContext], object]

# (header, column width in characters, value of one ticket)
COLUMNS: list[tuple[str, int, Getter]] = [
    ("工单编号", 18, lambda t, c: t.number),
    ("受理时间", 17, lambda t, c: _moment(t.received_at)),
    ("受理渠道", 10, lambda t, c: _label(Channel, t.channel)),
    ("诉求类型", 8, lambda t, c: _label(Kind, t.kind)),
    ("紧急程度", 8, lambda t, c: _label(Urgency, t.urgency)),
    ("标题", 30, lambda t, c: _text(t.title)),
    ("诉求内容", 50, lambda t, c: _text(t.content)),
    ("诉求人", 8, lambda t, c: mask_name(t.requester_name)),
    ("联系电话", 14, _phone),
    ("发生地址", 30, lambda t, c: t.address),
    ("所属区", 12, lambda t, c: _name(t.district)),
    ("所属街乡镇", 14, lambda t, c: _name(t.township)),
    ("所属社区村", 14, lambda t, c: _name(t.community)),
    ("问题分类", 30, lambda t, c: str(t.category) if t.category is not None else ""),
    ("主办单位", 20, lambda t, c: _name(t.lead_unit)),
    ("状态", 12, lambda t, c: _label(TicketStatus, t.status)),
    ("派单时间", 17, lambda t, c: _moment(t.dispatched_at)),
    ("反馈时限", 17, lambda t, c: _moment(t.reply_due_at)),
    ("反馈时间", 17, lambda t, c: _moment(t.replied_at)),
    ("办结时间", 17, lambda t, c: _moment(t.closed_at)),
    ("是否超期", 8, _overdue),
    ("退单次数", 8, lambda t, c: t.return_count),
    ("回访是否联系", 12, lambda t, c: _yes_no(t.callback_contacted)),
    ("回访是否解决", 12, lambda t, c: _yes_no(t.callback_resolved)),
    ("满意度", 10, lambda t, c: _label(Satisfaction, t.callback_satisfaction) if t.callback_satisfaction else ""),
    ("考核范围", 12, lambda t, c: _label(AssessmentScope, t.assessment_scope)),
    ("办理结果", 50, lambda t, c: _text(t.reply_text)),
]
HEADERS = [header for header, _, _ in COLUMNS]
DATE_FORMAT = "yyyy-mm-dd hh:mm"

# Exactly what the columns read: no query per row, nothing decrypted that is not exported.
RELATED = ("district", "township", "community", "category", "lead_unit")
FIELDS = (
    "number", "received_at", "channel", "kind", "urgency", "title", "content", "requester_name",
    "requester_phone", "requester_confidential", "address", "status", "dispatched_at", "reply_due_at",
    "replied_at", "closed_at", "return_count", "callback_contacted", "callback_resolved",
    "callback_satisfaction", "assessment_scope", "reply_text",
    *RELATED, "district__name", "township__name", "community__name", "category__name",
    "category__full_name", "lead_unit__name",
)  # fmt: skip


def ledger_rows(tickets: QuerySet[Ticket], viewer: User | None) -> Iterator[list[object]]:
    """One list of cell values per ticket, in the order of `tickets`, fetched in chunks."""
    context = RowContext(viewer=viewer, now=timezone.now())
    for ticket in tickets.select_related(*RELATED).only(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        yield [getter(ticket, context) for _, _, getter in COLUMNS]


def _header(sheet: WriteOnlyWorksheet) -> list[Cell]:
    cells = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def _dated(sheet: WriteOnlyWorksheet, values: list[object]) -> list[object]:
    """Date cells get a minutes format; everything else is appended as a plain value (cheaper)."""
    row: list[object] = []
    for value in values:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            row.append(cell)
        else:
            row.append(value)
    return row


def ledger_write(
    *, tickets: QuerySet[Ticket], viewer: User | None, path: Path, progress: Progress | None = None
) -> int:
    """Write the ledger of `tickets` to `path` (.xlsx) and return the number of rows written."""
    total = tickets.count()
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(SHEET_TITLE)
    # Layout must be set before the first row: a write-only sheet streams from the top.
    sheet.freeze_panes = "A2"
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        # The stubs miss the write-only sheet's column_dimensions (openpyxl has them since 2.x).
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    sheet.append(_header(sheet))
    written = 0
    if progress is not None:
        progress(0, total)
    for values in ledger_rows(tickets, viewer):
        sheet.append(_dated(sheet, values))
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written, max(total, written))
    workbook.save(path)
    if progress is not None:
        progress(written, written)
    return written
