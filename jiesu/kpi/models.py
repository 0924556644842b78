"""Assessment schemes as versioned rows (docs/domain-rules.md §2.3, docs/kpi.md).

A change to a scheme is a new version with a later `effective_from`, so a past period always
re-computes with the rules that were in force then.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from jiesu.kpi.choices import ItemKind, Period


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
