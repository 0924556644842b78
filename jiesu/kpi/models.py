"""Assessment schemes as versioned rows (docs/domain-rules.md §2.3, docs/kpi.md).

A change to a scheme is a new version with a later `effective_from`, so a past period always
re-computes with the rules that were in force then.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiesu.kpi.choices import AdjustmentKind, ItemKind, PaymentAlertKind, Period

# Unknown in the public sources [U]: a unit with fewer tickets than this is listed, not ranked.
DEFAULT_RANKING_MIN_VOLUME = 10


class AssessmentScheme(models.Model):
    """One version of an assessment scheme: its items, the coefficient for 'fairly satisfied'
    and, for contracts that pay by score, the payment rule."""

    code = models.SlugField("方案编码", max_length=64)
    version = models.PositiveIntegerField("版本", default=1)
    name = models.CharField("方案名称", max_length=128)
    period = models.CharField("考核周期", max_length=16, choices=Period.choices, default=Period.MONTH)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="不含当日；空表示长期有效")
    fairly_satisfied_coefficient = models.DecimalField(
        "基本满意系数", max_digits=4, decimal_places=3, default=Decimal("0.9")
    )
    score_decimal_places = models.PositiveSmallIntegerField("得分保留小数位", default=2)
    # 1 = calendar months / quarters; 19 = "19th of last month to 18th of this month" (jiesu.kpi.windows).
    period_start_day = models.PositiveSmallIntegerField("周期起始日", default=1, db_default=1)
    ranking_min_volume = models.PositiveIntegerField(
        "排名最小样本量", default=DEFAULT_RANKING_MIN_VOLUME, db_default=DEFAULT_RANKING_MIN_VOLUME
    )
    # Bands of the score → share of the period's amount paid; empty when the contract does not
    # pay by score. Keys: full_at, per_point, floor_below, floor_share (jiesu.kpi.scoring).
    payment_rule = models.JSONField("付款规则", default=dict, blank=True)
    basis = models.TextField("依据", blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="kpi_scheme_code_version"),
            models.UniqueConstraint(fields=["code", "effective_from"], name="kpi_scheme_code_from"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="kpi_scheme_period_valid"),
            models.CheckConstraint(
                condition=Q(fairly_satisfied_coefficient__gte=0, fairly_satisfied_coefficient__lte=1),
                name="kpi_scheme_coefficient_0_1",
            ),
            # Day 29–31 does not exist in every month, so a window could not start on it.
            models.CheckConstraint(
                condition=Q(period_start_day__gte=1, period_start_day__lte=28), name="kpi_scheme_start_day_1_28"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"


class SchemeItem(models.Model):
    """One line of a scheme: an indicator and how it scores (or the target it must meet).

    `params` by kind: weighted_rate {weight}; threshold_deduction {threshold, per_point,
    direction}; adjustment {base, min, max}; target {threshold, direction}. Rates and thresholds
    are fractions; `per_point` is points per percentage point.
    """

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号", default=0)
    indicator_code = models.CharField("指标", max_length=64, blank=True)
    label = models.CharField("考核项", max_length=128)
    kind = models.CharField("计分方式", max_length=32, choices=ItemKind.choices)
    max_points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=Decimal(0))
    params = models.JSONField("参数", default=dict, blank=True)

    class Meta:
        verbose_name = "考核项"
        verbose_name_plural = "考核项"
        ordering = ["scheme", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="kpi_item_kind_valid")]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.label}"


class AssessmentAdjustment(models.Model):
    """A commendation or criticism from a superior (Yanta item 4), for the whole centre (no unit)
    or one unit. Entries are never edited or deleted: a mistake is revoked, with who and why."""

    scheme_code = models.SlugField("方案编码", max_length=64)
    kind = models.CharField("类别", max_length=16, choices=AdjustmentKind.choices)
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    occurred_on = models.DateField("日期")
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    reason = models.TextField("事由")
    document_number = models.CharField("文号", max_length=128, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        verbose_name = "表扬/批评记录"
        verbose_name_plural = "表扬/批评记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["scheme_code", "occurred_on"], name="kpi_adjustment_scheme_on")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AdjustmentKind.values), name="kpi_adjustment_kind_valid"),
            models.CheckConstraint(condition=Q(points__gt=0), name="kpi_adjustment_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points} 分（{self.occurred_on}）"

    @property
    def signed_points(self) -> Decimal:
        return self.points if self.kind == AdjustmentKind.COMMENDATION else -self.points


class PaymentAlert(models.Model):
    """One alert sent after a quarter scored below full payment; the unique row makes the job
    send it once however often it runs."""

    scheme_code = models.SlugField("方案编码", max_length=64)
    period_start = models.DateField("考核期开始")
    period_end = models.DateField("考核期结束")
    kind = models.CharField("类别", max_length=32, choices=PaymentAlertKind.choices)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    payment_share = models.DecimalField("付款比例", max_digits=5, decimal_places=4)
    created_at = models.DateTimeField("提醒时间")

    class Meta:
        verbose_name = "付款提醒"
        verbose_name_plural = "付款提醒"
        constraints = [
            models.UniqueConstraint(fields=["scheme_code", "period_start"], name="kpi_payment_alert_once"),
            models.CheckConstraint(condition=Q(kind__in=PaymentAlertKind.values), name="kpi_payment_alert_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_code} {self.period_start}–{self.period_end} {self.score}"
