"""Reading the audit trail for the audit admin's viewer and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.audit.models import AuditEntry, AuditResult


@dataclass(frozen=True)
class AuditSearch:
    """The viewer's filters; empty values do not filter."""

    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    actor: str = ""  # username, exact
    action: str = ""  # prefix: "auth." finds every login event
    object_type: str = ""
    object_id: str = ""
    result: str = ""
    source_address: str = ""

    def as_detail(self) -> dict[str, Any]:
        """The filters that were set, for the audit entry of an export."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items() if v}


def audit_entries_search(*, search: AuditSearch) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first. Access is checked by the caller (audit admins)."""
    entries = AuditEntry.objects.select_related("actor").order_by("-sequence")
    if search.occurred_from is not None:
        entries = entries.filter(occurred_at__gte=search.occurred_from)
    if search.occurred_to is not None:
        entries = entries.filter(occurred_at__lt=search.occurred_to)
    if search.actor:
        entries = entries.filter(actor__username=search.actor)
    if search.action:
        entries = entries.filter(action__startswith=search.action)
    if search.object_type:
        entries = entries.filter(object_type=search.object_type)
    if search.object_id:
        entries = entries.filter(object_id=search.object_id)
    if search.result:
        entries = entries.filter(result=search.result)
    if search.source_address:
        entries = entries.filter(source_address=search.source_address)
    return entries


EXPORT_HEADER = ["序号", "时间", "操作人", "操作", "对象类型", "对象编号", "结果", "来源地址", "详情", "记录哈希"]
RESULT_LABELS = dict(AuditResult.choices)
# A leading = + - @ (or tab/CR) makes spreadsheets run the cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def audit_export_rows(*, search: AuditSearch, chunk_size: int = 2000) -> Iterator[list[str]]:
    """The CSV lines (header first) of every matching entry, read in chunks without model instances."""
    yield EXPORT_HEADER
    rows = audit_entries_search(search=search).values_list(
        "sequence",
        "occurred_at",
        "actor__username",
        "action",
        "object_type",
        "object_id",
        "result",
        "source_address",
        "detail",
        "entry_hash",
    )
    for seq, at, username, action, otype, oid, result, source, detail, digest in rows.iterator(chunk_size=chunk_size):
        yield [
            str(seq),
            timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
            _cell(username or "系统"),
            _cell(action),
            _cell(otype),
            _cell(oid),
            RESULT_LABELS.get(result, result),
            source or "",
            _cell(json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""),
            digest,
        ]
