"""Retention policies (versioned rows with effective dates) and the record of purged attachments.

The retention state lives here, not on the ticket tables: an attachment that was purged keeps its
row (the ticket's history still says a file existed), and its `AttachmentPurge` says when, why and
under which policy the file went.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.retention.choices import PurgeTrigger, RecordClass
from jiesu.retention.errors import PolicyImmutable


class RetentionPolicy(models.Model):
    """How long one class of records is kept, from `effective_from` on. Never edited: a change is a
    new version with a later date, so the policy behind every past purge stays on record."""

    record_class = models.CharField("记录类别", max_length=16, choices=RecordClass.choices)
    keep_days = models.PositiveIntegerField("保存期限（天）", default=730)
    effective_from = models.DateField("生效日期")
    notice = models.TextField("依据与说明", help_text="如合同条款、主管部门通知")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="设定人",
    )
    created_at = models.DateTimeField("设定时间", default=timezone.now)

    class Meta:
        verbose_name = "保存期限策略"
        verbose_name_plural = "保存期限策略"
        ordering = ["record_class", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["record_class", "effective_from"], name="retention_policy_class_day"),
            models.CheckConstraint(condition=Q(record_class__in=RecordClass.values), name="retention_policy_class"),
            models.CheckConstraint(condition=Q(keep_days__gte=1), name="retention_policy_keep_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_class_display()}保存 {self.keep_days} 天（{self.effective_from} 起）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PolicyImmutable
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PolicyImmutable


class AttachmentPurge(models.Model):
    """An attachment whose file was removed, by the policy or by a system admin's request.

    `file_removed_at` stays empty while the same content is still needed by an attachment that
    has not been purged (files are stored once per SHA-256), and is set once the file is gone.
    """

    attachment = models.OneToOneField(
        "tickets.Attachment", on_delete=models.PROTECT, related_name="retention_purge", verbose_name="附件"
    )
    record_class = models.CharField("记录类别", max_length=16, choices=RecordClass.choices)
    trigger = models.CharField("方式", max_length=16, choices=PurgeTrigger.choices)
    policy = models.ForeignKey(
        RetentionPolicy, on_delete=models.PROTECT, related_name="purges", verbose_name="所依据的策略"
    )
    keep_days = models.PositiveIntegerField("适用的保存期限（天）")
    retention_started_at = models.DateTimeField("保存期起算时间")
    purged_at = models.DateTimeField("清理时间", default=timezone.now)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("删除原因", blank=True)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    size_bytes = models.PositiveBigIntegerField("文件大小")
    file_removed_at = models.DateTimeField("文件删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "附件清理记录"
        verbose_name_plural = "附件清理记录"
        constraints = [
            models.CheckConstraint(condition=Q(record_class__in=RecordClass.values), name="attachment_purge_class"),
            models.CheckConstraint(condition=Q(trigger__in=PurgeTrigger.values), name="attachment_purge_trigger"),
        ]
        indexes = [
            models.Index(
                fields=["sha256"], condition=Q(file_removed_at__isnull=True), name="attachment_purge_file_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"附件 {self.attachment_id} 于 {self.purged_at:%Y-%m-%d} 清理"
