"""Reading knowledge entries under the rules of `permissions.entries_visible_to`, their history, and
the differences between two versions."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape

from jiesu.core.errors import NotFound
from jiesu.knowledge.choices import EntryStatus
from jiesu.knowledge.libraries import CONTACT_KEYS, CONTACT_LABELS, Kind, library_spec
from jiesu.knowledge.models import EntryVersion, KnowledgeEntry
from jiesu.knowledge.permissions import can_publish_knowledge, entries_visible_to
from jiesu.orgs.models import Unit, User
from jiesu.tickets.models import Category

# Texts longer than this (or with several lines) get an inline diff instead of old/new side by side.
LONG_TEXT = 80


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: str  # the value as shown to people
    new: str
    diff_html: str = ""  # escaped text with <ins>/<del>, for long texts only


def entry_get_for(*, viewer: User | None, entry_id: int) -> KnowledgeEntry:
    entry = (
        entries_visible_to(viewer).select_related("unit", "category", "created_by", "updated_by").filter(pk=entry_id)
    ).first()
    if entry is None:
        raise NotFound("知识条目不存在或无权查看")
    return entry


def entries_list(
    *, viewer: User | None, library: str | None = None, status: str | None = None, unit: Unit | None = None
) -> QuerySet[KnowledgeEntry]:
    entries = entries_visible_to(viewer).select_related("unit", "category")
    if library:
        entries = entries.filter(library=library)
    if status:
        entries = entries.filter(status=status)
    if unit is not None:
        entries = entries.filter(unit=unit)
    return entries.order_by("-updated_at", "-id")


def entries_recent(
    *,
    viewer: User | None,
    library: str,
    statuses: Sequence[str],
    category: Category | None = None,
    valid_on: date | None = None,
) -> QuerySet[KnowledgeEntry]:
    """The latest entries of `library` under the search's filters (a browse without words):
    category subtree, and validity covering `valid_on` (open bounds count)."""
    entries = entries_list(viewer=viewer, library=library).filter(status__in=list(statuses))
    if category is not None:
        entries = entries.filter(category__path__startswith=category.path)
    if valid_on is not None:
        entries = entries.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_on))
        entries = entries.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_on))
    return entries


def entries_for_review(viewer: User | None) -> QuerySet[KnowledgeEntry]:
    """The editors' queue: entries waiting in review, oldest first. Empty for everyone else."""
    if viewer is not None and not can_publish_knowledge(viewer):
        return KnowledgeEntry.objects.none()
    return KnowledgeEntry.objects.filter(status=EntryStatus.REVIEW).select_related("created_by").order_by("updated_at")


def entries_unpublished_by(author: User) -> QuerySet[KnowledgeEntry]:
    """The author's own drafts and entries in review, newest first: search shows only published
    entries, so this is where an author finds work not yet published (or sent back)."""
    return (
        entries_visible_to(author)
        .filter(created_by=author, status__in=(EntryStatus.DRAFT, EntryStatus.REVIEW))
        .order_by("-updated_at", "-pk")
    )


def entries_expiring(viewer: User | None, within_days: int = 30) -> QuerySet[KnowledgeEntry]:
    """Published entries whose last valid day falls within the next `within_days` days."""
    today = timezone.localdate()
    return (
        entries_visible_to(viewer)
        .filter(status=EntryStatus.PUBLISHED, valid_to__gte=today, valid_to__lte=today + timedelta(days=within_days))
        .order_by("valid_to", "pk")
    )


def entry_versions(entry: KnowledgeEntry) -> QuerySet[EntryVersion]:
    return EntryVersion.objects.filter(entry=entry).select_related("changed_by").order_by("-number")


def value_display(kind: Kind, value: Any) -> str:
    """A snapshot value as people read it."""
    if value is None or value == "" or value == []:
        return ""
    if kind == Kind.BOOL:
        return "是" if value else "否"
    if kind in (Kind.UNIT, Kind.CATEGORY):
        return str(value.get("name", "")) if isinstance(value, dict) else str(value)
    if kind == Kind.TAGS:
        return "、".join(str(tag) for tag in value)
    if kind == Kind.CONTACTS:
        return "；".join(contact_display(c) for c in value if isinstance(c, dict))
    return str(value)


def contact_display(contact: dict[str, Any]) -> str:
    """姓名/职务/电话 (mobile and email appended when present), the format of the Excel files too."""
    parts = [str(contact.get(key) or "") for key in ("name", "role", "phone")]
    extra = [f"{CONTACT_LABELS[key]}:{contact[key]}" for key in CONTACT_KEYS[3:] if contact.get(key)]
    return "/".join(parts + extra)


def text_diff_html(old: str, new: str) -> str:
    """`old` → `new` as escaped HTML, deleted runs in <del> and inserted ones in <ins>.

    Compared character by character, which suits Chinese text (no spaces between words); very long
    texts are compared line by line first so that the cost stays bounded."""
    if len(old) + len(new) > 20000:
        old_units: list[str] = old.splitlines(keepends=True)
        new_units: list[str] = new.splitlines(keepends=True)
    else:
        old_units, new_units = list(old), list(new)
    matcher = difflib.SequenceMatcher(None, old_units, new_units, autojunk=False)
    out: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = escape("".join(old_units[a1:a2])), escape("".join(new_units[b1:b2]))
        if op == "equal":
            out.append(removed)
            continue
        if removed:
            out.append(f"<del>{removed}</del>")
        if added:
            out.append(f"<ins>{added}</ins>")
    return "".join(out)


def snapshots_diff(library: str, old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    for field in library_spec(library).fields:
        before, after = old.get(field.name), new.get(field.name)
        if _comparable(before) == _comparable(after):
            continue
        old_text, new_text = value_display(field.kind, before), value_display(field.kind, after)
        long = max(len(old_text), len(new_text)) > LONG_TEXT or "\n" in old_text + new_text
        html = text_diff_html(old_text, new_text) if long else ""
        diffs.append(FieldDiff(name=field.name, label=field.label, old=old_text, new=new_text, diff_html=html))
    return diffs


def _comparable(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


def version_diff(entry: KnowledgeEntry, from_number: int, to_number: int) -> list[FieldDiff]:
    """What changed between two versions of `entry`, field by field, in the library's order."""
    found = {
        v.number: v.snapshot for v in EntryVersion.objects.filter(entry=entry, number__in=[from_number, to_number])
    }
    missing = [n for n in (from_number, to_number) if n not in found]
    if missing:
        raise NotFound(f"版本不存在：第 {missing[0]} 版")
    return snapshots_diff(entry.library, found[from_number], found[to_number])
