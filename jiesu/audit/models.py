from __future__ import annotations

import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiesu.audit.chain import GENESIS_HASH
from jiesu.core.errors import DomainError


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"


class AuditLogImmutable(DomainError):
    """Raised by any attempt to change or remove audit entries through the application."""

    code = "audit_immutable"
    status = 403
    default_message = "审计记录只能追加，不能修改或删除"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Refuses bulk changes: the only ways rows leave the table are the retention purge and SQL."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable

    def delete(self) -> NoReturn:
        raise AuditLogImmutable

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable


AuditEntryManager = models.Manager.from_queryset(AuditEntryQuerySet)


class AuditEntry(models.Model):
    """One line of the security audit trail (who did what to which object, from where).

    Append-only and separate from ticket events: this is what auditors read. Entries form an
    HMAC-SM3 chain in `sequence` order (jiesu.audit.chain); only `audit_record` writes them.
    """

    sequence = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryManager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_entry_object")]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return (
            f"#{self.sequence} {self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutable

    @property
    def detail_text(self) -> str:
        """The detail as readable JSON, for pages."""
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True) if self.detail else ""


class AuditChainHead(models.Model):
    """The single row (pk=1) that holds where the chain ends and where it starts.

    Appends lock this row, so two concurrent writers can never give out the same sequence. The
    tail (`last_*`) lets verification notice entries deleted from the end; the anchor is the last
    entry removed by the retention purge, so the remaining chain still starts from a known hash.
    """

    SINGLETON = 1

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    anchor_sequence = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    anchor_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链 {self.anchor_sequence + 1}–{self.last_sequence}"
