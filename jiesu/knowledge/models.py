"""The knowledge base: five libraries in one table, so that one search covers them all.

Columns that only some libraries use are nullable or blank; `jiesu.knowledge.libraries` says
which library uses which. Every saved change is also kept as a numbered `EntryVersion`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.knowledge.choices import EntryStatus, IndexField, Library


class KnowledgeEntry(BaseModel):
    library = models.CharField("所属库", max_length=32, choices=Library.choices)
    status = models.CharField("状态", max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    title = models.CharField("标题", max_length=255)
    # Policy: full text; standard answer: the agreed wording; sector issue: handling guidance;
    # responsibility list: the matter in detail; liaison directory: remarks.
    body = models.TextField("正文", blank=True)
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="问题分类"
    )
    tags = models.JSONField("标签", default=list, blank=True)
    # Liaison directory: the unit of the contacts; sector issue: the owner unit; responsibility
    # list: the responsible unit.
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    # Policy
    document_number = models.CharField("文号", max_length=128, blank=True)
    issuing_body = models.CharField("发文机关", max_length=255, blank=True)
    issued_on = models.DateField("发布日期", null=True, blank=True)
    # Validity (policy: effect / expiry; any entry may carry one)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    # Standard answers: the question the wording answers, and a phone script
    question = models.CharField("问题", max_length=500, blank=True)
    script = models.TextField("话术", blank=True)
    # Sector issue list
    excludable = models.BooleanField("可申请剔除", null=True, blank=True)
    # Responsibility list
    legal_basis = models.TextField("法定依据", blank=True)
    # Liaison directory: [{"name", "role", "phone", "mobile", "email"}]; phones are work numbers
    contacts = models.JSONField("联系人", default=list, blank=True)
    duty_phone = models.CharField("值班电话", max_length=64, blank=True)
    wecom_group = models.CharField("企业微信群", max_length=255, blank=True)

    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="修改人"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expiry_reminded_for = models.DateField(null=True, blank=True, editable=False)  # valid_to already reminded of
    indexed_length = models.PositiveIntegerField(default=0, editable=False)  # terms indexed, for ranking

    class Meta:
        verbose_name = "知识条目"
        verbose_name_plural = "知识条目"
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["library", "status"], name="knowledge_library_status"),
            models.Index(fields=["valid_to"], name="knowledge_valid_to", condition=Q(status="published")),
            models.Index(fields=["unit", "library"], name="knowledge_unit_library"),
            # Covering: the search's filters and BM25 lengths without reading the entries.
            models.Index(
                fields=["status", "library", "id", "indexed_length", "category", "valid_from", "valid_to"],
                name="knowledge_search_filter",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="knowledge_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EntryVersion(models.Model):
    """One saved state of an entry (append-only): the history and the diffs between versions."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=EntryStatus.choices)
    snapshot: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["entry", "number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.number}"


class IndexTerm(models.Model):
    """One posting of the search index: a segmented term of an entry, how often it occurs there,
    and in which field. Our own index rather than FTS5 or tsvector, so that SQLite and PostgreSQL
    rank alike (see `jiesu.knowledge.search`)."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    field = models.CharField(max_length=8, choices=IndexField.choices)
    frequency = models.PositiveIntegerField()

    class Meta:
        # Covering: a query term's postings and their weights come from the index alone.
        indexes = [models.Index(fields=["term", "entry", "field", "frequency"], name="knowledge_term_posting")]
        constraints = [models.UniqueConstraint(fields=["entry", "field", "term"], name="knowledge_posting_unique")]

    def __str__(self) -> str:
        return self.term


class EntryAttachment(models.Model):
    """A file of an entry (a policy's PDF, a form, a scan). The bytes live in the ticket attachments'
    content-addressed store (`jiesu.tickets.services.attachments`), so backups carry them alike."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField("文件名", max_length=255)
    size_bytes = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=128, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "知识条目附件"
        verbose_name_plural = "知识条目附件"
        ordering = ["entry", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
