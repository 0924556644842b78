"""Report packs: customer templates, delivery schedules, generated versions and their deliveries.

Generated files live on disk under settings.REPORT_ROOT (`<kind>/<period>/v<N>/`); a row keeps the
relative paths and SHA-256 of each, so a later check can prove a file is the one that was sent.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.schedules import DueRule

SCHEDULED_KINDS = [
    ReportKind.DAILY.value,
    ReportKind.WEEKLY.value,
    ReportKind.MONTHLY.value,
    ReportKind.QUARTERLY.value,
    ReportKind.HALF_YEAR.value,
    ReportKind.ANNUAL.value,
]
FILE_FORMATS = ("docx", "xlsx", "zip")
# A topic is free text: in a file name it may not name a folder or break a header line.
UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


class ReportStatus(models.TextChoices):
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class DeliveryResult(models.TextChoices):
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


def report_root() -> Path:
    return Path(settings.REPORT_ROOT)


class ReportTemplate(BaseModel):
    """A customer's own .docx template for one kind of report; the newest active one whose
    effective date has come is used, else the default template that ships with Jiesu."""

    kind = models.CharField("报告类型", max_length=16, choices=ReportKind.choices)
    family = models.CharField("报告系列", max_length=16, choices=ReportFamily.choices, default=ReportFamily.HOTLINE)
    name = models.CharField("模板名称", max_length=120)
    file_name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("模板文件")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="上传人",
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    effective_from = models.DateField("生效日期", default=timezone.localdate)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["kind", "-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="report_template_kind_valid"),
            models.CheckConstraint(condition=Q(family__in=ReportFamily.values), name="report_template_family_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class ReportSchedule(BaseModel):
    """When the worker generates and e-mails one kind of report. Day fields left empty take the
    kind's default (weekly: Wednesday; monthly 7th; quarterly 9th; half-year July 7th; annual
    January 7th) — see jiesu.reports.schedules."""

    kind = models.CharField("报告类型", max_length=16, choices=[(k, ReportKind(k).label) for k in SCHEDULED_KINDS])
    family = models.CharField("报告系列", max_length=16, choices=ReportFamily.choices, default=ReportFamily.HOTLINE)
    enabled = models.BooleanField("启用", default=True)
    due_weekday = models.PositiveSmallIntegerField(
        "周报报送日（星期）", null=True, blank=True, help_text="0=星期一 … 6=星期日；留空为星期三"
    )
    due_day = models.PositiveSmallIntegerField(
        "报送日（次月几日）", null=True, blank=True, help_text="1–28；留空为默认（月报7日、季报9日、半年报和年报7日）"
    )
    send_hour = models.PositiveSmallIntegerField("发送时刻（时）", default=8, help_text="北京时间 0–23")
    recipients = models.JSONField("收件人", default=list, blank=True, help_text="邮箱地址列表")
    scheme_code = models.CharField("考核方案", max_length=64, blank=True, help_text="留空使用系统默认方案")

    class Meta:
        verbose_name = "报告计划"
        verbose_name_plural = "报告计划"
        ordering = ["family", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "family"], name="report_schedule_one_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=SCHEDULED_KINDS), name="report_schedule_kind_valid"),
            models.CheckConstraint(condition=Q(family__in=ReportFamily.values), name="report_schedule_family_valid"),
            models.CheckConstraint(condition=Q(send_hour__lte=23), name="report_schedule_hour_valid"),
            models.CheckConstraint(
                condition=Q(due_weekday__isnull=True) | Q(due_weekday__lte=6), name="report_schedule_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_day__isnull=True) | Q(due_day__gte=1, due_day__lte=28), name="report_schedule_day_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_family_display()}{self.get_kind_display()}"

    @property
    def rule(self) -> DueRule:
        return DueRule(kind=self.kind, weekday=self.due_weekday, day=self.due_day, hour=self.send_hour)

    def clean(self) -> None:
        from django.core.validators import validate_email

        for address in self.recipients or []:
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValidationError({"recipients": f"邮箱地址无效：{address}"}) from exc


class GeneratedReport(models.Model):
    """One version of one period's report pack. Regenerating adds version N+1; earlier versions
    and their files stay, so what was sent can always be shown again."""

    kind = models.CharField("报告类型", max_length=16, choices=ReportKind.choices)
    family = models.CharField("报告系列", max_length=16, choices=ReportFamily.choices, default=ReportFamily.HOTLINE)
    period_key = models.CharField("报告期", max_length=32)
    period_label = models.CharField("报告期名称", max_length=80)
    period_start = models.DateField("开始日期")
    period_end = models.DateField("结束日期")
    topic = models.CharField("专题", max_length=100, blank=True)
    district = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="专报区域",
        related_name="+",
        help_text="专报所限的区域（该单位及其下级）；为空表示全部区域",
    )
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.READY)
    docx_path = models.CharField(max_length=300)
    docx_sha256 = models.CharField(max_length=64)
    docx_size = models.PositiveBigIntegerField(default=0)
    xlsx_path = models.CharField(max_length=300)
    xlsx_sha256 = models.CharField(max_length=64)
    xlsx_size = models.PositiveBigIntegerField(default=0)
    zip_path = models.CharField(max_length=300)
    zip_sha256 = models.CharField(max_length=64)
    zip_size = models.PositiveBigIntegerField(default=0)
    template = models.ForeignKey(
        ReportTemplate, on_delete=models.PROTECT, null=True, blank=True, verbose_name="模板", related_name="+"
    )
    summary = models.JSONField("摘要", default=dict, blank=True)
    generated_at = models.DateTimeField("生成时间", default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="生成人",
        related_name="+",
        help_text="为空表示由系统（后台任务或命令行）生成",
    )
    seconds = models.FloatField("用时（秒）", default=0)

    class Meta:
        verbose_name = "已生成报告"
        verbose_name_plural = "已生成报告"
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["family", "kind", "period_key"], name="generated_report_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "kind", "period_key", "version"], name="generated_report_one_version"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="generated_report_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="generated_report_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.period_label}{self.get_kind_display()} v{self.version}"

    def file_path(self, fmt: str) -> Path:
        relative = {"docx": self.docx_path, "xlsx": self.xlsx_path, "zip": self.zip_path}[fmt]
        return report_root() / relative

    def _subject_parts(self) -> list[str]:
        return [part for part in (self.district.name if self.district is not None else "", self.topic) if part]

    @property
    def subject(self) -> str:
        """What a special report is narrowed to, for people: "朝阳区·供暖"; empty for a whole report."""
        return "·".join(self._subject_parts())

    def download_name(self, fmt: str) -> str:
        """What the file is called when downloaded or attached: `12345热线月报_2026-10_v1.docx`; a
        special report's area and topic follow the period (`…专报_2026-11-01_2026-11-07_朝阳区_供暖_v1.docx`)."""
        what = {"docx": "", "xlsx": "台账", "zip": "素材"}[fmt]
        subject = "".join(f"_{UNSAFE_IN_NAME.sub('_', part)}" for part in self._subject_parts())
        name = f"{self.get_family_display()}{self.get_kind_display()}{what}"
        return f"{name}_{self.period_key}{subject}_v{self.version}.{fmt}"


class ReportDelivery(models.Model):
    """One e-mail of a report version to its recipients, sent or failed (the proof of delivery)."""

    report = models.ForeignKey(GeneratedReport, on_delete=models.PROTECT, related_name="deliveries")
    recipients = models.JSONField("收件人", default=list)
    attempted_at = models.DateTimeField("发送时间", default=timezone.now)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    result = models.CharField("结果", max_length=16, choices=DeliveryResult.choices)
    response = models.TextField("服务器应答", blank=True)
    error = models.TextField("错误", blank=True)
    message_id = models.CharField("邮件 Message-ID", max_length=255, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="发送人",
        related_name="+",
    )

    class Meta:
        verbose_name = "报告报送记录"
        verbose_name_plural = "报告报送记录"
        ordering = ["-attempted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(result__in=DeliveryResult.values), name="report_delivery_result_valid"),
            models.CheckConstraint(
                condition=Q(result="failed") | Q(sent_at__isnull=False), name="report_delivery_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {', '.join(self.recipients)}"
