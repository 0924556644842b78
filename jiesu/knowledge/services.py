"""Writing knowledge entries: create, edit, and move them through draft → review → published → expired.

Every write runs in one transaction that (1) changes the entry with a conditional UPDATE on its
`version` (optimistic lock: two editors never overwrite each other silently), (2) appends the
next `EntryVersion` snapshot, (3) refreshes the entry's search postings and (4) appends an audit
line, last, as `audit_record` asks.

Editing rules: a knowledge editor may edit an entry in any status and the status stays as it is
(a published text corrected by an editor stays published, with a new version); anyone else who
may draft edits only their own drafts, so a published text never changes without an editor.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.libraries import CONTENT_FIELDS, entry_fields_clean, library_spec
from jiesu.knowledge.models import EntryVersion, KnowledgeEntry
from jiesu.knowledge.permissions import can_draft_knowledge, can_edit_entry, can_publish_knowledge
from jiesu.knowledge.search.index import entry_reindex
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role


class Action(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    EXPIRE = "expire"


ACTION_LABELS = {Action.SUBMIT: "提交审核", Action.PUBLISH: "发布", Action.REJECT: "退回", Action.EXPIRE: "设为失效"}
S = EntryStatus
# Every legal status change, in one table: (status, action) → new status.
TRANSITIONS: dict[tuple[str, Action], EntryStatus] = {
    (S.DRAFT, Action.SUBMIT): S.REVIEW,
    (S.DRAFT, Action.PUBLISH): S.PUBLISHED,
    (S.REVIEW, Action.PUBLISH): S.PUBLISHED,
    (S.REVIEW, Action.REJECT): S.DRAFT,
    (S.PUBLISHED, Action.EXPIRE): S.EXPIRED,
}
EDITOR_ACTIONS = frozenset({Action.PUBLISH, Action.REJECT, Action.EXPIRE})
REASON_MAX = 255


def snapshot_value(name: str, value: Any) -> Any:
    """A column value as JSON: dates as ISO text, units and categories as id and name."""
    if isinstance(value, date):
        return value.isoformat()
    if name in ("unit", "category"):
        return None if value is None else {"id": value.pk, "name": str(value)}
    return value


def entry_snapshot(entry: KnowledgeEntry) -> dict[str, Any]:
    names = ("library", *CONTENT_FIELDS)
    return {name: snapshot_value(name, getattr(entry, name)) for name in names}


def _record(
    *, entry: KnowledgeEntry, actor: User | None, action: str, note: str = "", detail: dict[str, Any] | None = None
) -> EntryVersion:
    """The version, the postings and the audit line of a change already saved on `entry`."""
    version = EntryVersion.objects.create(
        entry=entry,
        number=entry.version,
        status=entry.status,
        snapshot=entry_snapshot(entry),
        changed_by=actor,
        changed_at=entry.updated_at,
        note=note[:REASON_MAX],
    )
    entry_reindex(entry)
    audit_record(
        actor=actor,
        action=f"knowledge.{action}",
        obj=entry,
        detail={"library": entry.library, "version": entry.version, "status": entry.status, **(detail or {})},
    )
    return version


def _save(entry: KnowledgeEntry, *, expected_version: int, actor: User | None, values: dict[str, Any]) -> None:
    """Write `values` only if the entry is still at `expected_version` (a conditional UPDATE, which
    also works on SQLite where row locks do not exist)."""
    now = timezone.now()
    changed = KnowledgeEntry.objects.filter(pk=entry.pk, version=expected_version).update(
        **values, version=expected_version + 1, updated_by=actor, updated_at=now
    )
    if changed != 1:
        raise Conflict(f"条目“{entry.title}”已被他人修改，请刷新后重试", entry_id=entry.pk)
    entry.refresh_from_db()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@transaction.atomic
def entry_create(*, actor: User | None, library: str, **fields: Any) -> KnowledgeEntry:
    """A new draft in `library`; `actor` None is the system (demo data, imports run by operators)."""
    _require(actor is None or can_draft_knowledge(actor), "无权新建知识条目")
    cleaned = entry_fields_clean(library_spec(library).library, fields)
    entry = KnowledgeEntry.objects.create(
        library=library, status=EntryStatus.DRAFT, version=1, created_by=actor, updated_by=actor, **cleaned
    )
    _record(entry=entry, actor=actor, action="create")
    return entry


def _edit_refusal(entry: KnowledgeEntry, actor: User | None) -> str | None:
    if actor is None or can_edit_entry(actor, entry):
        return None
    if not can_draft_knowledge(actor):
        return "无权修改知识条目"
    if entry.status in (EntryStatus.PUBLISHED, EntryStatus.EXPIRED):
        return "已发布或已失效的条目只能由知识库编辑修改"
    if entry.status == EntryStatus.REVIEW:
        return "条目正在审核中，需由知识库编辑退回后才能修改"
    return "只能修改自己起草的条目"


@transaction.atomic
def entry_update(
    *, entry: KnowledgeEntry, actor: User | None, expected_version: int | None = None, **fields: Any
) -> KnowledgeEntry:
    """Change some columns of `entry`; the status stays. `expected_version` is the version the
    editor started from: when someone saved in between, the edit is refused (Conflict).

    Returns the entry; when nothing changed, no version is written."""
    if reason := _edit_refusal(entry, actor):
        raise PermissionDenied(reason)
    base = entry.version if expected_version is None else expected_version
    if base != entry.version:
        raise Conflict(
            f"条目“{entry.title}”已有更新的版本（第 {entry.version} 版，您编辑的是第 {base} 版），请刷新后重试",
            entry_id=entry.pk,
        )
    spec = library_spec(entry.library)
    current = {name: getattr(entry, name) for name in spec.names}
    cleaned = entry_fields_clean(entry.library, {**current, **fields})
    changed = {
        name: value
        for name, value in cleaned.items()
        if snapshot_value(name, current[name]) != snapshot_value(name, value)
    }
    if not changed:
        return entry
    _save(entry, expected_version=base, actor=actor, values=changed)
    _record(entry=entry, actor=actor, action="update", detail={"fields": sorted(changed)})
    return entry


def _transition(
    entry: KnowledgeEntry, *, action: Action, actor: User | None, note: str = "", extra: dict[str, Any] | None = None
) -> KnowledgeEntry:
    target = TRANSITIONS.get((entry.status, action))
    if target is None:
        raise Conflict(
            f"{EntryStatus(entry.status).label}的条目不能{ACTION_LABELS[action]}",
            entry_id=entry.pk,
            status=entry.status,
            action=str(action),
        )
    previous = entry.status
    _save(entry, expected_version=entry.version, actor=actor, values={"status": target, **(extra or {})})
    _record(entry=entry, actor=actor, action=str(action), note=note, detail={"from": previous})
    return entry


@transaction.atomic
def entry_submit(*, entry: KnowledgeEntry, actor: User | None) -> KnowledgeEntry:
    """Draft → review: the author (or an editor) asks an editor to check and publish it."""
    _require(actor is None or can_edit_entry(actor, entry), "只能提交自己起草的条目")
    return _transition(entry, action=Action.SUBMIT, actor=actor)


@transaction.atomic
def entry_publish(*, entry: KnowledgeEntry, actor: User | None, today: date | None = None) -> KnowledgeEntry:
    """Review (or a draft the editor wrote) → published; only knowledge editors publish."""
    _require(actor is None or can_publish_knowledge(actor), "只有知识库编辑可以发布知识条目")
    today = today or timezone.localdate()
    if entry.valid_to is not None and entry.valid_to < today:
        raise ValidationFailed("失效日期已过，请先修改失效日期再发布", field="valid_to")
    extra = {"published_at": timezone.now(), "published_by": actor}
    return _transition(entry, action=Action.PUBLISH, actor=actor, extra=extra)


@transaction.atomic
def entry_reject(*, entry: KnowledgeEntry, actor: User | None, reason: str) -> KnowledgeEntry:
    """Review → draft, with the editor's reason kept on the version for the author to read."""
    _require(actor is None or can_publish_knowledge(actor), "只有知识库编辑可以退回知识条目")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("请填写退回原因", field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"退回原因不能超过 {REASON_MAX} 个字", field="reason")
    entry = _transition(entry, action=Action.REJECT, actor=actor, note=reason)
    if entry.created_by is not None and entry.created_by != actor:
        # The author would otherwise not learn that the draft is back with them.
        notification_enqueue(
            recipients=[entry.created_by],
            subject=f"知识条目被退回：{entry.title}",
            body=f"退回原因：{reason}。请修改后重新提交审核。",
            link=_detail_link(entry),
            dedupe_key=f"knowledge-reject:{entry.pk}:{entry.version}",
        )
    return entry


