from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.fields import PhoneDigestField, SealedCharField
from jiesu.core.models import BaseModel
from jiesu.tickets.choices import (
    AssessmentScope,
    AssignmentRole,
    AttachmentKind,
    Channel,
    EventKind,
    Kind,
    Satisfaction,
    SectorAnswer,
    TicketStatus,
    Urgency,
)
from jiesu.tickets.conditions import CALLBACK_DUE, EXCLUSION_PENDING, EXTENSION_PENDING, SECTOR_PENDING


class Category(BaseModel):
    """A node of the appeal category tree (up to five levels), loaded from data."""

    code = models.CharField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    level = models.PositiveSmallIntegerField("层级")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    full_name = models.CharField("完整名称", max_length=512, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "问题分类"
        verbose_name_plural = "问题分类"
        ordering = ["path"]
        constraints = [models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="category_level_1_5")]

    def __str__(self) -> str:
        return self.full_name or self.name


class NumberSequence(models.Model):
    """Per-day counters for ticket numbers; incremented with a conditional UPDATE."""

    key = models.CharField(max_length=32, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Ticket(BaseModel):
    """One recorded appeal (诉求) and everything done about it."""

    number = models.CharField("工单编号", max_length=32, unique=True)
    source = models.CharField("来源平台", max_length=64, blank=True)
    external_number = models.CharField("外部工单编号", max_length=64, blank=True)
    channel = models.CharField("受理渠道", max_length=32, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField("受理时间", default=timezone.now)

    # Personal data, sealed with SM4 in the database (jiesu.core.fields, docs/personal-data.md); the
    # digest finds a ticket by phone number and is set on every save from requester_phone.
    requester_name = SealedCharField("诉求人", max_length=64, blank=True)
    requester_phone = SealedCharField("联系电话", max_length=32, blank=True)
    requester_id_number = SealedCharField("证件号码", max_length=32, blank=True)
    requester_phone_digest = PhoneDigestField("联系电话检索摘要", source="requester_phone", db_default="")
    requester_confidential = models.BooleanField("要求保密", default=False)

    kind = models.CharField("诉求类型", max_length=32, choices=Kind.choices, default=Kind.OTHER)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    is_complex = models.BooleanField("复杂疑难", default=False)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容", blank=True)
    address = models.CharField("发生地址", max_length=300, blank=True)
    # Foreign keys led by a composite index in Meta, or never filtered on, get no index of their
    # own: every index costs time on each of the hundreds of thousands of rows an import writes.
    district = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属区",
        db_index=False,
    )
    township = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="所属街乡镇"
    )
    community = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="所属社区村"
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="问题分类",
        db_index=False,
    )
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_tickets",
        verbose_name="主办单位",
        db_index=False,
    )

    status = models.CharField(
        "状态", max_length=32, choices=TicketStatus.choices, default=TicketStatus.RECEIVED, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Deadlines, one per stage; computed when the stage starts (jiesu.sla) and stored.
    acknowledge_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    first_contact_due_at = models.DateTimeField("首次联系时限", null=True, blank=True)
    dispatch_due_at = models.DateTimeField("派单时限", null=True, blank=True)
    unit_acknowledge_due_at = models.DateTimeField("单位签收时限", null=True, blank=True)
    reply_due_at = models.DateTimeField("反馈时限", null=True, blank=True)
    callback_due_at = models.DateTimeField("回访时限", null=True, blank=True)

    # Facts, each set by the event that makes it true; KPIs read these and the events.
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    first_contacted_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    unit_acknowledged_at = models.DateTimeField("单位签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reply_text = models.TextField("办理结果", blank=True)
    is_direct_answer = models.BooleanField("直接办复", default=False)
    return_count = models.PositiveIntegerField("退单次数", default=0)
    rework_count = models.PositiveIntegerField("二次办理次数", default=0)
    suspended_at = models.DateTimeField("挂起时间", null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField("累计挂起秒数", default=0)
    paused_working_minutes = models.PositiveIntegerField("累计挂起工作分钟数", default=0, db_default=0)
    # Per stage: the limit behind the stored deadline, when its stage started, the pauses it
    # absorbed, whether an extension replaced it (jiesu.tickets.services.deadlines). Makes
    # deadlines explainable and lets them be recomputed after a calendar edit.
    deadline_rules = models.JSONField("时限依据", default=dict, blank=True, db_default={}, encoder=DjangoJSONEncoder)

    # Pending requests (guards of the workflow table).
    extension_pending = models.BooleanField(default=False)
    extension_requested_until = models.DateTimeField(null=True, blank=True)
    exclusion_pending = models.BooleanField(default=False)
    sector_confirmation_pending = models.BooleanField(default=False)
    sector_pushed_at = models.DateTimeField("行业推送时间", null=True, blank=True)
    sector_confirmation_due_at = models.DateTimeField("行业确认时限", null=True, blank=True)
    sector_answer = models.CharField("行业确认结果", max_length=8, choices=SectorAnswer.choices, blank=True)

    # Latest callback, denormalised from Callback for lists and KPIs.
    callback_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_valid = models.BooleanField("有效回访", null=True, blank=True)
    callback_contacted = models.BooleanField("是否联系", null=True, blank=True)
    callback_resolved = models.BooleanField("是否解决", null=True, blank=True)
    callback_satisfaction = models.CharField("满意度", max_length=32, choices=Satisfaction.choices, blank=True)

    is_repeat = models.BooleanField("重复诉求", default=False)
    is_sensitive = models.BooleanField("敏感", default=False)
    is_monthly_topic = models.BooleanField("每月一题", default=False)
    assessment_scope = models.CharField(
        "考核范围", max_length=16, choices=AssessmentScope.choices, default=AssessmentScope.FULL
    )
    exclusion_reason_code = models.CharField("剔除原因", max_length=64, blank=True)
    is_unreasonable = models.BooleanField("不合理诉求", default=False, db_default=False)
    # Failed callback attempts since the ticket last closed: the due list sorts and warns by it.
    callback_attempts = models.PositiveSmallIntegerField("回访未成功次数", default=0, db_default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tickets", verbose_name="并入工单"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_number"], condition=~Q(external_number=""), name="ticket_external_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="ticket_kind_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="ticket_urgency_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_valid"),
            models.CheckConstraint(
                condition=Q(assessment_scope__in=AssessmentScope.values), name="ticket_assessment_scope_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="ticket_status_received"),
            models.Index(fields=["district", "-received_at"], name="ticket_district_received"),
            # Counts a district's tickets in some statuses from the index alone (the list's count).
            models.Index(fields=["status", "district"], name="ticket_status_district"),
            models.Index(fields=["lead_unit", "status"], name="ticket_lead_status"),
            models.Index(fields=["category", "-received_at"], name="ticket_category_received"),
            models.Index(fields=["-received_at"], name="ticket_received"),
            models.Index(fields=["closed_at"], name="ticket_closed"),
            models.Index(fields=["reply_due_at"], name="ticket_reply_due"),
            models.Index(fields=["requester_phone_digest"], name="ticket_phone_digest"),
            # Small slices of a table that is mostly closed history: the work queues and reminders
            # find them through these instead of reading every closed ticket (jiesu.tickets.conditions).
            models.Index(fields=["callback_due_at"], condition=CALLBACK_DUE, name="ticket_callback_due"),
            models.Index(fields=["received_at"], condition=EXCLUSION_PENDING, name="ticket_exclusion_pending"),
            models.Index(fields=["received_at"], condition=EXTENSION_PENDING, name="ticket_extension_pending"),
            models.Index(fields=["sector_confirmation_due_at"], condition=SECTOR_PENDING, name="ticket_sector_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketUnit(models.Model):
    """A unit handling a ticket: the lead (主办) or an assisting unit (协办)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="ticket_assignments")
    role = models.CharField(max_length=16, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "is_active"], name="ticketunit_unit_active")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.unit_id} {self.role}"


class TicketEvent(models.Model):
    """One immutable line of a ticket's timeline. Never updated or deleted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    from_status = models.CharField(max_length=32, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=TicketStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "occurred_at"], name="event_ticket_occurred"),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_occurred"),
        ]
        constraints = [models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("ticket events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("ticket events are append-only")


class Callback(models.Model):
    """One callback (回访) to the requester after closing; the raw answers, never scores."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="callbacks")
    event = models.OneToOneField(TicketEvent, on_delete=models.PROTECT, related_name="callback")
    called_at = models.DateTimeField()
    is_valid = models.BooleanField("有效回访", default=True)
    contacted = models.BooleanField("是否联系")
    resolved = models.BooleanField("是否解决")
    # Blank when the requester was never reached: an invalid callback has no verdict.
    satisfaction = models.CharField("满意度", max_length=32, choices=Satisfaction.choices, blank=True)
    note = models.TextField(blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["called_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.called_at:%Y-%m-%d}"


class Attachment(models.Model):
    """A file attached to a ticket, stored by its SHA-256 under ATTACHMENT_ROOT."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=128, blank=True)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.DOCUMENT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class ReplyElementScheme(BaseModel):
    """A version of the reply-element checklist (六要素): what a reply must account for, in force
    from `valid_from` until the day before the next version's `valid_from` (`valid_to`, set then)."""

    code = models.CharField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=128)
    valid_from = models.DateField("生效日期", db_index=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "反馈要素方案"
        verbose_name_plural = "反馈要素方案"
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="reply_scheme_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_from} 起）"


class ReplyElement(models.Model):
    """One item of a reply-element scheme, e.g. 办理过程; `required` ones must be ticked."""

    scheme = models.ForeignKey(ReplyElementScheme, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField("编码", max_length=64)
    label = models.CharField("名称", max_length=64)
    required = models.BooleanField("必填", default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Words and patterns that show the element in a reply's text (the reply check's highlights).
    cues = models.JSONField("识别线索", default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="reply_element_code_unique")]

    def __str__(self) -> str:
        return self.label


class SavedSearch(BaseModel):
    """A user's named ticket-list query (保存的查询): the list's filters as a URL query string."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches", db_index=False
    )
    name = models.CharField("名称", max_length=50)
    query = models.CharField("查询条件", max_length=2000, blank=True)

    class Meta:
        verbose_name = "保存的查询"
        verbose_name_plural = "保存的查询"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_search_owner_name_unique")]

    def __str__(self) -> str:
        return self.name


# Models that live in their own modules; imported here so that Django registers them.
from jiesu.tickets.models_assessment import CallbackAttempt, ExclusionReason, ExclusionRequest  # noqa: E402

__all__ = ["CallbackAttempt", "ExclusionReason", "ExclusionRequest"]
