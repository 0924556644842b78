"""Exporting tickets: which tickets (a search or a selection, always within the viewer's scope)
and the audited export itself — an export moves personal data out, so every one is logged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.core.masking import mask_phone
from jiesu.orgs.models import User
from jiesu.tickets.exporting.ledger import Progress, ledger_write
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch, keyword_is_phone, tickets_search, tickets_visible_to

EXPORT_ACTION = "tickets.export"
SELECTION_MAX = 500


def selection_numbers(numbers: Sequence[str]) -> list[str]:
    """The distinct ticket numbers of a selection, in order; refused beyond SELECTION_MAX."""
    distinct = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not distinct:
        raise ValidationFailed("请先勾选工单", field="numbers")
    if len(distinct) > SELECTION_MAX:
        raise ValidationFailed(f"一次最多选择 {SELECTION_MAX} 件工单，当前选择了 {len(distinct)} 件", field="numbers")
    return distinct


def tickets_for_export(
    *, viewer: User | None, search: TicketSearch | None = None, numbers: Sequence[str] | None = None
) -> QuerySet[Ticket]:
    """The tickets of a list search, or of a selection of numbers, that the viewer may read."""
    if numbers is not None:
        chosen = selection_numbers(numbers)
        return tickets_visible_to(viewer=viewer).filter(number__in=chosen).order_by("-received_at", "-id")
    return tickets_search(viewer=viewer, search=search or TicketSearch())


# Looked up alongside an id to save a query; the id already says what was filtered.
INTERNAL_FIELDS = frozenset({"lead_unit_path", "category_path"})


def search_description(search: TicketSearch) -> dict[str, Any]:
    """The filters that are set, as plain data for the audit log and the job's label. A keyword
    searched as a phone number is masked: the audit log is append-only and must hold no full phone."""
    described: dict[str, Any] = {}
    for name, value in asdict(search).items():
        if name in INTERNAL_FIELDS:
            continue
        if value in ("", None, (), False) or (name == "order" and value == "-received"):
            continue
        described[name] = value.isoformat() if isinstance(value, date) else value
    if keyword_is_phone(search.keyword):
        described["keyword"] = mask_phone(search.keyword)
    return described


def tickets_export(
    *,
    tickets: QuerySet[Ticket],
    actor: User | None,
    path: Path,
    filters: dict[str, Any],
    progress: Progress | None = None,
    source_address: str | None = None,
) -> int:
    """Write the ledger of `tickets` as seen by `actor` to `path`; audited with filters and rows.

    A failed export is audited too (with what was known), then the error propagates."""
    detail: dict[str, Any] = {"filters": filters, "format": "xlsx"}
    try:
        rows = ledger_write(tickets=tickets, viewer=actor, path=path, progress=progress)
    except Exception as exc:
        path.unlink(missing_ok=True)
        audit_record(
            actor=actor,
            action=EXPORT_ACTION,
            result=AuditResult.FAILURE,
            source_address=source_address,
            detail={**detail, "error": type(exc).__name__},
        )
        raise
    audit_record(actor=actor, action=EXPORT_ACTION, source_address=source_address, detail={**detail, "rows": rows})
    return rows
