"""Reads with the retention rules: the policy in force, when an attachment may go, what is due.

Retention counts from the later of the upload and the end of the ticket (its last event, once the
ticket is closed, returned to the city platform or merged). A ticket still being handled — or
reopened for rework — keeps all its files, whatever their age. See docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jiesu.retention.choices import PurgeTrigger, RecordClass, record_class_condition, record_class_of
from jiesu.retention.errors import AttachmentFileMissing, AttachmentPurged
from jiesu.retention.models import AttachmentPurge, RetentionPolicy
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Attachment, Ticket, TicketEvent
from jiesu.tickets.services.attachments import attachment_path

# Statuses after which nothing more is done with a ticket (a rework leaves CLOSED again).
FINISHED_STATUSES = (TicketStatus.CLOSED, TicketStatus.RETURNED_TO_CITY, TicketStatus.MERGED)
DEFAULT_FLOOR_DAYS = 730


def retention_floor_days() -> int:
    """JIESU_RETENTION_MIN_DAYS: no policy may keep records for less (default: 2 years)."""
    days = int(getattr(settings, "JIESU_RETENTION_MIN_DAYS", DEFAULT_FLOOR_DAYS))
    if days < 1:
        raise ImproperlyConfigured(f"JIESU_RETENTION_MIN_DAYS 必须是正整数，当前为 {days}")
    return days


@dataclass(frozen=True)
class RetentionRule:
    """The policy of one record class in force at a moment, and the days it means in effect:
    never fewer than the floor, even for a policy set before the floor was raised."""

    record_class: RecordClass
    policy: RetentionPolicy | None
    keep_days: int | None

    @property
    def keep_days_text(self) -> str:
        return "未配置策略，不清理" if self.keep_days is None else f"{self.keep_days} 天"


def retention_policy_in_force(*, record_class: str, on: date) -> RetentionPolicy | None:
    return (
        RetentionPolicy.objects.filter(record_class=record_class, effective_from__lte=on)
        .select_related("created_by")
        .order_by("-effective_from", "-id")
        .first()
    )


def retention_rules_in_force(*, at: datetime | None = None) -> dict[RecordClass, RetentionRule]:
    on = timezone.localdate(at or timezone.now())
    floor = retention_floor_days()
    rules = {}
    for record_class in RecordClass:
        policy = retention_policy_in_force(record_class=record_class, on=on)
        keep = None if policy is None else max(policy.keep_days, floor)
        rules[record_class] = RetentionRule(record_class=record_class, policy=policy, keep_days=keep)
    return rules


def retention_policies_scheduled(*, at: datetime | None = None) -> QuerySet[RetentionPolicy]:
    """Versions that take effect after today."""
    on = timezone.localdate(at or timezone.now())
    return RetentionPolicy.objects.filter(effective_from__gt=on).order_by("effective_from", "record_class")


def _ticket_last_event_at() -> Subquery:
    last = TicketEvent.objects.filter(ticket=OuterRef("ticket")).order_by("-occurred_at").values("occurred_at")[:1]
    return Subquery(last)


def attachments_with_retention_start() -> QuerySet[Attachment]:
    """Unpurged attachments of finished tickets, annotated with `ticket_ended_at`."""
    return Attachment.objects.filter(retention_purge__isnull=True, ticket__status__in=FINISHED_STATUSES).annotate(
        ticket_ended_at=_ticket_last_event_at()
    )


def attachments_due_for_purge(
    *, now: datetime, rules: dict[RecordClass, RetentionRule] | None = None
) -> QuerySet[Attachment]:
    """Attachments whose retention has run out at `now`, oldest first. A class without a policy
    is never purged: removing records takes an explicit rule."""
    rules = rules or retention_rules_in_force(at=now)
    condition = Q()
    for rule in rules.values():
        if rule.keep_days is None:
            continue
        cutoff = now - timedelta(days=rule.keep_days)
        condition |= record_class_condition(rule.record_class) & Q(uploaded_at__lte=cutoff, ticket_ended_at__lte=cutoff)
    if not condition:
        return Attachment.objects.none()
    return attachments_with_retention_start().filter(condition).order_by("uploaded_at", "id")


@dataclass(frozen=True)
class RetentionStatus:
    """Where one attachment stands: when its retention started (None while the ticket is open)
    and the first moment it may be removed."""

    rule: RetentionRule
    started_at: datetime | None

    @property
    def earliest_removal_at(self) -> datetime | None:
        if self.started_at is None or self.rule.keep_days is None:
            return None
        return self.started_at + timedelta(days=self.rule.keep_days)

    def is_due(self, now: datetime) -> bool:
        earliest = self.earliest_removal_at
        return earliest is not None and earliest <= now


def attachment_retention_status(*, attachment: Attachment, now: datetime) -> RetentionStatus:
    rule = retention_rules_in_force(at=now)[record_class_of(attachment.kind)]
    finished = Ticket.objects.filter(pk=attachment.ticket_id, status__in=FINISHED_STATUSES).exists()
    last_event = TicketEvent.objects.filter(ticket_id=attachment.ticket_id).order_by("-occurred_at")
    ended_at = last_event.values_list("occurred_at", flat=True).first() if finished else None
    started = None if ended_at is None else max(attachment.uploaded_at, ended_at)
    return RetentionStatus(rule=rule, started_at=started)


def attachment_purge_get(*, attachment: Attachment) -> AttachmentPurge | None:
    return AttachmentPurge.objects.filter(attachment=attachment).first()


def purged_message(purge: AttachmentPurge) -> str:
    when = timezone.localtime(purge.purged_at).strftime("%Y-%m-%d")
    how = f"按保存期限（{purge.keep_days} 天）清理" if purge.trigger == PurgeTrigger.POLICY else "由系统管理员删除"
    return f"附件「{purge.attachment.original_name}」已于 {when} {how}，文件不可再下载；工单中仍保留其名称和摘要"


def attachment_file_for_download(*, attachment: Attachment) -> Path:
    """The stored file of an attachment the caller may already see; a purged one is refused with
    a message that says so, rather than looking like a broken link."""
    purge = attachment_purge_get(attachment=attachment)
    if purge is not None:
        raise AttachmentPurged(purged_message(purge), purged_at=purge.purged_at.isoformat())
    path = attachment_path(attachment.sha256)
    if not path.is_file():
        raise AttachmentFileMissing(f"附件「{attachment.original_name}」的文件不存在，请联系系统管理员")
    return path
