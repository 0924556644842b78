"""`knowledge_demo_ensure`: the demo's knowledge entries (`jiesu knowledge demo`, run by `make demo`).

Idempotent: an entry whose library and title already exist is left alone, so running it again
neither duplicates nor overwrites what people edited. Entries whose unit is not in the database
(the unit tree was not seeded) are skipped. Most entries are published; a few stay drafts or wait
in review, and one policy expires in three weeks, so that the expiry reminder has something to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.demo_content import POLICIES, STANDARD_ANSWERS
from jiesu.knowledge.demo_directory import LIAISONS, RESPONSIBILITIES, SECTOR_ISSUES
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_publish, entry_submit
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category

DEMO_LIBRARIES: dict[str, list[dict[str, Any]]] = {
    Library.POLICY: POLICIES,
    Library.LIAISON: LIAISONS,
    Library.STANDARD_ANSWER: STANDARD_ANSWERS,
    Library.SECTOR_ISSUE: SECTOR_ISSUES,
    Library.RESPONSIBILITY: RESPONSIBILITIES,
}
EXPIRING_IN_DAYS = 21
DATE_FIELDS = ("issued_on", "valid_from", "valid_to")


def _category(path: tuple[str, str] | None) -> Category | None:
    if path is None:
        return None
    first, second = path
    return Category.objects.filter(name=second, parent__name=first).first()


def _fields(raw: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The entry's columns with units and categories looked up; None when its unit is missing."""
    fields = {k: v for k, v in raw.items() if k not in ("status", "expiring")}
    for name in DATE_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = date.fromisoformat(fields[name])
    if raw.get("expiring"):
        fields["valid_to"] = today + timedelta(days=EXPIRING_IN_DAYS)
    if "unit" in fields:
        fields["unit"] = Unit.objects.filter(code=fields["unit"]).first()
        if fields["unit"] is None:
            return None
    if "category" in fields:
        fields["category"] = _category(fields["category"])
    return fields


def _ensure_one(library: str, raw: dict[str, Any], today: date) -> bool:
    if KnowledgeEntry.objects.filter(library=library, title=raw["title"]).exists():
        return False
    fields = _fields(raw, today)
    if fields is None:
        return False
    entry = entry_create(actor=None, library=library, **fields)
    status = raw.get("status", EntryStatus.PUBLISHED)
    if status in (EntryStatus.REVIEW, EntryStatus.PUBLISHED):
        entry_submit(entry=entry, actor=None)
    if status == EntryStatus.PUBLISHED:
        entry_publish(entry=entry, actor=None, today=today)
    return True


def knowledge_demo_ensure(today: date | None = None) -> str:
    """Create the missing demo entries; returns a one-line Chinese summary."""
    today = today or timezone.localdate()
    created: dict[str, int] = {}
    with transaction.atomic():
        for library, entries in DEMO_LIBRARIES.items():
            created[library] = sum(_ensure_one(library, raw, today) for raw in entries)
    total = sum(created.values())
    if total == 0:
        return "演示知识条目：已存在，未新增"
    parts = "，".join(f"{Library(lib).label} {n} 条" for lib, n in created.items())
    return f"演示知识条目：新增 {total} 条（{parts}）"
