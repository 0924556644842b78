"""The reminder ladder (versioned with the time-limit rule sets) and the record of what fired."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from jiesu.core.models import BaseModel
from jiesu.notify.choices import DeliveryChannel
from jiesu.reminders.choices import RecipientRole, ReminderStage
from jiesu.sla.models import TimeLimitRuleSet

MIN_REPEAT_MINUTES = 10


def default_channels() -> list[str]:
    return [DeliveryChannel.INAPP.value]


def minutes_text(minutes: int) -> str:
    """2880 → "2 天", 90 → "1 小时 30 分钟"."""
    days, rest = divmod(abs(minutes), 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} 天" if days else "", f"{hours} 小时" if hours else "", f"{mins} 分钟" if mins else ""]
    return " ".join(p for p in parts if p) or "0 分钟"


class ReminderStep(BaseModel):
    """One rung of the ladder of a rule set: when (relative to a stage's deadline) to remind whom,
    on which channels. A step may repeat after its first moment, e.g. every 4 hours once overdue."""

    rule_set = models.ForeignKey(
        TimeLimitRuleSet, on_delete=models.CASCADE, related_name="reminder_steps", verbose_name="时限规则集"
    )
    stage = models.CharField("环节", max_length=32, choices=ReminderStage.choices)
    offset_minutes = models.IntegerField(
        "相对时限（分钟）", help_text="负数为到期前，0 为到期时，正数为超期后；如 -2880 即到期前 2 天"
    )
    repeat_every_minutes = models.PositiveIntegerField(
        "重复间隔（分钟）",
        null=True,
        blank=True,
        help_text="留空只提醒一次；如 240 即此后每 4 小时提醒一次，直到该环节完成",
    )
    recipient_role = models.CharField("提醒对象", max_length=32, choices=RecipientRole.choices)
    channels = models.JSONField("通道", default=default_channels, help_text='如 ["inapp", "email", "wecom", "sms"]')
    urgent = models.BooleanField("紧急", default=False, help_text="紧急提醒不受免打扰时段限制；紧急工单的提醒总是紧急")
    is_active = models.BooleanField("启用", default=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "提醒与升级步骤"
        verbose_name_plural = "提醒与升级步骤"
        ordering = ["rule_set", "stage", "offset_minutes", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=ReminderStage.values), name="reminder_step_stage_valid"),
            models.CheckConstraint(
                condition=Q(recipient_role__in=RecipientRole.values), name="reminder_step_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_minutes__isnull=True) | Q(repeat_every_minutes__gte=MIN_REPEAT_MINUTES),
                name="reminder_step_repeat_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}{self.moment_text} · {self.get_recipient_role_display()}"

    @property
    def moment_text(self) -> str:
        if self.offset_minutes < 0:
            text = f"到期前 {minutes_text(self.offset_minutes)}"
        elif self.offset_minutes == 0:
            text = "到期时"
        else:
            text = f"超期 {minutes_text(self.offset_minutes)}后"
        if self.repeat_every_minutes:
            text += f"，此后每 {minutes_text(self.repeat_every_minutes)}"
        return text

    def clean(self) -> None:
        channels = self.channels
        if not isinstance(channels, list) or not channels or not all(c in DeliveryChannel.values for c in channels):
            allowed = "、".join(DeliveryChannel.values)
            raise ValidationError({"channels": f"请填写通道列表，可选：{allowed}"})
        if self.repeat_every_minutes is not None and self.repeat_every_minutes < MIN_REPEAT_MINUTES:
            raise ValidationError({"repeat_every_minutes": f"重复间隔不能少于 {MIN_REPEAT_MINUTES} 分钟"})


class ReminderFiring(models.Model):
    """One occurrence of a step for one deadline of one ticket. Its uniqueness is what makes a
    reminder happen once, whatever restarts or second workers do; a moved deadline (extension,
    rework) is a new deadline and is reminded about afresh."""

    step = models.ForeignKey(ReminderStep, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="reminder_firings")
    due_at = models.DateTimeField("时限")
    occurrence = models.PositiveIntegerField("第几次", default=0)
    scheduled_at = models.DateTimeField("应提醒时间")
    fired_at = models.DateTimeField("提醒时间")
    recipient_count = models.PositiveIntegerField("提醒人数", default=0)

    class Meta:
        verbose_name = "已发出的提醒"
        verbose_name_plural = "已发出的提醒"
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "ticket", "due_at", "occurrence"], name="reminder_firing_once"),
        ]
        indexes = [models.Index(fields=["ticket", "step", "due_at"], name="reminder_firing_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.step_id} · {self.occurrence}"

    @property
    def dedupe_key(self) -> str:
        return f"reminder:{self.ticket_id}:{self.step_id}:{int(self.due_at.timestamp())}:{self.occurrence}"
