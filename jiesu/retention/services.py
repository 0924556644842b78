"""Retention writes: new policy versions, a system admin's deletion, and the purge run.

Every refusal is audited as well as every removal; a refused call writes its audit entry before it
raises, so callers must not wrap these services in a transaction they roll back on error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.retention.choices import PurgeTrigger, RecordClass, record_class_of
from jiesu.retention.errors import AttachmentAlreadyPurged, PolicyBelowFloor, RetentionNotReached
from jiesu.retention.files import purged_files_remove
from jiesu.retention.models import AttachmentPurge, RetentionPolicy
from jiesu.retention.selectors import (
    RetentionRule,
    attachment_purge_get,
    attachment_retention_status,
    attachments_due_for_purge,
    purged_message,
    retention_floor_days,
    retention_rules_in_force,
)
from jiesu.tickets.models import Attachment

POLICY_ACTION = "retention.policy_create"
DELETE_ACTION = "retention.delete"
PURGE_ACTION = "retention.purge"
PURGE_ATTACHMENT_ACTION = "retention.purge_attachment"
DEFAULT_BATCH = 200
T = TypeVar("T")


def _audited_refusal(check: Callable[[], T], *, actor: User | None, action: str, obj: Any, detail: dict[str, Any]) -> T:
    """Run `check`; a refusal is audited as a failure, then raised again."""
    try:
        return check()
    except DomainError as exc:
        audit_record(
            actor=actor,
            action=action,
            obj=obj,
            result=AuditResult.FAILURE,
            detail={**detail, "refused": exc.code, "message": exc.message},
        )
        raise


def _ensure_system_admin(actor: User | None, what: str) -> None:
    if actor is not None and not (actor.is_active and actor.has_role(Role.SYSTEM_ADMIN)):
        raise PermissionDenied(f"只有系统管理员可以{what}")


# --- Policies ---


def _check_policy(*, keep_days: int, effective_from: date, notice: str, actor: User | None) -> None:
    _ensure_system_admin(actor, "设定保存期限")
    floor = retention_floor_days()
    if keep_days < floor:
        raise PolicyBelowFloor(
            f"保存期限不能少于 {floor} 天"
            "（合同要求录音和文字记录至少保存 2 年；最短期限由 JIESU_RETENTION_MIN_DAYS 设定）",
            keep_days=keep_days,
            floor_days=floor,
        )
    if effective_from < timezone.localdate():
        raise ValidationFailed("生效日期不能早于今天：已执行的保存期限不能追溯修改", field="effective_from")
    if not notice.strip():
        raise ValidationFailed("请填写依据与说明（如合同条款或主管部门通知）", field="notice")


def retention_policy_create(
    *, record_class: RecordClass, keep_days: int, effective_from: date, notice: str, actor: User | None
) -> RetentionPolicy:
    """A new version of the policy of `record_class`, in force from `effective_from` on."""
    detail = {"record_class": str(record_class), "keep_days": keep_days, "effective_from": effective_from}
    _audited_refusal(
        lambda: _check_policy(keep_days=keep_days, effective_from=effective_from, notice=notice, actor=actor),
        actor=actor,
        action=POLICY_ACTION,
        obj=None,
        detail=detail,
    )
    try:
        with transaction.atomic():
            policy = RetentionPolicy.objects.create(
                record_class=record_class,
                keep_days=keep_days,
                effective_from=effective_from,
                notice=notice.strip(),
                created_by=actor,
            )
            audit_record(actor=actor, action=POLICY_ACTION, obj=policy, detail={**detail, "notice": policy.notice})
    except IntegrityError as exc:
        raise ValidationFailed(
            f"{record_class.label}在 {effective_from} 已有保存期限策略", field="effective_from"
        ) from exc
    return policy


# --- Deletion on request ---


def _purge_record(
    attachment: Attachment, *, rule: RetentionRule, started_at: datetime, trigger: PurgeTrigger, **extra: Any
) -> AttachmentPurge:
    assert rule.policy is not None and rule.keep_days is not None  # callers only purge under a policy
    return AttachmentPurge.objects.create(
        attachment=attachment,
        record_class=rule.record_class,
        trigger=trigger,
        policy=rule.policy,
        keep_days=rule.keep_days,
        retention_started_at=started_at,
        sha256=attachment.sha256,
        size_bytes=attachment.size_bytes,
        **extra,
    )


def _check_delete(attachment: Attachment, *, actor: User, reason: str, now: datetime) -> datetime:
    """The moment retention started, if `actor` may delete `attachment` now."""
    _ensure_system_admin(actor, "删除附件")
    if not reason.strip():
        raise ValidationFailed("请填写删除原因", field="reason")
    purge = attachment_purge_get(attachment=attachment)
    if purge is not None:
        raise AttachmentAlreadyPurged(purged_message(purge))
    status = attachment_retention_status(attachment=attachment, now=now)
    label = status.rule.record_class.label
    if status.rule.keep_days is None:
        raise RetentionNotReached(f"{label}未配置保存期限策略，不能删除")
    if status.started_at is None:
        raise RetentionNotReached(
            f"工单尚未办结：{label}须在工单办结后保存满 {status.rule.keep_days} 天方可删除",
            keep_days=status.rule.keep_days,
        )
    earliest = status.earliest_removal_at
    if earliest is None or earliest > now:
        day = timezone.localtime(earliest or now).strftime("%Y-%m-%d")
        raise RetentionNotReached(
            f"{label}须保存 {status.rule.keep_days} 天，最早可于 {day} 删除",
            earliest_allowed_at=earliest,
            keep_days=status.rule.keep_days,
        )
    return status.started_at


def attachment_delete(*, attachment: Attachment, actor: User, reason: str) -> AttachmentPurge:
    """Remove an attachment's file at a system admin's request; refused before the retention
    period of its class has run out. The attachment row stays, with its purge record."""
    now = timezone.now()
    detail = {
        "ticket": attachment.ticket.number,
        "reason": reason,
        "record_class": str(record_class_of(attachment.kind)),
    }
    started_at = _audited_refusal(
        lambda: _check_delete(attachment, actor=actor, reason=reason, now=now),
        actor=actor,
        action=DELETE_ACTION,
        obj=attachment,
        detail=detail,
    )
    rule = retention_rules_in_force(at=now)[record_class_of(attachment.kind)]
    with transaction.atomic():
        purge = _purge_record(
            attachment,
            rule=rule,
            started_at=started_at,
            trigger=PurgeTrigger.REQUEST,
            purged_at=now,
            purged_by=actor,
            reason=reason.strip(),
        )
        audit_record(
            actor=actor,
            action=DELETE_ACTION,
            obj=attachment,
            detail={**detail, "sha256": attachment.sha256, "keep_days": rule.keep_days, "policy": purge.policy_id},
        )
    purged_files_remove(sha256s=[attachment.sha256], now=now)
    purge.refresh_from_db(fields=["file_removed_at"])
    return purge


# --- The purge run ---


@dataclass
class PurgeReport:
    purged: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    files_removed: int = 0
    files_still_needed: int = 0
    batches: int = 0

    def as_detail(self) -> dict[str, Any]:
        return {
            "purged": self.purged,
            "by_class": dict(sorted(self.by_class.items())),
            "files_removed": self.files_removed,
            "files_still_needed": self.files_still_needed,
            "batches": self.batches,
        }


def _purge_batch(*, now: datetime, rules: dict[RecordClass, RetentionRule], batch: int) -> list[AttachmentPurge]:
    with transaction.atomic():
        # Locking the ticket too means a concurrent rework waits for this batch or is skipped by it.
        due = (
            attachments_due_for_purge(now=now, rules=rules)
            .select_related("ticket")
            .select_for_update(skip_locked=True, of=("self", "ticket"))[:batch]
        )
        records = []
        for attachment in due:
            rule = rules[record_class_of(attachment.kind)]
            started_at = max(attachment.uploaded_at, attachment.ticket_ended_at)  # type: ignore[attr-defined]
            record = _purge_record(
                attachment, rule=rule, started_at=started_at, trigger=PurgeTrigger.POLICY, purged_at=now
            )
            # One entry per file as well as the run's summary: "what became of attachment N" is
            # then one indexed lookup in the tamper-evident trail, not a search through run details.
            audit_record(
                actor=None,
                action=PURGE_ATTACHMENT_ACTION,
                obj=attachment,
                detail={
                    "ticket": attachment.ticket.number,
                    "record_class": record.record_class,
                    "sha256": record.sha256,
                    "keep_days": record.keep_days,
                    "policy": record.policy_id,
                    "retention_started_at": started_at,
                },
            )
            records.append(record)
        return records


def retention_purge(now: datetime | None = None, *, batch: int = DEFAULT_BATCH) -> PurgeReport:
    """Purge every attachment whose retention has run out, `batch` per transaction, then remove
    the files nothing needs any more. Running it again finds nothing new: it is idempotent."""
    now = now or timezone.now()
    rules = retention_rules_in_force(at=now)
    report = PurgeReport()
    while True:
        records = _purge_batch(now=now, rules=rules, batch=batch)
        if not records:
            break
        report.batches += 1
        report.purged += len(records)
        report.by_class.update(r.record_class for r in records)
        files = purged_files_remove(sha256s={r.sha256 for r in records}, now=now)
        report.files_removed += files.removed
    # Also retries removals left pending by a crash, or by a younger attachment purged since.
    files = purged_files_remove(now=now)
    report.files_removed += files.removed
    report.files_still_needed = files.still_needed
    audit_record(
        actor=None,
        action=PURGE_ACTION,
        detail={
            **report.as_detail(),
            "now": now,
            "rules": {str(c): r.keep_days for c, r in rules.items()},
        },
    )
    return report
