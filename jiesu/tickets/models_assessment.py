"""Callback attempts and the assessment-scope requests (剔除 / 不合理诉求认定) of a ticket.

Kept apart from models.py, which holds the ticket itself; the models are registered through the
import at the end of models.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiesu.core.models import BaseModel
from jiesu.tickets.choices import AssessmentScope, CallbackOutcome, ExclusionDecision, ExclusionKind


class CallbackAttempt(models.Model):
    """One call placed to the requester for a callback; only a reached call carries answers
    (its `callback`). Failed attempts are counted against the callback rule's limit."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="callback_attempt_rows")
    event = models.OneToOneField(
        "tickets.TicketEvent", on_delete=models.PROTECT, related_name="callback_attempt", null=True, blank=True
    )
    attempted_at = models.DateTimeField("拨打时间")
    outcome = models.CharField("回访结果", max_length=32, choices=CallbackOutcome.choices)
    note = models.TextField("说明", blank=True)
    callback = models.OneToOneField(
        "tickets.Callback", on_delete=models.PROTECT, related_name="attempt", null=True, blank=True
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "回访拨打记录"
        verbose_name_plural = "回访拨打记录"
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["ticket", "attempted_at"], name="callback_attempt_ticket_at")]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=CallbackOutcome.values), name="callback_attempt_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.outcome} {self.attempted_at:%Y-%m-%d %H:%M}"


class ExclusionReason(BaseModel):
    """One line of the list of matters not assessed, or assessed for response only
    (《不计入考评或只考评响应率事项清单》), or of the grounds for an unreasonable appeal.

    Versioned by effective dates: a change is a new row with a later `effective_from`, so a
    request is always checked against the list in force when it was made."""

    kind = models.CharField("类别", max_length=16, choices=ExclusionKind.choices, default=ExclusionKind.EXCLUSION)
    code = models.SlugField("编码", max_length=64)
    label = models.CharField("名称", max_length=200)
    description = models.TextField("适用情形说明", blank=True)
    default_scope = models.CharField(
        "查是后的考核范围", max_length=16, choices=AssessmentScope.choices, default=AssessmentScope.EXCLUDED
    )
    # None: a request may be made at any time; otherwise within this many days of closing.
    request_within_days = models.PositiveSmallIntegerField("办结后申请期限（天）", null=True, blank=True)
    evidence_required = models.BooleanField("须上传佐证材料", default=False)
    position = models.PositiveSmallIntegerField("序号", default=0)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="不含当日；空表示长期有效")

    class Meta:
        verbose_name = "剔除原因"
        verbose_name_plural = "剔除原因"
        ordering = ["kind", "position", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "effective_from"], name="exclusion_reason_version"),
            models.CheckConstraint(condition=Q(kind__in=ExclusionKind.values), name="exclusion_reason_kind"),
            models.CheckConstraint(
                condition=Q(default_scope__in=[AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY]),
                name="exclusion_reason_scope",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
                name="exclusion_reason_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"


class ExclusionRequest(models.Model):
    """A unit's request to take a ticket out of assessment, or to have it designated an
    unreasonable appeal, and the center's decision (查是 / 查否). Evidence files are the
    attachments of `request_event`."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="exclusion_requests")
    kind = models.CharField("类别", max_length=16, choices=ExclusionKind.choices, default=ExclusionKind.EXCLUSION)
    reason_code = models.CharField("原因", max_length=64)
    scope = models.CharField("申请的考核范围", max_length=16, choices=AssessmentScope.choices)
    statement = models.TextField("申请说明", blank=True)
    submitted_at = models.DateTimeField("申请时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request_event = models.OneToOneField(
        "tickets.TicketEvent", on_delete=models.PROTECT, related_name="exclusion_request"
    )
    decision = models.CharField(
        "审核结果", max_length=16, choices=ExclusionDecision.choices, default=ExclusionDecision.PENDING
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decision_note = models.TextField("审核意见", blank=True)
    decision_event = models.OneToOneField(
        "tickets.TicketEvent",
        on_delete=models.PROTECT,
        related_name="exclusion_decision",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "剔除申请"
        verbose_name_plural = "剔除申请"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["decision", "submitted_at"], name="exclusion_request_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(decision=ExclusionDecision.PENDING),
                name="exclusion_request_one_pending",
            ),
            models.CheckConstraint(condition=Q(kind__in=ExclusionKind.values), name="exclusion_request_kind"),
            models.CheckConstraint(
                condition=Q(decision__in=ExclusionDecision.values), name="exclusion_request_decision"
            ),
            models.CheckConstraint(
                condition=Q(decision=ExclusionDecision.PENDING, decided_at__isnull=True)
                | (~Q(decision=ExclusionDecision.PENDING) & Q(decided_at__isnull=False)),
                name="exclusion_request_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.reason_code} {self.decision}"
