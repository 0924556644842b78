"""The report material package (素材): one zip with everything of the period the contract asks
for: the report, the ledger workbook, the list of attachments and recordings of the period's
tickets, the callback results, and a README in Chinese listing the contents.

File contents are not included, only their list: attachments hold requesters' photos and voices,
and the pack goes out by e-mail. The lists carry no requester data either.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jiesu.orgs.models import Unit
from jiesu.reports.docx_render import report_title
from jiesu.reports.facts import ReportFacts, ticket_filter
from jiesu.reports.notable import in_window
from jiesu.reports.periods import ReportPeriod
from jiesu.tickets.choices import AttachmentKind, Satisfaction
from jiesu.tickets.models import Attachment, Callback, Ticket

CHUNK_SIZE = 5000
ATTACHMENT_HEADERS = ("工单编号", "文件名", "大小（字节）", "类型", "文件格式", "上传时间", "SHA-256")
CALLBACK_HEADERS = ("工单编号", "回访时间", "有效回访", "是否联系", "是否解决", "满意度")
KINDS, SATISFACTION = dict(AttachmentKind.choices), dict(Satisfaction.choices)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def package_names(period: ReportPeriod) -> dict[str, str]:
    """The file names inside the zip, by role."""
    key = period.key
    return {
        "docx": f"报告-{key}.docx",
        "xlsx": f"台账-{key}.xlsx",
        "attachments": f"附件与录音清单-{key}.csv",
        "callbacks": f"回访结果-{key}.xlsx",
        "readme": "README.txt",
    }


def _tickets(period: ReportPeriod, facts: ReportFacts, district: Unit | None) -> QuerySet[Ticket]:
    """The period's tickets, narrowed like the facts (the ledger's rows)."""
    tickets = Ticket.objects.order_by().filter(in_window("received_at", period.window))
    where = ticket_filter(topic=facts.topic, district=district)
    return tickets.filter(where) if where is not None else tickets


def _local(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _attachment_lines(tickets: QuerySet[Ticket]) -> Iterator[list[object]]:
    rows = (
        Attachment.objects.filter(ticket__in=tickets.values("pk"))
        .order_by("ticket__number", "id")
        .values_list("ticket__number", "original_name", "size_bytes", "kind", "content_type", "uploaded_at", "sha256")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for number, name, size, kind, content_type, uploaded, digest in rows:
        # An uploaded file's name is free text: "=…" would run as a formula when Excel opens the CSV.
        name = "'" + name if name.startswith(FORMULA_STARTS) else name
        yield [number, name, size, KINDS.get(kind, kind), content_type, _local(uploaded), digest]


def _attachments_csv(tickets: QuerySet[Ticket]) -> tuple[bytes, int]:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(ATTACHMENT_HEADERS)
    count = 0
    for line in _attachment_lines(tickets):
        writer.writerow(line)
        count += 1
    # The byte-order mark makes Excel read the Chinese file as UTF-8.
    return text.getvalue().encode("utf-8-sig"), count


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _callbacks_xlsx(tickets: QuerySet[Ticket]) -> tuple[bytes, int]:
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet("回访结果")
    sheet.append(list(CALLBACK_HEADERS))
    rows = (
        Callback.objects.filter(ticket__in=tickets.values("pk"))
        .order_by("ticket__number", "called_at", "id")
        .values_list("ticket__number", "called_at", "is_valid", "contacted", "resolved", "satisfaction")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    count = 0
    for number, called, valid, contacted, resolved, satisfaction in rows:
        sheet.append(
            [number, _local(called), _yes_no(valid), _yes_no(contacted), _yes_no(resolved),
             SATISFACTION.get(satisfaction, satisfaction)]
        )  # fmt: skip
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def _readme(facts: ReportFacts, names: dict[str, str], attachments: int, callbacks: int) -> str:
    lines = [
        f"{report_title(facts)}　素材包",
        f"统计周期：{facts.period.label}",
        f"生成时间：{_local(facts.computed_at)}",
        "",
        "本素材包包含以下文件：",
        f"1. {names['docx']}：报告正文（Word，可编辑）；",
        f"2. {names['xlsx']}：报告数据与本期工单台账（Excel，共{facts.received:,}件工单）；",
        f"3. {names['attachments']}：本期工单的附件与录音清单（{attachments:,}个文件，仅清单，不含文件本身）；",
        f"4. {names['callbacks']}：本期工单的回访结果（{callbacks:,}条）；",
        f"5. {names['readme']}：本说明。",
        "",
        "说明：为保护个人信息，台账及各清单不含诉求人姓名、联系电话、证件号码等个人信息。",
    ]
    return "\r\n".join(lines) + "\r\n"


def report_package(
    *, docx: bytes, xlsx: bytes, period: ReportPeriod, facts: ReportFacts, district: Unit | None = None
) -> bytes:
    """The zip of the period's material; `district` narrows the lists like a special report's facts."""
    names = package_names(period)
    tickets = _tickets(period, facts, district)
    attachments, attachment_count = _attachments_csv(tickets)
    callbacks, callback_count = _callbacks_xlsx(tickets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # .docx and .xlsx are zips already: storing them again compressed only costs time.
        archive.writestr(names["docx"], docx, compress_type=zipfile.ZIP_STORED)
        archive.writestr(names["xlsx"], xlsx, compress_type=zipfile.ZIP_STORED)
        archive.writestr(names["attachments"], attachments)
        archive.writestr(names["callbacks"], callbacks, compress_type=zipfile.ZIP_STORED)
        archive.writestr(names["readme"], _readme(facts, names, attachment_count, callback_count).encode("utf-8"))
    return out.getvalue()