@transaction.atomic
def entry_expire(*, entry: KnowledgeEntry, actor: User | None, reason: str = "") -> KnowledgeEntry:
    """Published → expired (kept for reference, no longer suggested as current)."""
    _require(actor is None or can_publish_knowledge(actor), "只有知识库编辑可以将知识条目设为失效")
    return _transition(entry, action=Action.EXPIRE, actor=actor, note=reason.strip())


def entries_expire_due(now: datetime | None = None) -> int:
    """Published entries whose last valid day (`valid_to`) lies before today become expired."""
    today = timezone.localdate(now or timezone.now())
    due = KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED, valid_to__lt=today).order_by("pk")
    done = 0
    for entry in due.iterator(chunk_size=200):
        try:
            entry_expire(entry=entry, actor=None, reason=f"已过失效日期 {entry.valid_to}")
        except Conflict:
            continue  # changed by an editor meanwhile; the next run sees its new state
        done += 1
    return done


def _editors() -> list[User]:
    return list(users_with_role(roles=[Role.KNOWLEDGE_EDITOR]))


def _detail_link(entry: KnowledgeEntry) -> str:
    try:
        return reverse("web:knowledge_detail", kwargs={"entry_id": entry.pk})
    except NoReverseMatch:
        return ""


def entries_remind_expiry(now: datetime | None = None, *, days_ahead: int = 30) -> int:
    """Tell the knowledge editors about published entries that expire within `days_ahead` days,
    once per expiry date: a new `valid_to` (the entry was extended) is reminded of again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    editors = _editors()
    if not editors:
        return 0  # nobody to tell: leave the entries unmarked so that a later run reminds them
    due = (
        KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED, valid_to__gte=today)
        .filter(valid_to__lte=today + timedelta(days=days_ahead))
        .exclude(expiry_reminded_for=F("valid_to"))
        .order_by("valid_to", "pk")
    )
    sent = 0
    for entry in due.iterator(chunk_size=200):
        with transaction.atomic():
            # Claimed by a conditional UPDATE so that two workers never remind twice.
            claimed = (
                KnowledgeEntry.objects.filter(pk=entry.pk, valid_to=entry.valid_to)
                .exclude(expiry_reminded_for=F("valid_to"))
                .update(expiry_reminded_for=entry.valid_to)
            )
            if claimed != 1 or entry.valid_to is None:
                continue
            days = (entry.valid_to - today).days
            notification_enqueue(
                recipients=editors,
                subject=f"知识条目即将失效：{entry.title}",
                body=f"{Library(entry.library).label}条目“{entry.title}”有效期至 {entry.valid_to}（还有 {days} 天），"
                "请确认是否需要更新内容或延长有效期。",
                link=_detail_link(entry),
                dedupe_key=f"knowledge-expiry:{entry.pk}:{entry.valid_to.isoformat()}",
                now=now,
            )
        sent += 1
    return sent
